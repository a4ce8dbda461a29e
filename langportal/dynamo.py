"""What every PynamoDB model and repository shares: table naming, client settings,
and the one place where DynamoDB errors become our exceptions."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from langportal.aws import is_unavailable
from langportal.errors import Conflict, Unavailable


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
    """One connection for every transaction (its botocore client is thread-safe)."""
    return Connection(
        region=settings.AWS_REGION,
        connect_timeout_seconds=settings.AWS_CONNECT_TIMEOUT,
        read_timeout_seconds=settings.AWS_READ_TIMEOUT,
        max_retry_attempts=settings.AWS_MAX_ATTEMPTS - 1,
    )


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Map storage failures to our exceptions, once, for every repository.

    An unreachable or throttling table becomes Unavailable (503); a failed condition
    becomes Conflict (409). Anything else is a bug and propagates unchanged.
    """
    try:
        yield
    except PynamoDBException as error:
        if error.cause is not None and is_unavailable(error.cause):
            raise Unavailable("The database is unavailable. Please retry shortly.") from error
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict() from error
        raise


RETRY_SECONDS = 10.0  # how long a writer that keeps losing races tries again


def retries(seconds: float = RETRY_SECONDS) -> Iterator[int]:
    """Attempt numbers for `seconds`, with exponential backoff and full jitter between.

    For writes that lose races (a changed root, a contended item): build from fresh
    reads and try again; the caller decides what to do when the time is up.
    """
    deadline = time.monotonic() + seconds
    attempt = 0
    while True:
        yield attempt
        if time.monotonic() >= deadline:
            return
        time.sleep(random.uniform(0, min(1.0, 0.025 * 2**attempt)))
        attempt += 1


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


class TransactionConflict(Conflict):
    """A cancelled transaction: `failed` names the items whose condition failed,
    `contended` says another transaction held one of its items (worth a retry)."""

    def __init__(self, failed: set[str], *, contended: bool = False):
        self.failed = failed
        self.contended = contended
        super().__init__()


class Transaction:
    """One TransactWriteItems request whose items carry labels.

    DynamoDB answers a cancelled transaction with one reason per item, in request
    order; the labels turn those reasons into the names of the failed conditions.
    """

    MAX_ITEMS = 100

    def __init__(self, *, client_request_token: str | None = None):
        # DynamoDB answers a repeat of the same token within ten minutes as a success
        # without writing again: botocore's own retries of one request are then safe.
        self._write = TransactWrite(connection=transaction_connection(), client_request_token=client_request_token)
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def __len__(self) -> int:
        return sum(len(labels) for labels in self._labels.values())

    def check(self, model_cls: type[Model], hash_key, range_key=None, *, condition: Condition, label: str) -> None:
        self._write.condition_check(model_cls, hash_key, range_key, condition=condition)
        self._labels["check"].append(label)

    def delete(self, item: Model, *, condition: Condition | None = None, label: str = "") -> None:
        self._write.delete(item, condition=condition)
        self._labels["delete"].append(label)

    def put(self, item: Model, *, condition: Condition | None = None, label: str = "") -> None:
        self._write.save(item, condition=condition)
        self._labels["put"].append(label)

    def update(
        self, item: Model, actions: list[Action], *, condition: Condition | None = None, label: str = ""
    ) -> None:
        self._write.update(item, actions, condition=condition)
        self._labels["update"].append(label)

    def commit(self) -> None:
        if len(self) > self.MAX_ITEMS:
            raise ValueError(f"A transaction holds at most {self.MAX_ITEMS} items, not {len(self)}.")
        if not len(self):
            return
        ordered = [*self._labels["check"], *self._labels["delete"], *self._labels["put"], *self._labels["update"]]
        with dynamodb_errors():
            try:
                self._write._commit()
            except TransactWriteError as error:
                codes = {
                    label: reason.code
                    for label, reason in zip(ordered, error.cancellation_reasons or [], strict=False)
                    if reason is not None
                }
                failed = {label for label, code in codes.items() if code == "ConditionalCheckFailed"}
                if "ThrottlingError" in codes.values():
                    raise Unavailable("The database is busy. Please retry shortly.") from error
                contended = "TransactionConflict" in codes.values()
                if failed or contended:
                    raise TransactionConflict(failed, contended=contended) from error
                raise
