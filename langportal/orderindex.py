"""Ordered indexes: page-numbered listings over DynamoDB without scans.

An index keeps the ids of a set of items (all words, the words of one group, all
groups) sorted by one key. Its root item lists the leaves in order with the number of
entries each holds; a leaf item holds up to LEAF_CAPACITY sorted entries. Reading the
positions [start, stop) costs the root plus the leaves holding them, wherever they are,
so any page of any size of index reads a bounded number of items.

A write changes the leaves it touches and the root inside the caller's transaction,
guarded by the root's version: two writers racing on one index cannot both commit, and
the loser retries on fresh data (`commit_with_retry`). Bulk loads rebuild an index
copy-on-write: new leaves first, then one conditional swap of the root.

See docs/data-model.md for the costs and limits.
"""

from __future__ import annotations

import bisect
import logging
import math
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from langportal.dynamo import Transaction, TransactionConflict, dynamodb_errors, retries
from langportal.errors import Conflict, Unavailable
from langportal.models import OrderNodeModel

logger = logging.getLogger(__name__)

KEY_SEPARATOR = "\x1f"  # between an entry's sort key and its id
ENTRY_SEPARATOR = "\x1e"  # between the entries of a leaf, and the pointers of a root
FIELD_SEPARATOR = "\x1d"  # between the fields of a pointer
LEAF_CAPACITY = 400  # a leaf that grows past this splits in two
BUILD_FILL = 300  # entries per leaf when an index is built in bulk, leaving room to grow
ID_DIGITS = 12
ROOT = "root"


def entry(key: str, item_id: str) -> str:
    """One index entry; entries compare by key, then numerically by id."""
    return f"{key}{KEY_SEPARATOR}{int(item_id):0{ID_DIGITS}d}"


def entry_id(value: str) -> str:
    return str(int(value.rsplit(KEY_SEPARATOR, 1)[1]))


def sort_key(text: str) -> str:
    """A key that sorts as people expect and cannot contain our separators."""
    return "".join(char for char in text.casefold() if char >= " ")


def leaf_node(leaf_id: str) -> str:
    return f"leaf#{leaf_id}"


def new_leaf_id() -> str:
    return secrets.token_hex(6)


@dataclass(frozen=True)
class Pointer:
    leaf_id: str
    count: int
    first: str


