"""The only code that reads and writes the hint cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ai_hints.models import HintCacheModel
from langportal.storage.dynamo import batch_get, dynamodb_errors
from langportal.storage.retry import retrying


@dataclass(frozen=True)
class CachedHint:
    key: str
    hint: str
    provider: str
    model: str


def hints_cached(keys: list[str]) -> dict[str, CachedHint]:
    """The cached hints among these keys (one consistent batch read: a hint just made is
    not asked of a model again)."""
    return {
        item.key: CachedHint(item.key, item.hint, item.provider, item.model) for item in batch_get(HintCacheModel, keys)
    }


def hint_store(hint: CachedHint, *, now: datetime, keep: timedelta) -> None:
    item = HintCacheModel(
        hint.key, hint=hint.hint, provider=hint.provider, model=hint.model, created_at=now, expires_at=now + keep
    )
    retrying(lambda: _save(item))


def _save(item: HintCacheModel) -> None:
    with dynamodb_errors():
        item.save()
