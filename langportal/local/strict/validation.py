"""What AWS refuses that moto lets through: item and key sizes, request lengths, empty
keys, duplicate keys, consistent reads on global indexes."""

from __future__ import annotations

import json
import re
import zlib
from base64 import b64decode
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.dynamodb.models.table import Table

from langportal.local.strict.protocol import (
    BATCHES,
    CONSISTENT_INDEX_READ,
    DUPLICATE_KEYS,
    EMPTY_INDEX_KEY,
    EMPTY_KEY,
    HASH_KEY_TOO_LONG,
    ITEM_TOO_LARGE,
    MAX_BATCH_GET_KEYS,
    MAX_BATCH_WRITE_REQUESTS,
    MAX_HASH_KEY_BYTES,
    MAX_ITEM_BYTES,
    MAX_RANGE_KEY_BYTES,
    MAX_TRANSACTION_ACTIONS,
    ONE_OPERATION_PER_ITEM,
    RANGE_KEY_TOO_LONG,
    TOO_MANY_ACTIONS,
    TOO_MANY_GETS,
    TOO_MANY_TABLE_WRITES,
    TOO_MANY_WRITES,
    TRANSACTIONS,
    Action,
    Call,
    action_key,
    item_id,
    request_actions,
)

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
