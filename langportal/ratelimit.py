"""Fixed-window counters in DynamoDB, which every instance shares: hint requests per user,
failed admin sign-ins per user and per address.

A counter `<key>#<window>` counts within one window of `seconds` (atomic ADD), and expires
with the window after next. A request counted twice (an answer lost and resent) counts
against the caller, never for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from langportal.models import RateCounterModel
from langportal.storage.dynamo import batch_get, dynamodb_errors
from langportal.storage.retry import retrying


@dataclass(frozen=True)
class Window:
    """The window of `seconds` that holds `now`."""

    key: str
    seconds: int
    now: datetime

    @property
    def index(self) -> int:
        return int(self.now.timestamp()) // self.seconds

    @property
    def ends_at(self) -> datetime:
        return datetime.fromtimestamp((self.index + 1) * self.seconds, UTC)

    @property
    def retry_after(self) -> int:
        """Whole seconds until the window ends, at least 1 (for Retry-After)."""
        return max(1, int((self.ends_at - self.now).total_seconds() + 0.999))

    @property
    def previous(self) -> Window:
        return Window(self.key, self.seconds, self.now - timedelta(seconds=self.seconds))

    @property
    def counter_key(self) -> str:
        return f"{self.key}#{self.index}"


def count(window: Window) -> int:
    """Count one more in `window` and return the new count."""
    counter = RateCounterModel(window.counter_key)
    expires_at = window.ends_at + timedelta(seconds=window.seconds)

    def add() -> int:
        # A write refused for a conflict was not made: counting again counts once.
        with dynamodb_errors():
            counter.update(actions=[RateCounterModel.count.add(1), RateCounterModel.expires_at.set(expires_at)])
        return int(counter.count)

    return retrying(add)


def counted(windows: list[Window]) -> list[int]:
    """How many each of `windows` has counted so far (one consistent batch read)."""
    found = {item.key: int(item.count) for item in batch_get(RateCounterModel, [w.counter_key for w in windows])}
    return [found.get(window.counter_key, 0) for window in windows]


def counter_keys_of(owner: str) -> list[str]:
    """The keys of the counters `<scope>#<owner>#<window>` of one owner (a user id: the
    hints a user asked for), for an erasure. A scan: windows cannot be listed by key,
    and the table holds only the counters of the last minutes that DynamoDB has not yet
    expired."""
    with dynamodb_errors():
        named = RateCounterModel.scan(
            RateCounterModel.key.contains(f"#{owner}#"), consistent_read=True, attributes_to_get=["key"]
        )
        return [item.key for item in named if item.key.split("#")[1] == owner]


def counter_forget(key: str) -> None:
    """Delete one counter (gone already is fine)."""
    with dynamodb_errors():
        RateCounterModel(key).delete()
