"""moto's DynamoDB transactions at the cost of their items, not of their tables.

To undo a transaction that fails, moto deep-copies every table it touches before it
starts, so each transaction costs as much as its tables hold: importing 1,000 words one
transaction each spends most of its time copying the words table, and 50,000 words never
finish. `install` makes moto keep, instead, a copy of just the items the transaction
names, and put exactly those back when it fails. What a transaction does, succeeds or
fails, is moto's own code, unchanged; only its undo copies less. The local stack and the
tests install it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from langportal.local import indexes


class _TablesKept:
    """`copy` as moto's DynamoDB backend sees it: a table is "copied" as itself (its
    named items are kept by `_transact_write_items` instead), anything else really."""

    @staticmethod
    def deepcopy(value: Any, memo: dict | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def install() -> None:
    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "keeps_items", False):
        return
    models.copy = _TablesKept()
    backend.transact_write_items = _keeping_items(backend.transact_write_items)


def _keeping_items(transact_write_items):
    @functools.wraps(transact_write_items)
    def keeping_items(self, transact_items: list[dict[str, Any]]) -> None:
        kept = [_kept(self, item) for item in transact_items]
        try:
            transact_write_items(self, transact_items)
        except (TransactionCanceledException, MultipleTransactionsException, MockValidationException):
            for table, hash_key, range_key, item in filter(None, reversed(kept)):
                _put_back(table, hash_key, range_key, item)
            raise

    keeping_items.keeps_items = True
    return keeping_items


def _kept(backend, transact_item: dict[str, Any]) -> tuple | None:
    """The item one operation of a transaction names, as it is before the transaction;
    None for an operation too malformed for moto to carry out."""
    try:
        ((operation, arguments),) = transact_item.items()
        table = backend.tables[arguments["TableName"]]
        key = arguments["Item"] if operation == "Put" else arguments["Key"]
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item) -> None:
    place, name = (table.items, hash_key) if range_key is None else (table.items[hash_key], range_key)
    if item is None:
        place.pop(name, None)
    else:
        place[name] = item
    indexes.reindex(table, hash_key, range_key)
