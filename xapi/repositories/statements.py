"""Statements and their index items (see xapi.models.StatementModel): a statement is
written with every index item in one transaction, and voiding one removes its index
items in the voiding statement's transaction, so a query never sees half of either."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.expressions.condition import Condition

from langportal.errors import Conflict
from langportal.storage.dynamo import (
    TRANSACTION_ACTIONS,
    Failure,
    Transaction,
    batch_get,
    batch_write,
    dynamodb_errors,
)
from xapi.models import StatementModel

STATEMENT_SORT = "-"
LATEST = "~"  # sorts after every `<stored>#<id>`: with a time, the end of that instant


class StatementExists(Conflict):
    """A statement with this id is stored already."""


class TargetChanged(Conflict):
    """The statement being voided was voided, or changed, since it was read."""


@dataclass(frozen=True)
class StoredStatement:
    id: str
    body: str  # the statement as stored, JSON
    stored: str  # ISO 8601 in UTC with microseconds, so that it sorts as text
    digest: str
    families: frozenset[str]
    attachments: frozenset[str] = frozenset()
    voided: bool = False

    @property
    def sort(self) -> str:
        return f"{self.stored}#{self.id}"


@dataclass(frozen=True)
class IndexEntry:
    statement_id: str
    sort: str
    families: frozenset[str]
    digest: str | None  # of the statement it was written for


def _statement_key(statement_id: str) -> str:
    return f"statement#{statement_id.lower()}"  # UUIDs are equal whatever their case


def _stored(item: StatementModel) -> StoredStatement:
    return StoredStatement(
        id=item.statement_id,
        body=item.body,
        stored=item.stored,
        digest=item.digest,
        families=frozenset(item.families or ()),
        attachments=frozenset(item.attachments or ()),
        voided=bool(item.voided),
    )


def statement_get(statement_id: str) -> StoredStatement | None:
    with dynamodb_errors():
        try:
            return _stored(StatementModel.get(_statement_key(statement_id), STATEMENT_SORT, consistent_read=True))
        except StatementModel.DoesNotExist:
            return None


def statements_get(statement_ids: Iterable[str]) -> dict[str, StoredStatement]:
    """Statements by id in lower case (consistent reads); ids with none are left out."""
    items = batch_get(
        StatementModel, [(_statement_key(statement_id), STATEMENT_SORT) for statement_id in statement_ids]
    )
    return {stored.id.lower(): stored for stored in map(_stored, items)}


@dataclass(frozen=True)
class Voiding:
    """A statement being voided, and the keys it is no longer to be found by."""

    target: StoredStatement
    unindexed: frozenset[str]


def statement_put(statement: StoredStatement, *, voids: Voiding | None = None) -> None:
    """Store `statement` with an index item under each of its families, once
    (StatementExists when its id is taken). With `voids`, the statement it voids is marked
    voided and loses the index items named (TargetChanged when it was voided meanwhile).

    All in one transaction when it fits DynamoDB's 100 actions, as nearly every statement
    does. A statement found by more keys has its index items written first and the
    statement item last, in a transaction with its target's change: the statement item
    is what makes it stored, and readers pass over index items whose statement is
    missing, voided or of another content (their digest). The voided target's index items
    go after it.
    """
    transaction = Transaction()
    statement_stage(transaction, statement, voids=voids)
    if len(transaction) <= TRANSACTION_ACTIONS:
        transaction.commit()
        return
    batch_write(StatementModel, puts=[_index_item(key, statement) for key in sorted(statement.families)])
    transaction = Transaction()
    statement_stage(transaction, statement, voids=voids, indexed=False)
    transaction.commit()
    if voids is not None:
        batch_write(StatementModel, deletes=[(key, voids.target.sort) for key in sorted(voids.unindexed)])


def statement_stage(
    transaction: Transaction,
    statement: StoredStatement,
    *,
    voids: Voiding | None = None,
    exists: Failure = StatementExists,
    indexed: bool = True,
) -> None:
    """Stage what statement_put writes into `transaction` (a review's, say); `exists` is
    what the id being taken means; `indexed`, whether the index items are in it."""
    transaction.put(
        StatementModel(
            _statement_key(statement.id),
            STATEMENT_SORT,
            statement_id=statement.id,
            body=statement.body,
            digest=statement.digest,
            stored=statement.stored,
            families=set(statement.families),
            attachments=set(statement.attachments) or None,
        ),
        condition=StatementModel.key.does_not_exist(),
        failure=exists,
    )
    if voids is not None:
        transaction.update(
            StatementModel(_statement_key(voids.target.id), STATEMENT_SORT),
            [StatementModel.voided.set(True)],
            condition=StatementModel.key.exists() & _not_voided(),
            failure=TargetChanged,
        )
    if indexed:
        for key in sorted(statement.families):
            transaction.put(_index_item(key, statement))
        for key in sorted(voids.unindexed if voids else ()):
            transaction.delete(StatementModel(key, voids.target.sort))


def statement_delete(statement: StoredStatement) -> None:
    """Remove a statement and every index item of it (an erasure); the statement item
    goes last, so a run cut short finds it again. Removing it twice is harmless."""
    batch_write(StatementModel, deletes=[(key, statement.sort) for key in sorted(statement.families)])
    batch_write(StatementModel, deletes=[(_statement_key(statement.id), STATEMENT_SORT)])


def _not_voided() -> Condition:
    return StatementModel.voided.does_not_exist() | (StatementModel.voided == False)  # noqa: E712 (an expression)


def _index_item(key: str, statement: StoredStatement) -> StatementModel:
    return StatementModel(
        key, statement.sort, statement_id=statement.id, families=set(statement.families), digest=statement.digest
    )


def index_page(
    key: str,
    *,
    since: str | None,
    until: str | None,
    ascending: bool,
    after: str | None,
    limit: int,
) -> tuple[list[IndexEntry], str | None]:
    """Up to `limit` index items of one key, in stored order, stored after `since` and at
    or before `until` (times as stored, since < until), past the sort key `after`; and
    the sort key to go on from, or None at the end."""
    condition = _between(f"{since}#{LATEST}" if since else None, f"{until}#{LATEST}" if until else None)
    start = {"key": {"S": key}, "sort": {"S": after}} if after is not None else None
    with dynamodb_errors():
        result = StatementModel.query(
            key,
            range_key_condition=condition,
            scan_index_forward=ascending,
            limit=limit,
            page_size=limit,
            consistent_read=True,
            last_evaluated_key=start,
        )
        entries = [
            IndexEntry(item.statement_id, item.sort, frozenset(item.families or ()), item.digest) for item in result
        ]
        last = result.last_evaluated_key
    return entries, last["sort"]["S"] if last else None


def _between(low: str | None, high: str | None) -> Condition | None:
    if low is not None and high is not None:
        return StatementModel.sort.between(low, high)
    if low is not None:
        return StatementModel.sort > low
    if high is not None:
        return StatementModel.sort <= high
    return None
