"""moto's DynamoDB queries at the cost of the items they match, not of their tables.

To answer a query, moto sorts every item of the table and compares each one with the key:
on a secondary index, and on the base table too. Each lookup of an import costs as much as
the words table holds, so a 50,000-row import slows as it goes and never finishes.
`install` makes moto keep, per table and per secondary index, the items under each value of
the index's hash key, kept up to date by every write, and hands a query just the items under
its key (on the base table, moto's own items by hash key). What moto does with them,
checking the key again, sorting, paging, limits, filters and projections, is its own code,
unchanged: only the items it looks at are fewer.

The index is kept beside moto's tables, not in them: a table loaded from the emulator's
state, restored from a backup or copied, has none until its first query builds it. Code that
writes moto's items behind its methods (an undone transaction, the strict mode's stale
reads) calls `reindex`. The local stack and the tests install it.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import weakref
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import SecondaryIndex, Table

PrimaryKey = tuple[DynamoType, DynamoType | None]


class _KeyIndex:
    """One secondary index's items, grouped by the values of its hash key attributes."""

    def __init__(self, table: Table, hash_attrs: tuple[str, ...]):
        self.hash_attrs = hash_attrs
        self.items: dict[tuple[DynamoType, ...], dict[PrimaryKey, Item]] = {}
        self.value_of: dict[PrimaryKey, tuple[DynamoType, ...]] = {}
        for item in _stored_items(table):
            self.add(item)

    def add(self, item: Item) -> None:
        value = tuple(item.attrs.get(name) for name in self.hash_attrs)
        if any(part is None for part in value):
            return  # a sparse index: DynamoDB leaves out an item without the index's key
        try:
            group = self.items.setdefault(value, {})
        except TypeError:
            return  # a list or map where the key should be: no query's key can equal it
        group[_primary_key(item)] = item
        self.value_of[_primary_key(item)] = value

    def remove(self, key: PrimaryKey) -> None:
        value = self.value_of.pop(key, None)
        if value is not None:
            group = self.items[value]
            del group[key]
            if not group:
                del self.items[value]

    def matching(self, value: tuple[DynamoType, ...]) -> list[Item]:
        return list(self.items.get(value, {}).values())


# Beside the tables, not in them, so that pickled state and moto's copies never carry one.
_indexes: weakref.WeakKeyDictionary[Table, dict[tuple[str, tuple[str, ...]], _KeyIndex]] = weakref.WeakKeyDictionary()
_chosen: contextvars.ContextVar[tuple[Table, list[Item]] | None] = contextvars.ContextVar("chosen", default=None)


def install() -> None:
    if getattr(Table.query, "reads_its_key", False):
        return
    Table.query = _reading_its_key(Table.query)
    Table.all_items = _chosen_if_any(Table.all_items)
    Table.put_item = _reindexing_returned(Table.put_item)
    Table.delete_item = _reindexing_deleted(Table.delete_item)
    models.DynamoDBBackend.update_item = _reindexing_updated(models.DynamoDBBackend.update_item)


def reindex(table: Table, hash_value: DynamoType, range_value: DynamoType | None) -> None:
    """Put the item now stored at this key (or none) where its index keys say."""
    indexes = _indexes.get(table)
    if not indexes:
        return
    key = (hash_value, range_value)
    item = table.get_item(hash_value, range_value)
    for index in indexes.values():
        index.remove(key)
        if item is not None:
            index.add(item)


def _reading_its_key(query):
    signature = inspect.signature(query)

    @functools.wraps(query)
    def reading_its_key(self: Table, *args: Any, **kwargs: Any):
        arguments = signature.bind(self, *args, **kwargs).arguments
        candidates = _candidates(self, arguments)
        if candidates is None:
            return query(self, *args, **kwargs)
        chosen = _chosen.set((self, candidates))
        try:
            return query(self, *args, **kwargs)
        finally:
            _chosen.reset(chosen)

    reading_its_key.reads_its_key = True
    return reading_its_key


def _candidates(table: Table, arguments: dict[str, Any]) -> list[Item] | None:
    """The items that may match the query's key; None where moto must look at every item
    (a query it will refuse, or one without a value for each hash key attribute)."""
    index_name = arguments.get("index_name")
    if not index_name:
        hash_key = arguments.get("hash_key")
        if hash_key is None:
            return None
        stored = table.items.get(hash_key)  # .get: moto's items are a defaultdict
        if stored is None:
            return []
        return list(stored.values()) if table.range_key_attr else [stored]
    index = next((index for index in table.all_indexes() if index.name == index_name), None)
    if index is None:
        return None
    hash_attrs = _hash_attrs(index)
    conditions = dict(arguments.get("hash_key_conditions") or [])
    if set(conditions) != set(hash_attrs):
        return None
    try:
        return _key_index(table, index).matching(tuple(conditions[name] for name in hash_attrs))
    except TypeError:
        return None  # a key of a type that cannot be hashed: moto compares it item by item


def _key_index(table: Table, index: SecondaryIndex) -> _KeyIndex:
    """The index's items by hash key, built on first use."""
    hash_attrs = _hash_attrs(index)
    indexes = _indexes.setdefault(table, {})
    name = (index.name, hash_attrs)  # with its schema: an index deleted and made again anew
    if name not in indexes:
        indexes[name] = _KeyIndex(table, hash_attrs)
    return indexes[name]


def _hash_attrs(index: SecondaryIndex) -> tuple[str, ...]:
    return tuple(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")


def _chosen_if_any(all_items):
    @functools.wraps(all_items)
    def chosen_if_any(self: Table) -> list[Item]:
        chosen = _chosen.get()
        if chosen is None or chosen[0] is not self:
            return all_items(self)
        return chosen[1]  # in any order: moto sorts them by their whole key, which is unique

    return chosen_if_any


def _reindexing_returned(put_item):
    @functools.wraps(put_item)
    def reindexing_returned(self: Table, *args: Any, **kwargs: Any) -> Item:
        item = put_item(self, *args, **kwargs)
        reindex(self, item.hash_key, item.range_key)
        return item

    return reindexing_returned


def _reindexing_deleted(delete_item):
    @functools.wraps(delete_item)
    def reindexing_deleted(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
        item = delete_item(self, hash_key, range_key)
        reindex(self, hash_key, range_key)
        return item

    return reindexing_deleted


def _reindexing_updated(update_item):
    """moto updates an item in place, attribute by attribute; even an update that fails
    part-way may have changed it."""

    @functools.wraps(update_item)
    def reindexing_updated(self, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
        try:
            return update_item(self, table_name, key, *args, **kwargs)
        finally:
            _reindex_named(self, table_name, key)

    return reindexing_updated


def _reindex_named(backend, table_name: str, key: dict[str, Any]) -> None:
    table = backend.tables.get(table_name)
    if table is None or table not in _indexes:
        return
    try:
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, ValueError):
        return  # a key moto refused: it changed nothing
    reindex(table, hash_value, range_value)


def _primary_key(item: Item) -> PrimaryKey:
    return item.hash_key, item.range_key


def _stored_items(table: Table) -> list[Item]:
    stored = table.items.values()
    return [item for group in stored for item in group.values()] if table.range_key_attr else list(stored)
