"""Strict mode for the local DynamoDB: moto answering as AWS may, within its documented guarantees.

moto is kinder than DynamoDB (see FACTS.md, "Where moto and DynamoDB differ"): it lets some
invalid keys through, always reads the latest data, never throttles, never reports a
conflict, never leaves part of a batch undone and never loses an answer. StrictDynamoDB is a
WSGI middleware in front of moto's server app that adds those behaviours back at the HTTP
level, so botocore parses, retries and resends exactly as it would against AWS.

It runs inside the emulator's lock (one request at a time). That lets a stale read put
older items into moto's tables for the length of one request and put the current ones back
before anyone else can look.

AWS's validation and its ClientRequestToken idempotency are always on; every other
behaviour is a fault switched on by its own StrictConfig field. All randomness comes from
the seed, so a failing run can be replayed with the same seed and the same requests.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import re
import secrets
import time
import uuid
import zlib
from base64 import b64decode
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.backends import get_backend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.iam.models import get_account_id_from

FAULTS_PATH = "/strict-api/faults"
TARGET_PREFIX = "DynamoDB_20120810."
ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"

# DynamoDB's documented limits.
MAX_ITEM_BYTES = 400 * 1024
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
MAX_TRANSACTION_ACTIONS = 100
MAX_BATCH_GET_KEYS = 100
MAX_BATCH_WRITE_REQUESTS = 25
TOKEN_SECONDS = 600  # how long AWS remembers a TransactWriteItems' ClientRequestToken
HOLDS_KEPT = 60  # seconds a transaction's hold is remembered, for requests that waited that long
ARRIVED = "langportal.strict.arrived"  # the WSGI environ key of a request's arrival time

SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
WRITES = SINGLE_WRITES | {"BatchWriteItem", "TransactWriteItems"}
READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
DATA_PLANE = WRITES | READS | {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}
TRANSACTIONS = frozenset({"TransactWriteItems", "TransactGetItems"})
BATCHES = frozenset({"BatchGetItem", "BatchWriteItem"})

# AWS's messages, word for word (the missing space in "limit of2048" is AWS's).
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
    "string value. Key: {name}"
)
EMPTY_INDEX_KEY = (
    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
    "The AttributeValue for a key attribute cannot contain an empty string value. IndexName: {index}, IndexKey: {name}"
)
HASH_KEY_TOO_LONG = (
    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
)
RANGE_KEY_TOO_LONG = (
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of "
    "1024 bytes"
)
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"
TOO_MANY_ACTIONS = (
    "1 validation error detected: Value '{value}' at 'transactItems' failed to satisfy constraint: "
    "Member must have length less than or equal to 100"
)
ONE_OPERATION_PER_ITEM = "Transaction request cannot include multiple operations on one item"
TOO_MANY_GETS = "Too many items requested for the BatchGetItem call"
TOO_MANY_WRITES = "Too many items requested for the BatchWriteItem call"
TOO_MANY_TABLE_WRITES = (
    "1 validation error detected: Value '{value}' at 'requestItems' failed to satisfy constraint: Map value must "
    "satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than "
    "or equal to 1]"
)
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"
CONSISTENT_INDEX_READ = "Consistent reads are not supported on global secondary indexes"
THROTTLING = {
    "ThrottlingException": (
        "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your "
        "table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
    ),
    "ProvisionedThroughputExceededException": (
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
        "provisioning level with the UpdateTable API."
    ),
}
ITEM_IN_TRANSACTION = "Transaction is ongoing for the item"
TRANSACTION_CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
TOKEN_MISMATCH = "The request uses the same client token as a previous, but non-identical request."  # noqa: S105
INTERNAL_ERROR = "Internal server error"


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Fault:
    """A fault that fires with probability `rate` per eligible request, at most `limit` times
    in all (None: no limit), only for the named operations when `operations` is given, and
    not for the first `after` eligible requests (to cut a long operation in its middle)."""

    rate: float = 0.0
    limit: int | None = None
    operations: frozenset[str] | None = None
    after: int = 0

    def covers(self, operation: str) -> bool:
        return self.rate > 0 and (self.operations is None or operation in self.operations)


FAULT_KINDS = ("stale", "throttle", "conflict", "partial", "lost")
ENVIRONMENT_VARIABLE = "LOCAL_AWS_STRICT"


@dataclass(frozen=True)
class StrictConfig:
    """What strict mode does besides validation and token idempotency (always on).

    lag_ms with `stale`: an eventually consistent read may miss the writes of the last
    lag_ms. contention_ms: how long a committed transaction's items stay "in a transaction",
    conflicting with writes that touch them.
    """

    seed: int = 0
    lag_ms: int = 0
    stale: Fault = Fault()
    throttle: Fault = Fault()
    conflict: Fault = Fault()
    contention_ms: int = 0
    partial: Fault = Fault()
    lost: Fault = Fault()

    @classmethod
    def realistic(cls, seed: int) -> StrictConfig:
        """The profile of LOCAL_AWS_STRICT=1: what a busy table on AWS may do to any request."""
        return cls(
            seed=seed,
            lag_ms=1000,
            stale=Fault(1.0),
            throttle=Fault(0.03),
            conflict=Fault(0.02),
            contention_ms=10,
            partial=Fault(0.2),
            lost=Fault(0.02),
        )

    @classmethod
    def from_env(cls, value: str) -> StrictConfig | None:
        """Parse LOCAL_AWS_STRICT: empty or 0 is off, 1 the realistic profile, otherwise a comma
        list such as `lag_ms=1000,stale=1,throttle=0.03,seed=7` (faults take a rate). Without
        a seed, one is drawn: `to_env()` spells the result, seed included, for a replay."""
        value = value.strip()
        if value in ("", "0"):
            return None
        if value == "1":
            return cls.realistic(seed=secrets.randbelow(2**31))
        settings: dict[str, Any] = {"seed": secrets.randbelow(2**31)}
        for part in filter(None, (part.strip() for part in value.split(","))):
            name, _, text = (piece.strip() for piece in part.partition("="))
            settings[name] = _setting(name, text)
        return cls(**settings)

    def to_env(self) -> str:
        """This configuration as LOCAL_AWS_STRICT spells it (faults' limits and operations have
        no spelling there: they are for tests)."""
        parts = []
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, Fault):
                if value.rate:
                    parts.append(f"{setting.name}={value.rate:g}")
            elif value and setting.name != "seed":
                parts.append(f"{setting.name}={value}")
        return ",".join([*parts, f"seed={self.seed}"])


def _setting(name: str, text: str) -> Any:
    """One `name=value` of LOCAL_AWS_STRICT, checked."""
    known = [setting.name for setting in fields(StrictConfig)]
    if name not in known:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}: unknown setting {name!r}; use 0, 1 or a comma list of name=value with the "
            f"names {', '.join(known)}."
        )
    try:
        number = float(text) if name in FAULT_KINDS else int(text)
    except ValueError:
        raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name}={text!r} is not a number.") from None
    if name in FAULT_KINDS:
        if not 0 <= number <= 1:
            raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name} is a rate between 0 and 1, not {text}.")
        return Fault(number)
    if number < 0 and name != "seed":
        raise ValueError(f"{ENVIRONMENT_VARIABLE}: {name} cannot be negative.")
    return number


def fault_streams(seed: int) -> dict[str, random.Random]:
    """One generator per fault, all drawn from random.Random(seed). Whether a read can be
    stale depends on timing; with its own stream it cannot shift the other faults' draws."""
    master = random.Random(seed)  # noqa: S311 (seeded on purpose: a run's faults can be replayed)
    return {kind: random.Random(master.getrandbits(64)) for kind in FAULT_KINDS}  # noqa: S311


