"""Idempotency-Key: a client's word that a repeated request is the same request, and ours
that it gets the first answer again instead of a second write.

The key is claimed in the same DynamoDB transaction as the change it guards, with the
answer, so a change and its key are stored together or not at all: a create whose
answer was lost makes one word, group or session however often the client retries.
Changes that come out the same when repeated (adding words to a group, say) may claim
the key once they are done instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from langportal import records
from langportal.errors import Conflict, Contended, InvalidInput
from langportal.models import IdempotencyKeyModel
from langportal.storage.dynamo import Transaction, dynamodb_errors
from langportal.storage.retry import retrying

T = TypeVar("T")

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as short as DynamoDB's keys need
KEPT_FOR = timedelta(hours=24)


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used for a different request."


class KeyClaimed(Contended):
    """The key was claimed while we worked (by this request's own earlier attempt or a
    twin sent at the same time): retrying finds the answer stored under it."""


def checked_key(value: str | None) -> str | None:
    """The header's value, when it is a usable key (400 otherwise)."""
    if value is not None and not KEY_PATTERN.fullmatch(value):
        raise InvalidInput(details={HEADER: ["Use 1 to 255 visible ASCII characters."]})
    return value


@dataclass(frozen=True)
class Idempotency:
    """One request made under a client's Idempotency-Key."""

    user_id: str
    key: str
    request: str  # a fingerprint of the operation and its arguments

    @classmethod
    def of(cls, *, user_id: str, key: str | None, operation: str, arguments: dict[str, Any]) -> Idempotency | None:
        if key is None:
            return None
        asked = json.dumps([operation, records.plain(arguments)], sort_keys=True, default=str)
        return cls(user_id, checked_key(key), hashlib.sha256(asked.encode()).hexdigest())

    @property
    def _item_key(self) -> str:
        return f"{self.user_id}#{self.key}"

    def stored_answer(self) -> str | None:
        """The answer stored under this key (JSON), or None when there is none (or it
        expired: DynamoDB deletes expired items only within a day or two).

        The same key for another request is a 409: a client must not reuse keys.
        """
        with dynamodb_errors():
            try:
                item = IdempotencyKeyModel.get(self._item_key, consistent_read=True)
            except IdempotencyKeyModel.DoesNotExist:
                return None
        if item.expires_at <= datetime.now(UTC):
            return None
        if item.request != self.request:
            raise IdempotencyKeyReused()
        return item.result

    def claim(self, answer: Any) -> Claim:
        return Claim(self, answer)

    def record(self, answer: Any) -> None:
        """Claim the key on its own, once a change that may be repeated safely is done."""
        transaction = Transaction()
        self.claim(answer).stage(transaction)
        transaction.commit()


@dataclass(frozen=True)
class Claim:
    """An Idempotency-Key and the answer to store under it, with the change it guards."""

    idempotency: Idempotency
    answer: Any

    def stage(self, transaction: Transaction, *, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        item = IdempotencyKeyModel(
            self.idempotency._item_key,
            request=self.idempotency.request,
            result=records.dumps(self.answer),
            expires_at=now + KEPT_FOR,
        )
        unclaimed = IdempotencyKeyModel.key.does_not_exist() | (IdempotencyKeyModel.expires_at <= now)
        transaction.put(item, condition=unclaimed, failure=KeyClaimed)


def idempotent(idempotency: Idempotency | None, answer_type: type[T], operation: Callable[[], T]) -> T:
    """Run a write service's `operation`, retrying it when it loses a race; a repeat of a
    request made under an Idempotency-Key gets the answer stored for the first instead.

    `operation` does its own reads and stages (or records) `idempotency.claim(answer)`.
    """

    def attempt() -> T:
        if idempotency is not None and (stored := idempotency.stored_answer()) is not None:
            return records.loads(answer_type, stored)
        return operation()

    return retrying(attempt)


def keys_of_user(user_id: str) -> list[str]:
    """The stored keys (`<user id>#<key>`) of one user, for an erasure. A scan: the keys a
    client chose cannot be named, and the table holds a day of them (consistent, so
    that a key stored a moment ago is found)."""
    with dynamodb_errors():
        return [
            item.key
            for item in IdempotencyKeyModel.scan(
                IdempotencyKeyModel.key.startswith(f"{user_id}#"), consistent_read=True, attributes_to_get=["key"]
            )
        ]


def key_forget(item_key: str) -> None:
    """Delete one stored key and its answer (gone already is fine)."""
    with dynamodb_errors():
        IdempotencyKeyModel(item_key).delete()
