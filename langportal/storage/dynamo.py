"""What every PynamoDB model and repository shares: table naming, client settings, the
one place where DynamoDB errors become our exceptions, transactions whose failures are
typed, and batch reads and writes that finish or say why not."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from langportal.aws import is_unavailable
from langportal.errors import Conflict, Contended, DomainError, Unavailable
from langportal.storage.retry import waits

M = TypeVar("M", bound=Model)

BATCH_GET_KEYS = 100  # DynamoDB's limits per request
BATCH_WRITE_REQUESTS = 25
TRANSACTION_ACTIONS = 100
PARTITION_KEY_BYTES = 2048  # and per key value


def table_name(suffix: str) -> str:
    return f"{settings.DYNAMODB_TABLE_PREFIX}{suffix}"


class BaseMeta:
    """Meta settings shared by our models; `host` stays unset so the standard
    AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL variables choose the endpoint."""

    region = settings.AWS_REGION
    connect_timeout_seconds = settings.AWS_CONNECT_TIMEOUT
    read_timeout_seconds = settings.AWS_READ_TIMEOUT
    max_retry_attempts = settings.AWS_MAX_ATTEMPTS - 1
    billing_mode = "PAY_PER_REQUEST"


@functools.cache
def transaction_connection() -> Connection:
    """One connection for transactions and batches (its botocore client is thread-safe)."""
    return Connection(
        region=settings.AWS_REGION,
        connect_timeout_seconds=settings.AWS_CONNECT_TIMEOUT,
        read_timeout_seconds=settings.AWS_READ_TIMEOUT,
        max_retry_attempts=settings.AWS_MAX_ATTEMPTS - 1,
    )


# --- errors ------------------------------------------------------------------------

UNAVAILABLE = "The database is unavailable. Please retry shortly."
BUSY = "The database is busy. Please retry shortly."


def storage_error(error: Exception) -> Exception:
    """Our exception for a failed DynamoDB call, or `error` itself when it is a bug.

    An unreachable or throttling table is Unavailable (503; botocore has already retried);
    a write meeting a running transaction is Contended (503 unless retried); a failed
    condition is Conflict (409), which callers usually turn into something more precise.
    """
    cause = error.cause if isinstance(error, PynamoDBException) else error
    code = cause.response.get("Error", {}).get("Code") if isinstance(cause, ClientError) else None
    if code == "TransactionConflictException":
        return Contended(BUSY)
    if cause is not None and is_unavailable(cause):
        return Unavailable(UNAVAILABLE)
    if code == "ConditionalCheckFailedException":
        return Conflict()
    return error


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Map storage failures to our exceptions, once, for every repository."""
    try:
        yield
    except (PynamoDBException, BotoCoreError, ClientError) as error:
        mapped = storage_error(error)
        if mapped is error:
            raise
        raise mapped from error


class TableModel(Model):
    """The base of every table model: all tables share one connection (one botocore
    client; clients are thread-safe) where PynamoDB makes one a table. A client holds
    about 5 MiB, and a web worker that had used every table held one for each."""

    @classmethod
    def _get_connection(cls):
        table = super()._get_connection()
        shared = transaction_connection()
        if table.connection is not shared:
            if table.table_name not in shared._tables:  # the table's schema, which its own had
                shared.add_meta_table(table.connection.get_meta_table(table.table_name))
            table.connection = shared
        return table


def table_models() -> list[type[Model]]:
    """Every PynamoDB model declared in an installed app's models module."""
    return [
        value
        for app in apps.get_app_configs()
        if app.models_module is not None
        for value in vars(app.models_module).values()
        if isinstance(value, type)
        and issubclass(value, Model)
        and value.__module__ == app.models_module.__name__
        and getattr(value.Meta, "table_name", None)
    ]


def dynamodb_clients() -> set:
    """Every botocore DynamoDB client the app holds now (the tables share one, see
    TableModel). For hooking botocore's events (timing, counting), never for calls."""
    return {transaction_connection().client}


# --- transactions --------------------------------------------------------------------

Failure = DomainError | type[DomainError]

# PynamoDB sends a transaction's actions grouped in this order, and DynamoDB gives its
# cancellation reasons in request order.
_SENT_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}
_CONTENTION = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


@dataclass(frozen=True)
class _Action:
    kind: str
    item: Model
    condition: Condition | None
    failure: Failure | None
    actions: list[Action] | None = None

    def stage(self, write: TransactWrite) -> None:
        if self.kind == "check":
            write.condition_check(type(self.item), *self._key_values(), condition=self.condition)
        elif self.kind == "put":
            write.save(self.item, condition=self.condition)
        elif self.kind == "update":
            write.update(self.item, self.actions, condition=self.condition)
        else:
            write.delete(self.item, condition=self.condition)

    def _key_values(self) -> tuple:
        attributes = self.item.get_attributes().items()
        hash_key = next(name for name, attribute in attributes if attribute.is_hash_key)
        range_key = next((name for name, attribute in attributes if attribute.is_range_key), None)
        return getattr(self.item, hash_key), getattr(self.item, range_key) if range_key else None

    @property
    def key(self) -> tuple:
        serialized = self.item.serialize(null_check=False)
        keys = [a.attr_name for a in self.item.get_attributes().values() if a.is_hash_key or a.is_range_key]
        return (self.item.Meta.table_name, *(repr(serialized.get(name)) for name in keys))

    def failed(self) -> DomainError:
        failure = self.failure or Conflict
        return failure() if isinstance(failure, type) else failure