# ---------------------------------------------------------------- HTTP answers


@dataclass(frozen=True)
class Answer:
    """An HTTP response, whole."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def ok(self) -> bool:
        return self.status.startswith("200")

    def json(self) -> dict[str, Any]:
        return json.loads(self.body or b"{}")


def json_answer(data: dict[str, Any], status: str = "200 OK", headers: Iterable[tuple[str, str]] = ()) -> Answer:
    """An answer whose length and CRC32 fit its body (botocore retries a DynamoDB answer whose
    x-amz-crc32 does not match, as a corrupted one)."""
    body = json.dumps(data).encode()
    kept = [(name, value) for name, value in headers if name.lower() not in ("content-length", "x-amz-crc32")]
    if not any(name.lower() == "content-type" for name, _ in kept):
        kept.append(("Content-Type", JSON_CONTENT_TYPE))
    kept += [("Content-Length", str(len(body))), ("x-amz-crc32", str(zlib.crc32(body)))]
    return Answer(status, kept, body)


def error_answer(code: str, message: str, *, status: str = "400 Bad Request") -> Answer:
    data = {"__type": ERROR_PREFIX + code, "message": message}
    return json_answer(data, status, [("Content-Type", JSON_CONTENT_TYPE), ("x-amzn-RequestId", str(uuid.uuid4()))])


def conflict_answer(operation: str, actions: int, conflicting: set[int]) -> Answer:
    """AWS's answer to a write that meets an item another transaction holds."""
    if operation != "TransactWriteItems":
        return error_answer("TransactionConflictException", ITEM_IN_TRANSACTION)
    reasons = [
        {"Code": "TransactionConflict", "Message": ITEM_IN_TRANSACTION} if position in conflicting else {"Code": "None"}
        for position in range(actions)
    ]
    message = TRANSACTION_CANCELLED.format(codes=", ".join(reason["Code"] for reason in reasons))
    # "Message" capitalised for this one error, as moto sends it after AWS; botocore reads either.
    data = {"__type": ERROR_PREFIX + "TransactionCanceledException", "CancellationReasons": reasons, "Message": message}
    return json_answer(data, "400 Bad Request", [("x-amzn-RequestId", str(uuid.uuid4()))])


