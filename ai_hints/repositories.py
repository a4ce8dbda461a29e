"""The only code that reads and writes the hint cache and rate counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ai_hints.models import HintCacheModel, RateCounterModel
from langportal.dynamo import batch_get, dynamodb_errors


@dataclass(frozen=True)
class CachedHint:
    key: str
    hint: str
    provider: str
    model: str


def hints_cached(keys: list[str]) -> dict[str, CachedHint]:
    """The cached hints among these keys (one batch read; a cache may lag a second)."""
    return {
        item.key: CachedHint(item.key, item.hint, item.provider, item.model)
        for item in batch_get(HintCacheModel, keys, consistent=False)
    }


def hint_store(hint: CachedHint, *, now: datetime, keep: timedelta) -> None:
    with dynamodb_errors():
        HintCacheModel(
            hint.key, hint=hint.hint, provider=hint.provider, model=hint.model, created_at=now, expires_at=now + keep
        ).save()


def rate_count(key: str, *, expires_at: datetime) -> int:
    """Count one more request under `key` (atomic ADD) and return the new count."""
    counter = RateCounterModel(key)
    with dynamodb_errors():
        counter.update(actions=[RateCounterModel.count.add(1), RateCounterModel.expires_at.set(expires_at)])
    return int(counter.count)