@dataclass
class Root:
    name: str
    version: int = 0  # 0: never written
    leaves: list[Pointer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(pointer.count for pointer in self.leaves)

    def locate(self, value: str) -> int:
        """Position of the leaf that holds (or would hold) `value`."""
        firsts = [pointer.first for pointer in self.leaves]
        return max(bisect.bisect_right(firsts, value) - 1, 0)

    def spans(self, start: int, stop: int) -> list[tuple[str, int, int]]:
        """(leaf id, from, to) slices covering the positions [start, stop)."""
        found, offset = [], 0
        for pointer in self.leaves:
            if offset >= stop:
                break
            low, high = max(start - offset, 0), min(stop - offset, pointer.count)
            if low < high:
                found.append((pointer.leaf_id, low, high))
            offset += pointer.count
        return found


@dataclass
class Change:
    """Entries to add to and remove from one index."""

    inserts: set[str] = field(default_factory=set)
    removes: set[str] = field(default_factory=set)

    def touched(self) -> set[str]:
        return self.inserts | self.removes


@dataclass
class Applied:
    root: Root
    written: dict[str, list[str]]
    deleted: set[str]


def leaves_needed(root: Root, change: Change) -> set[str]:
    if not root.leaves:
        return set()
    return {root.leaves[root.locate(value)].leaf_id for value in change.touched()}


def apply_change(root: Root, leaves: dict[str, list[str]], change: Change) -> Applied:
    """The index after `change`: which leaves to write, which to delete, the new root.

    Removals go first so that an entry moving to a new key is one remove plus one insert.
    """
    contents = {leaf_id: list(entries) for leaf_id, entries in leaves.items()}
    pointers = list(root.leaves)
    for value in change.removes:
        if pointers:
            entries = contents[pointers[root.locate(value)].leaf_id]
            position = bisect.bisect_left(entries, value)
            if position < len(entries) and entries[position] == value:
                del entries[position]
    for value in sorted(change.inserts):
        if not pointers:
            leaf_id = new_leaf_id()
            contents[leaf_id] = []
            pointers = [Pointer(leaf_id, 0, value)]
            root = Root(root.name, root.version, pointers)
        entries = contents[pointers[root.locate(value)].leaf_id]
        position = bisect.bisect_left(entries, value)
        if position == len(entries) or entries[position] != value:
            entries.insert(position, value)
    return _repoint(root, pointers, contents)


def _repoint(root: Root, pointers: list[Pointer], contents: dict[str, list[str]]) -> Applied:
    """Split full leaves, drop empty ones and refresh the counts of touched ones."""
    new_pointers: list[Pointer] = []
    written: dict[str, list[str]] = {}
    deleted: set[str] = set()
    for pointer in pointers:
        if pointer.leaf_id not in contents:
            new_pointers.append(pointer)
            continue
        entries = contents[pointer.leaf_id]
        if not entries:
            deleted.add(pointer.leaf_id)
            continue
        parts = math.ceil(len(entries) / LEAF_CAPACITY)  # a full leaf splits into even halves
        size = math.ceil(len(entries) / parts)
        for index, start in enumerate(range(0, len(entries), size)):
            chunk = entries[start : start + size]
            leaf_id = pointer.leaf_id if index == 0 else new_leaf_id()
            written[leaf_id] = chunk
            new_pointers.append(Pointer(leaf_id, len(chunk), chunk[0]))
    return Applied(Root(root.name, root.version, new_pointers), written, deleted)


# --- DynamoDB --------------------------------------------------------------------


def _root_from_item(name: str, item: OrderNodeModel | None) -> Root:
    if item is None:
        return Root(name)
    fields = (packed.split(FIELD_SEPARATOR) for packed in _unpack(item.pointers))
    leaves = [Pointer(leaf_id, int(count), first) for leaf_id, count, first in fields]
    return Root(name, int(item.version or 0), leaves)


def _root_item(root: Root) -> OrderNodeModel:
    packed = [FIELD_SEPARATOR.join((p.leaf_id, str(p.count), p.first)) for p in root.leaves]
    return OrderNodeModel(root.name, ROOT, version=root.version + 1, pointers=ENTRY_SEPARATOR.join(packed))


def _unpack(value: str | None) -> list[str]:
    return value.split(ENTRY_SEPARATOR) if value else []


def _leaf_item(name: str, leaf_id: str, entries: list[str]) -> OrderNodeModel:
    return OrderNodeModel(name, leaf_node(leaf_id), entries=ENTRY_SEPARATOR.join(entries))


def read_roots(names: Iterable[str], *, consistent: bool = False) -> dict[str, Root]:
    names = list(dict.fromkeys(names))
    with dynamodb_errors():
        items = {
            item.index: item
            for item in OrderNodeModel.batch_get([(name, ROOT) for name in names], consistent_read=consistent)
        }
    return {name: _root_from_item(name, items.get(name)) for name in names}


def read_leaves(keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> dict[tuple[str, str], list[str]]:
    """Entries of the leaves named by (index, leaf id); a missing leaf is left out."""
    wanted = [(name, leaf_node(leaf_id)) for name, leaf_id in dict.fromkeys(keys)]
    if not wanted:
        return {}
    with dynamodb_errors():
        items = list(OrderNodeModel.batch_get(wanted, consistent_read=consistent))
    return {(item.index, item.node.removeprefix("leaf#")): _unpack(item.entries) for item in items}


@dataclass(frozen=True)
class Slice:
    ids: list[str]
    total: int


def read_slice(name: str, *, offset: int, limit: int, descending: bool = False, consistent: bool = False) -> Slice:
    """The ids at positions [offset, offset + limit) in ascending or descending order."""
    for strongly in dict.fromkeys((consistent, True)):
        root = read_roots([name], consistent=strongly)[name]
        total = root.total
        start = total - offset - limit if descending else offset
        stop = start + limit
        spans = root.spans(max(start, 0), max(stop, 0))
        leaves = read_leaves([(name, leaf_id) for leaf_id, _, _ in spans], consistent=strongly)
        if all((name, leaf_id) in leaves for leaf_id, _, _ in spans):
            entries = [value for leaf_id, low, high in spans for value in leaves[(name, leaf_id)][low:high]]
            ids = [entry_id(value) for value in entries]
            return Slice(ids[::-1] if descending else ids, total)
        # A concurrent bulk rebuild swapped the leaves under us: read again, consistently.
    raise Unavailable("The index is being rebuilt. Please retry shortly.")


def seek(name: str, prefix: str, *, limit: int) -> list[str]:
    """Ids of the first `limit` entries whose key starts with `prefix`, in order.

    Reads the root, then leaves from the one where the prefix would stand until the
    prefix no longer matches: a bounded read wherever it falls in the index.
    """
    root = read_roots([name])[name]
    if not root.leaves:
        return []
    found: list[str] = []
    for pointer in root.leaves[root.locate(prefix) :]:
        entries = read_leaves([(name, pointer.leaf_id)]).get((name, pointer.leaf_id), [])
        for value in entries:
            key = value.rsplit(KEY_SEPARATOR, 1)[0]
            if key < prefix:
                continue
            if not key.startswith(prefix) or len(found) >= limit:
                return found
            found.append(entry_id(value))
    return found


def read_total(name: str) -> int:
    return read_roots([name])[name].total


def stage(transaction: Transaction, changes: dict[str, Change]) -> None:
    """Add the writes that apply `changes` to `transaction`, each root guarded by its version."""
    changes = {name: change for name, change in changes.items() if change.touched()}
    roots = read_roots(changes, consistent=True)
    leaves = read_leaves(
        [(name, leaf_id) for name, change in changes.items() for leaf_id in leaves_needed(roots[name], change)],
        consistent=True,
    )
    for name, change in changes.items():
        root = roots[name]
        mine = {leaf_id: entries for (index, leaf_id), entries in leaves.items() if index == name}
        if len(mine) < len(leaves_needed(root, change)):
            raise TransactionConflict({f"root:{name}"})  # a leaf vanished: the root moved on
        applied = apply_change(root, mine, change)
        for leaf_id in applied.deleted:
            transaction.delete(OrderNodeModel(name, leaf_node(leaf_id)), label=f"leaf:{name}")
        for leaf_id, entries in applied.written.items():
            transaction.put(_leaf_item(name, leaf_id, entries), label=f"leaf:{name}")
        transaction.put(_root_item(applied.root), condition=_unchanged(root), label=f"root:{name}")


def _unchanged(root: Root):
    if root.version == 0:
        return OrderNodeModel.index.does_not_exist()
    return OrderNodeModel.version == root.version


def _only_index_contention(conflict: TransactionConflict) -> bool:
    return conflict.contended or all(label.startswith("root:") for label in conflict.failed)


def commit_with_retry(build: Callable[[Transaction], None]) -> None:
    """Build a transaction from fresh reads and commit it, again when an index moved.

    `build` reads what it needs and stages writes; when the transaction fails only
    because another writer changed one of our indexes first, it is built again.
    Failed conditions of the caller's own items propagate as TransactionConflict.
    """
    for attempt in retries():
        transaction = Transaction()
        try:
            build(transaction)
            transaction.commit()
            return
        except TransactionConflict as conflict:
            if not _only_index_contention(conflict):
                raise
            logger.info("Index contention on %s, attempt %d", sorted(conflict.failed), attempt + 1)
    raise Unavailable("Too many concurrent changes. Please retry shortly.")


def rebuild(name: str, change: Change) -> None:
    """Apply a large change to one index: write new leaves, swap the root, drop the old.

    For bulk loads, where one transaction could not hold every leaf. Readers see the
    old index until the root swaps, then the new one.
    """
    for _ in retries():
        root = read_roots([name], consistent=True)[name]
        old = read_leaves([(name, pointer.leaf_id) for pointer in root.leaves], consistent=True)
        current = [value for pointer in root.leaves for value in old.get((name, pointer.leaf_id), [])]
        values = sorted((set(current) - change.removes) | change.inserts)
        chunks = [values[start : start + BUILD_FILL] for start in range(0, len(values), BUILD_FILL)]
        new = {new_leaf_id(): chunk for chunk in chunks}
        with dynamodb_errors(), OrderNodeModel.batch_write() as batch:
            for leaf_id, entries in new.items():
                batch.save(_leaf_item(name, leaf_id, entries))
        pointers = [Pointer(leaf_id, len(entries), entries[0]) for leaf_id, entries in new.items()]
        try:
            with dynamodb_errors():
                _root_item(Root(name, root.version, pointers)).save(condition=_unchanged(root))
        except Conflict:
            _delete_leaves(name, new)
            continue
        _delete_leaves(name, {pointer.leaf_id for pointer in root.leaves})
        return
    raise Unavailable("Too many concurrent changes. Please retry shortly.")


def _delete_leaves(name: str, leaf_ids: Iterable[str]) -> None:
    with dynamodb_errors(), OrderNodeModel.batch_write() as batch:
        for leaf_id in leaf_ids:
            batch.delete(OrderNodeModel(name, leaf_node(leaf_id)))