# ---------------------------------------------------------------- requests and items

ItemId = tuple[str, str]  # table name and canonical key: one item, whatever request names it


@dataclass(frozen=True)
class Call:
    """One DynamoDB request: its operation, its JSON body, and the moto backend it reaches."""

    environ: dict[str, Any]
    operation: str
    body: dict[str, Any]
    raw: bytes
    backend: Any

    def table(self, name: str | None) -> Table | None:
        return self.backend.tables.get(name) if name else None

    def with_body(self, body: dict[str, Any]) -> Call:
        return replace(self, body=body, raw=json.dumps(body).encode())


@dataclass(frozen=True)
class Action:
    """One item a request names, and what it does to it (Get, Put, Update, Delete, ConditionCheck)."""

    kind: str
    table: str | None
    key: dict[str, Any] | None = None
    item: dict[str, Any] | None = None

    @property
    def writes(self) -> bool:
        return self.kind in ("Put", "Update", "Delete")


def request_actions(operation: str, body: dict[str, Any]) -> list[Action]:
    """The items a request names, in request order (the order of cancellation reasons)."""
    table = body.get("TableName")
    match operation:
        case "GetItem" | "UpdateItem" | "DeleteItem":
            return [Action(operation.removesuffix("Item"), table, key=body.get("Key") or {})]
        case "PutItem":
            return [Action("Put", table, item=body.get("Item") or {})]
        case "BatchGetItem":
            return [
                Action("Get", name, key=key)
                for name, request in body.get("RequestItems", {}).items()
                for key in request.get("Keys", [])
            ]
        case "BatchWriteItem":
            return [
                Action("Put", name, item=entry["PutRequest"].get("Item", {}))
                if "PutRequest" in entry
                else Action("Delete", name, key=entry.get("DeleteRequest", {}).get("Key", {}))
                for name, entries in body.get("RequestItems", {}).items()
                for entry in entries
            ]
        case "TransactWriteItems" | "TransactGetItems":
            return [
                Action(kind, part.get("TableName"), key=part.get("Key"), item=part.get("Item"))
                for entry in body.get("TransactItems", [])
                for kind, part in entry.items()
            ]
    return []


def key_attributes(table: Table, item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in table.table_key_attrs if name in item}


def action_key(table: Table, action: Action) -> dict[str, Any]:
    return action.key if action.key is not None else key_attributes(table, action.item or {})