class Staged(Protocol):
    """Something another layer adds to a transaction (an Idempotency-Key's claim, a
    statement of the xAPI store), so that it is written with the change, or not at all."""

    def stage(self, transaction: Transaction) -> None: ...


class Transaction:
    """One TransactWriteItems request; each action names what its failed condition means.

    A cancelled transaction raises one exception: the `failure` of the first action whose
    condition failed and that is not Contended, else Contended (another transaction held
    one of our items, or DynamoDB throttled it: worth retrying on fresh reads). botocore
    gives the request a ClientRequestToken and keeps it when it resends, so DynamoDB
    applies a resent transaction once.
    """

    def __init__(self) -> None:
        self._actions: list[_Action] = []

    def __len__(self) -> int:
        return len(self._actions)

    def check(
        self, model_cls: type[Model], hash_key, range_key=None, *, condition: Condition, failure: Failure
    ) -> None:
        """A condition on an item the transaction does not change."""
        self._actions.append(_Action("check", model_cls(hash_key, range_key), condition, failure))

    def put(self, item: Model, *, condition: Condition | None = None, failure: Failure | None = None) -> None:
        self._actions.append(_Action("put", item, condition, failure))

    def update(
        self, item: Model, actions: list[Action], *, condition: Condition | None = None, failure: Failure | None = None
    ) -> None:
        self._actions.append(_Action("update", item, condition, failure, actions))

    def delete(self, item: Model, *, condition: Condition | None = None, failure: Failure | None = None) -> None:
        self._actions.append(_Action("delete", item, condition, failure))

    def commit(self) -> None:
        if not self._actions:
            return
        self._check_limits()
        try:
            with TransactWrite(connection=transaction_connection()) as write:
                for action in self._actions:
                    action.stage(write)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                with dynamodb_errors():
                    raise
            raise self._failure(error) from error

    def _check_limits(self) -> None:
        """What DynamoDB would refuse is a bug of ours: never send it."""
        if len(self._actions) > TRANSACTION_ACTIONS:
            raise ValueError(f"A transaction holds at most {TRANSACTION_ACTIONS} actions, not {len(self._actions)}.")
        keys = [action.key for action in self._actions]
        if len(set(keys)) < len(keys):
            raise ValueError("A transaction may act on each item once.")

    def _failure(self, error: TransactWriteError) -> Exception:
        sent = sorted(self._actions, key=lambda action: _SENT_ORDER[action.kind])
        failures: list[Exception] = []
        for action, reason in zip(sent, error.cancellation_reasons, strict=False):
            code = reason.code if reason is not None else "None"
            if code == "ConditionalCheckFailed":
                failures.append(action.failed())
            elif code in _CONTENTION:
                failures.append(Contended(BUSY))
            elif code != "None":
                return error  # a request DynamoDB refused (a bug): let it surface
        decided = [failure for failure in failures if not isinstance(failure, Contended)]
        return (decided or failures or [Contended(BUSY)])[0]


# --- batches ---------------------------------------------------------------------------


def _key(model_cls: type[Model], key) -> dict:
    """DynamoDB's form of a key: a hash key, or (hash key, range key)."""
    values = key if isinstance(key, tuple) else (key,)
    attributes = model_cls.get_attributes().values()
    named = [attribute for attribute in attributes if attribute.is_hash_key]
    named += [attribute for attribute in attributes if attribute.is_range_key]
    return {
        attribute.attr_name: {attribute.attr_type: attribute.serialize(value)}
        for attribute, value in zip(named, values, strict=True)
    }


def batch_get(model_cls: type[M], keys: Iterable, *, consistent: bool = True) -> list[M]:
    """Items by key (a hash key, or a (hash, range) tuple), in no particular order.

    Reads are consistent unless asked otherwise. Asks for 100 keys at a time, and again
    with backoff for the keys DynamoDB left unprocessed; Contended (503) when it keeps
    leaving some.
    """
    table = model_cls.Meta.table_name
    wanted = [_key(model_cls, key) for key in dict.fromkeys(keys)]
    found: list[M] = []
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        pending = wanted[start : start + BATCH_GET_KEYS]

        def send(keys: list[dict]) -> list[dict]:
            with dynamodb_errors():
                response = transaction_connection().client.batch_get_item(
                    RequestItems={table: {"Keys": keys, "ConsistentRead": consistent}}
                )
            found.extend(model_cls.from_raw_data(item) for item in response.get("Responses", {}).get(table, []))
            return response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])

        _until_processed(send, pending)
    return found


def batch_write(model_cls: type[Model], *, puts: Iterable[Model] = (), deletes: Iterable = ()) -> None:
    """Put items and delete keys (a hash key, or a (hash, range) tuple) of one table.

    25 requests at a time, the unprocessed ones again with backoff; Contended (503) when
    DynamoDB keeps leaving some. Puts and deletes are idempotent, so running the same
    batch again after a failure finishes it.
    """
    table = model_cls.Meta.table_name
    requests = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": _key(model_cls, key)}} for key in dict.fromkeys(deletes)]
    for start in range(0, len(requests), BATCH_WRITE_REQUESTS):

        def send(chunk: list[dict]) -> list[dict]:
            with dynamodb_errors():
                response = transaction_connection().client.batch_write_item(RequestItems={table: chunk})
            return response.get("UnprocessedItems", {}).get(table, [])

        _until_processed(send, requests[start : start + BATCH_WRITE_REQUESTS])


def _until_processed(send: Callable[[list], list], requests: list) -> None:
    """Send `requests`, then what came back unprocessed, until nothing is left."""
    pending = send(requests)
    pauses = waits()
    while pending:
        if next(pauses, None) is None:
            raise Contended(BUSY)
        pending = send(pending)
