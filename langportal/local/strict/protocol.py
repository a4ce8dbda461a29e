"""DynamoDB's wire protocol as strict mode needs it: its limits and messages, word for word,
its answers, and the actions and items a request names."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from langportal.local import indexes

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
    indexes.reindex(table, hash_value, DynamoType(key[table.range_key_attr]) if table.range_key_attr else None)