def item_id(table_name: str | None, key: dict[str, Any]) -> ItemId:
    return str(table_name), json.dumps(key, sort_keys=True)


def complete_key(table: Table, key: dict[str, Any]) -> bool:
    return all(name in key for name in table.table_key_attrs)


def stored_item(table: Table, key: dict[str, Any]) -> Item | None:
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return table.get_item(DynamoType(key[table.hash_key_attr]), range_value)


def store_item(table: Table, key: dict[str, Any], item: Item | None) -> None:
    """Put `item` (None: nothing) at `key` in moto's table. It bypasses moto's checks and
    streams on purpose: it only puts back items that moto itself stored."""
    hash_value = DynamoType(key[table.hash_key_attr])
    if table.range_key_attr:
        items, position = table.items[hash_value], DynamoType(key[table.range_key_attr])
    else:
        items, position = table.items, hash_value
    if item is None:
        items.pop(position, None)
    else:
        items[position] = item


# ---------------------------------------------------------------- sizes


def value_size(value: dict[str, Any]) -> int:
    """A value's size as DynamoDB counts it (CapacityUnitCalculations in its guide)."""
    [(kind, inner)] = value.items()
    match kind:
        case "S":
            return len(inner.encode())
        case "N":
            return number_size(inner)
        case "B":
            return len(b64decode(inner))
        case "BOOL" | "NULL":
            return 1
        case "SS" | "NS" | "BS":
            return sum(value_size({kind[0]: member}) for member in inner)
        case "L":  # 3 bytes for the list, 1 for each element
            return 3 + sum(1 + value_size(element) for element in inner)
        case "M":
            return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    return 0  # not a DynamoDB type: moto refuses it


def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1."""
    try:
        digits = Decimal(text).normalize().as_tuple().digits
    except InvalidOperation:
        return 0  # not a number: moto refuses it
    return (len(digits) + 1) // 2 + 1


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def is_empty(value: dict[str, Any]) -> bool:
    return value.get("S") == "" or value.get("B") == ""


# ---------------------------------------------------------------- validation


def validation_message(call: Call) -> str | None:
    """What AWS would refuse in this request and moto may let through, in AWS's words."""
    actions = request_actions(call.operation, call.body)
    return (
        request_length_message(call.operation, call.body)
        or next(filter(None, (action_message(call, action) for action in actions)), None)
        or duplicate_message(call, actions)
        or query_message(call)
    )


def request_length_message(operation: str, body: dict[str, Any]) -> str | None:
    if operation in TRANSACTIONS:
        entries = body.get("TransactItems", [])
        if len(entries) > MAX_TRANSACTION_ACTIONS:
            kind = operation.removesuffix("s")  # TransactWriteItem, TransactGetItem
            return TOO_MANY_ACTIONS.format(value=java_list(kind, entries))
    elif operation == "BatchGetItem":
        if sum(len(request.get("Keys", [])) for request in body.get("RequestItems", {}).values()) > MAX_BATCH_GET_KEYS:
            return TOO_MANY_GETS
    elif operation == "BatchWriteItem":
        requests = body.get("RequestItems", {})
        for name, entries in requests.items():
            if len(entries) > MAX_BATCH_WRITE_REQUESTS:
                return TOO_MANY_TABLE_WRITES.format(value=f"{{{name}={java_list('WriteRequest', entries)}}}")
        if sum(len(entries) for entries in requests.values()) > MAX_BATCH_WRITE_REQUESTS:
            return TOO_MANY_WRITES
    return None


def java_list(kind: str, entries: list[Any]) -> str:
    """A list as AWS's Java service prints it in validation messages: `[...TransactWriteItem@1a2b3c4d, ...]`."""
    names = (f"com.amazonaws.dynamodb.v20120810.{kind}@{zlib.crc32(json.dumps(entry).encode()):x}" for entry in entries)
    return f"[{', '.join(names)}]"


def action_message(call: Call, action: Action) -> str | None:
    table = call.table(action.table)
    if table is None:
        return None  # moto answers ResourceNotFoundException itself
    message = key_message(table, action_key(table, action))
    if message or action.item is None:
        return message
    return index_key_message(table, action.item) or (
        ITEM_TOO_LARGE if item_size(action.item) > MAX_ITEM_BYTES else None
    )


