"""What the strict middleware remembers between requests: the undo log that stale reads are
answered from, the items a transaction holds, and the transactions' idempotency tokens."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from langportal.local.strict.protocol import Answer, ItemId


@dataclass(frozen=True)
class Image:
    """An item as it was before a write (None: there was none)."""

    table: Table
    key: dict[str, Any]
    item: Item | None


@dataclass(frozen=True)
class Write:
    """One entry of the undo log that stale reads are answered from."""

    at: float
    table: str
    key: dict[str, Any]
    before: Item | None


@dataclass(frozen=True)
class RememberedTransaction:
    at: float
    request: dict[str, Any]
    answer: Answer


@dataclass
class History:
    """What the middleware remembers between requests: recent writes, held items, tokens."""

    writes: deque[Write] = field(default_factory=deque)
    holds: dict[ItemId, float] = field(default_factory=dict)  # items "in a transaction", until when
    tokens: dict[str, RememberedTransaction] = field(default_factory=dict)  # in the order they came