def key_message(table: Table, key: dict[str, Any]) -> str | None:
    for name in table.table_key_attrs:
        if name in key and is_empty(key[name]):
            return EMPTY_KEY.format(name=name)
    if table.hash_key_attr in key and value_size(key[table.hash_key_attr]) > MAX_HASH_KEY_BYTES:
        return HASH_KEY_TOO_LONG
    if table.range_key_attr in key and value_size(key[table.range_key_attr]) > MAX_RANGE_KEY_BYTES:
        return RANGE_KEY_TOO_LONG
    return None


def index_key_message(table: Table, item: dict[str, Any]) -> str | None:
    for index in table.all_indexes():
        for part in index.schema:
            name = part["AttributeName"]
            if name not in table.table_key_attrs and name in item and is_empty(item[name]):
                return EMPTY_INDEX_KEY.format(index=index.name, name=name)
    return None


def duplicate_message(call: Call, actions: list[Action]) -> str | None:
    if call.operation not in BATCHES | TRANSACTIONS:
        return None
    tables = {action.table: call.table(action.table) for action in actions}
    ids = [
        item_id(action.table, action_key(tables[action.table], action)) for action in actions if tables[action.table]
    ]
    if len(set(ids)) == len(ids):
        return None
    return ONE_OPERATION_PER_ITEM if call.operation in TRANSACTIONS else DUPLICATE_KEYS


def query_message(call: Call) -> str | None:
    if call.operation != "Query" or (table := call.table(call.body.get("TableName"))) is None:
        return None
    index_name = call.body.get("IndexName")
    if index_name and is_global_index(table, index_name) and call.body.get("ConsistentRead"):
        return CONSISTENT_INDEX_READ
    key_names = set(table.table_key_attrs)
    if index_name:
        key_names = {
            part["AttributeName"] for index in table.all_indexes() if index.name == index_name for part in index.schema
        }
    for name, value in key_condition_values(call.body):
        if name in key_names and is_empty(value):
            return EMPTY_KEY.format(name=name)
    return None


_NAME, _VALUE = r"(#?[\w.\-]+)", r"(:\w+)"
KEY_CONDITION_PATTERNS = (
    re.compile(rf"begins_with\s*\(\s*{_NAME}\s*,\s*{_VALUE}\s*\)", re.IGNORECASE),
    re.compile(rf"{_NAME}\s+BETWEEN\s+{_VALUE}\s+AND\s+{_VALUE}", re.IGNORECASE),
    re.compile(rf"{_NAME}\s*(?:<=|>=|=|<|>)\s*{_VALUE}"),
)


def key_condition_values(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key name, value) for each value a Query's key condition compares a key with."""
    names, values = body.get("ExpressionAttributeNames", {}), body.get("ExpressionAttributeValues", {})
    for pattern in KEY_CONDITION_PATTERNS:
        for match in pattern.finditer(body.get("KeyConditionExpression") or ""):
            name, *placeholders = match.groups()
            for placeholder in placeholders:
                yield names.get(name, name), values.get(placeholder, {})
    for name, condition in body.get("KeyConditions", {}).items():  # the legacy parameter
        for value in condition.get("AttributeValueList", []):
            yield name, value


def is_global_index(table: Table | None, index_name: str | None) -> bool:
    return bool(table and index_name and any(index.name == index_name for index in table.global_indexes))


def eventually_consistent_tables(call: Call) -> set[str]:
    """The tables this read may see as they were a moment ago."""
    body = call.body
    match call.operation:
        case "GetItem":
            return set() if body.get("ConsistentRead") else {body.get("TableName")}
        case "BatchGetItem":
            return {name for name, request in body.get("RequestItems", {}).items() if not request.get("ConsistentRead")}
        case "Query" | "Scan":
            name = body.get("TableName")
            if not body.get("ConsistentRead") or is_global_index(call.table(name), body.get("IndexName")):
                return {name}
    return set()


def without_token(body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name != "ClientRequestToken"}


# ---------------------------------------------------------------- the middleware


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
class _History:
    writes: deque[Write] = field(default_factory=deque)
    holds: dict[ItemId, float] = field(default_factory=dict)  # items "in a transaction", until when
    tokens: dict[str, RememberedTransaction] = field(default_factory=dict)  # in the order they came


CREDENTIAL_SCOPE = re.compile(r"Credential=(?P<access_key>[^/]+)/\d+/(?P<region>[^/]+)/")


def dynamodb_backend(environ: dict[str, Any]) -> Any:
    """moto's DynamoDB backend for the request's account and region, found as moto finds them."""
    match = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    access_key, region = (match["access_key"], match["region"]) if match else ("", "us-east-1")
    account = (
        os.environ.get("MOTO_ACCOUNT_ID") or environ.get("HTTP_X_MOTO_ACCOUNT_ID") or get_account_id_from(access_key)
    )
    return get_backend("dynamodb")[account][region]


def dynamodb_operation(environ: dict[str, Any]) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else None


class StrictDynamoDB:
    """WSGI middleware: moto's DynamoDB as strict as AWS (see the module's docstring).

    `config` may be replaced at any time; `faults` counts the faults injected, by kind;
    `reset()` forgets history and counts and starts the random draws again from the seed.
    `clock` (seconds) measures lag, contention and token lifetimes; tests may replace it.
    """

    def __init__(self, app: Callable, config: StrictConfig, *, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.clock = clock
        self._config = config
        self.reset()

    @property
    def config(self) -> StrictConfig:
        return self._config

    @config.setter
    def config(self, config: StrictConfig) -> None:
        if config.seed != self._config.seed:
            self._random = fault_streams(config.seed)
        self._config = config

    def configure(self, **changes: Any) -> None:
        """Change what the layer does from the next request on: `configure(lost=Fault(1.0))`."""
        self.config = replace(self.config, **changes)

    def reset(self) -> None:
        self.faults: Counter[str] = Counter()
        self._eligible: Counter[str] = Counter()  # requests each fault could have met
        self._random = fault_streams(self._config.seed)
        self._history = _History()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == FAULTS_PATH:
            answer = json_answer(dict(self.faults), headers=[("Content-Type", "application/json")])
        elif (operation := dynamodb_operation(environ)) is None:
            return self.app(environ, start_response)
        else:
            answer = self._answer(self._read(environ, operation))
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _read(self, environ: dict[str, Any], operation: str) -> Call:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}  # moto answers SerializationException; nothing here applies
        return Call(environ, operation, body if isinstance(body, dict) else {}, raw, dynamodb_backend(environ))

    def _answer(self, call: Call) -> Answer:
        """Each step either answers the request itself or lets it go on, in AWS's order."""
        now = self.clock()
        self._forget_old(now)
        answer = self._invalid(call) or self._replayed(call) or self._throttled(call) or self._conflicted(call)
        return self._lost(call, answer or self._applied(call, now))

    # -- faults

    def _fires(self, kind: str, operation: str) -> bool:
        fault: Fault = getattr(self.config, kind)
        if not fault.covers(operation) or (fault.limit is not None and self.faults[kind] >= fault.limit):
            return False
        self._eligible[kind] += 1
        return self._eligible[kind] > fault.after and self._random[kind].random() < fault.rate

    def _invalid(self, call: Call) -> Answer | None:
        message = validation_message(call)
        if message is None:
            return None
        self.faults["validation"] += 1
        return error_answer("ValidationException", message)

    def _replayed(self, call: Call) -> Answer | None:
        """AWS answers a TransactWriteItems whose token it saw succeed within ten minutes
        without applying it again, and refuses the token on any other request."""
        token = call.body.get("ClientRequestToken") if call.operation == "TransactWriteItems" else None
        remembered = self._history.tokens.get(token) if token else None
        if remembered is None:
            return None
        if remembered.request == without_token(call.body):
            self.faults["token_replay"] += 1
            return remembered.answer
        self.faults["token_mismatch"] += 1
        return error_answer("IdempotentParameterMismatchException", TOKEN_MISMATCH)

    def _throttled(self, call: Call) -> Answer | None:
        if call.operation not in DATA_PLANE or not self._fires("throttle", call.operation):
            return None
        self.faults["throttle"] += 1
        code = self._random["throttle"].choice(sorted(THROTTLING))
        return error_answer(code, THROTTLING[code])

    def _conflicted(self, call: Call) -> Answer | None:
        if call.operation not in SINGLE_WRITES | {"TransactWriteItems"}:
            return None
        ids = self._item_ids(call)
        if not ids:
            return None
        if self._fires("conflict", call.operation):
            kind, conflicting = "conflict", {self._random["conflict"].randrange(len(ids))}
        elif held := {position for position, item in enumerate(ids) if self._held(item, call)}:
            kind, conflicting = "contention", held
        else:
            return None
        self.faults[kind] += 1
        return conflict_answer(call.operation, len(ids), conflicting)

    def arrive(self, environ: dict[str, Any]) -> None:
        """Note when a request arrived, before it waits for the emulator's lock."""
        environ[ARRIVED] = self.clock()

    def _held(self, item: ItemId, call: Call) -> bool:
        """Whether a transaction held `item` when this request arrived. The emulator answers
        one request at a time; on AWS, the ones waiting would have run at the same time."""
        return self._history.holds.get(item, float("-inf")) > call.environ.get(ARRIVED, self.clock())

    def _applied(self, call: Call, now: float) -> Answer:
        """Forward to moto (maybe a part of a batch, maybe onto older items), then remember
        what changed."""
        call, unprocessed = self._partial(call)
        before = self._images_before(call)
        with self._stale_view(call):
            answer = self._forward(call)
        if not answer.ok:
            return answer
        if oversized := self._oversized_update(call, before):
            return oversized
        if unprocessed:
            answer = with_unprocessed(answer, call.operation, unprocessed)
        self._remember(call, before, answer, now)
        return answer

    def _lost(self, call: Call, answer: Answer) -> Answer:
        """A write done (or a remembered transaction answered again) whose answer the
        network loses: the client sees a 500 and resends."""
        if not answer.ok or call.operation not in WRITES or not self._fires("lost", call.operation):
            return answer
        self.faults["lost"] += 1
        return error_answer("InternalServerError", INTERNAL_ERROR, status="500 Internal Server Error")

    def _partial(self, call: Call) -> tuple[Call, dict[str, Any]]:
        """Keep a random non-empty part of a batch; the rest comes back as unprocessed."""
        if call.operation not in BATCHES:
            return call, {}
        requests = call.body.get("RequestItems", {})
        if call.operation == "BatchGetItem":
            entries = [(name, key) for name, request in requests.items() for key in request.get("Keys", [])]
        else:
            entries = [(name, entry) for name, table_entries in requests.items() for entry in table_entries]
        if len(entries) < 2 or not self._fires("partial", call.operation):
            return call, {}
        self.faults["partial"] += 1
        draws = self._random["partial"]
        kept = set(draws.sample(range(len(entries)), draws.randint(1, len(entries) - 1)))
        processed = [entry for position, entry in enumerate(entries) if position in kept]
        left = [entry for position, entry in enumerate(entries) if position not in kept]
        regroup = batch_keys if call.operation == "BatchGetItem" else batch_writes
        return call.with_body({**call.body, "RequestItems": regroup(requests, processed)}), regroup(requests, left)

    def _images_before(self, call: Call) -> list[Image]:
        """The items a write is about to change, as they are: for stale reads and for undoing
        an update that grew too large."""
        if not (self._keeps_history() or call.operation == "UpdateItem"):
            return []
        images = []
        for action in request_actions(call.operation, call.body):
            table = call.table(action.table)
            if action.writes and table is not None and complete_key(table, key := action_key(table, action)):
                images.append(Image(table, key, copy.deepcopy(stored_item(table, key))))
        return images

    def _keeps_history(self) -> bool:
        return self.config.lag_ms > 0 and self.config.stale.rate > 0

    @contextmanager
    def _stale_view(self, call: Call) -> Iterator[None]:
        """Show the read the items as they were before the writes of the last lag_ms: the oldest
        image of each item written since, put back for this one request."""
        tables = eventually_consistent_tables(call)
        oldest: dict[ItemId, Write] = {}
        for write in self._history.writes:
            if write.table in tables:
                oldest.setdefault(item_id(write.table, write.key), write)
        swapped: list[Image] = []
        if oldest and self._fires("stale", call.operation):
            self.faults["stale"] += 1
            for write in oldest.values():
                if (table := call.table(write.table)) is not None:
                    swapped.append(Image(table, write.key, stored_item(table, write.key)))
                    store_item(table, write.key, write.before)
        try:
            yield
        finally:
            for image in reversed(swapped):
                store_item(image.table, image.key, image.item)

    def _forward(self, call: Call) -> Answer:
        environ = {**call.environ, "wsgi.input": io.BytesIO(call.raw), "CONTENT_LENGTH": str(len(call.raw))}
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started.update(status=status, headers=list(headers))
            return lambda data: None

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return Answer(started["status"], started["headers"], body)

    def _oversized_update(self, call: Call, before: list[Image]) -> Answer | None:
        """AWS measures an update by the item it makes: undo one that made it too large."""
        if call.operation != "UpdateItem" or not before:
            return None
        [image] = before
        updated = stored_item(image.table, image.key)
        if updated is None or item_size(updated.to_json()["Attributes"]) <= MAX_ITEM_BYTES:
            return None
        store_item(image.table, image.key, image.item)
        self.faults["validation"] += 1
        return error_answer("ValidationException", UPDATE_TOO_LARGE)

    def _remember(self, call: Call, before: list[Image], answer: Answer, now: float) -> None:
        if self._keeps_history():
            self._history.writes.extend(Write(now, image.table.name, image.key, image.item) for image in before)
        if call.operation != "TransactWriteItems":
            return
        if self.config.contention_ms:
            until = now + self.config.contention_ms / 1000
            self._history.holds.update(dict.fromkeys(self._item_ids(call), until))
        if token := call.body.get("ClientRequestToken"):
            self._history.tokens[token] = RememberedTransaction(now, without_token(call.body), answer)

    def _item_ids(self, call: Call) -> list[ItemId]:
        ids = []
        for action in request_actions(call.operation, call.body):
            table = call.table(action.table)
            ids.append(item_id(action.table, action_key(table, action) if table else action.key or {}))
        return ids

    def _forget_old(self, now: float) -> None:
        history = self._history
        oldest_write = now - self.config.lag_ms / 1000
        while history.writes and history.writes[0].at < oldest_write:
            history.writes.popleft()
        if history.holds:  # kept a while: a request may have waited for the lock since it arrived
            history.holds = {item: until for item, until in history.holds.items() if until > now - HOLDS_KEPT}
        while history.tokens and next(iter(history.tokens.values())).at < now - TOKEN_SECONDS:
            del history.tokens[next(iter(history.tokens))]


def batch_keys(requests: dict[str, Any], entries: list[tuple[str, Any]]) -> dict[str, Any]:
    """BatchGetItem's RequestItems (and UnprocessedKeys) for these keys: each table keeps its
    ConsistentRead, projection and attribute names."""
    grouped: dict[str, Any] = {}
    for name, key in entries:
        grouped.setdefault(name, {**requests[name], "Keys": []})["Keys"].append(key)
    return grouped


def batch_writes(requests: dict[str, Any], entries: list[tuple[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, list[Any]] = {}
    for name, entry in entries:
        grouped.setdefault(name, []).append(entry)
    return grouped


def with_unprocessed(answer: Answer, operation: str, unprocessed: dict[str, Any]) -> Answer:
    """moto's answer to the processed part, with the rest where AWS puts it."""
    data = answer.json()
    if operation == "BatchGetItem":
        merged = data.get("UnprocessedKeys") or {}
        for name, request in unprocessed.items():
            merged.setdefault(name, {**request, "Keys": []})["Keys"].extend(request["Keys"])
            data.setdefault("Responses", {}).setdefault(name, [])
        data["UnprocessedKeys"] = merged
    else:
        merged = data.get("UnprocessedItems") or {}
        for name, entries in unprocessed.items():
            merged.setdefault(name, []).extend(entries)
        data["UnprocessedItems"] = merged
    return json_answer(data, answer.status, answer.headers)
