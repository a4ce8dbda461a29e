"""Ordered indexes: page-numbered listings over DynamoDB without scans.

An index keeps the ids of a set of items (all words, the words of one group, all
groups) sorted by one key, as a counted B+ tree of DynamoDB items (the tree itself is
langportal/storage/ordertree.py). Every node knows how many entries lie under each of
its children, so reading the positions [start, stop) descends from the root to the
leaves that hold them: a bounded number of items at any size of index.

A write changes the nodes on the paths to the entries it touches, and the root, in the
caller's transaction, the root guarded by its version: of two writers racing on one
index only one commits, the other gets IndexMoved (Contended) and retries on fresh
reads. Bulk loads rebuild an index copy-on-write: new nodes first, then one conditional
swap of the root, then the old nodes go.

Callers name an index and use the functions in __all__; nodes, roots and versions stay
in here. See docs/data-model.md for the costs and limits.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from langportal.errors import Contended, Unavailable
from langportal.storage.dynamo import TRANSACTION_ACTIONS, Transaction, batch_get, batch_write, dynamodb_errors
from langportal.storage.models import OrderNodeModel
from langportal.storage.ordertree import (
    ENTRY_SEPARATOR,
    FIELD_SEPARATOR,
    ROOT,
    Budget,
    Change,
    Edit,
    Loaded,
    Node,
    Pointer,
    build,
)
from langportal.storage.retry import retrying

__all__ = [
    "Change",
    "IndexMoved",
    "Slice",
    "Snapshot",
    "entry",
    "read_slice",
    "read_total",
    "rebuild",
    "seek",
    "snapshot",
    "sort_key",
    "stage",
    "stage_drop",
    "stage_unchanged",
]

KEY_SEPARATOR = "\x1f"  # between an entry's sort key and its id
ORPHAN_SECONDS = 3600  # nodes no root reaches, older than this, are left over from a failed rebuild
ID_DIGITS = 12


class IndexMoved(Contended):
    """Another writer changed the index since we read it: read again and retry."""


def entry(key: str, item_id: str) -> str:
    """One index entry; entries compare by key, then numerically by id."""
    return f"{key}{KEY_SEPARATOR}{int(item_id):0{ID_DIGITS}d}"


def entry_id(value: str) -> str:
    return str(int(value.rsplit(KEY_SEPARATOR, 1)[1]))


def entry_key(value: str) -> str:
    return value.rsplit(KEY_SEPARATOR, 1)[0]


def sort_key(text: str) -> str:
    """A key that sorts as people expect and cannot contain our separators."""
    return "".join(char for char in text.casefold() if char >= " ")


# --- DynamoDB ------------------------------------------------------------------------


def _node_from_item(item: OrderNodeModel) -> Node:
    # Roots written before indexes had levels point to leaves: level 1.
    level = int(item.level) if item.level is not None else (0 if item.node.startswith("leaf#") else 1)
    version = int(item.version or 0)
    if level == 0:
        return Node(item.node, 0, entries=_unpack(item.entries), version=version)
    fields = (packed.split(FIELD_SEPARATOR) for packed in _unpack(item.pointers))
    pointers = [Pointer(node_id, int(count), first) for node_id, count, first in fields]
    return Node(item.node, level, pointers=pointers, version=version)


def _unpack(value: str | None) -> list[str]:
    return value.split(ENTRY_SEPARATOR) if value else []


def _item(name: str, node: Node) -> OrderNodeModel:
    item = OrderNodeModel(name, node.key, level=node.level)
    if node.level == 0:
        item.entries = node.packed()
    else:
        item.pointers = node.packed()
    if node.key == ROOT:
        item.version = node.version + 1
    else:
        item.created_at = int(time.time())
    return item


Reader = Callable[[Iterable[tuple[str, str]]], dict[tuple[str, str], Node]]


def _read(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Node]:
    """Nodes by (index, node); missing ones are left out. Consistent: see docs/data-model.md."""
    return {(item.index, item.node): _node_from_item(item) for item in batch_get(OrderNodeModel, keys)}


def read_roots(names: Iterable[str], *, read: Reader = _read) -> dict[str, Node]:
    """The roots of these indexes (an empty root for an index never written). Nodes stay
    inside the storage layer: callers outside it read a Snapshot."""
    names = list(dict.fromkeys(names))
    found = read((name, ROOT) for name in names)
    return {name: found.get((name, ROOT)) or Node(ROOT) for name in names}


def load(changes: dict[str, Change], *, read: Reader = _read) -> dict[str, Loaded]:
    """The roots of the changed indexes and the nodes down to every touched entry: one
    batch read per level, for all the indexes together."""
    roots = read_roots(changes, read=read)
    loaded = {name: Loaded(roots[name]) for name in changes}
    frontier = [(name, roots[name], sorted(change.touched())) for name, change in changes.items()]
    while frontier:
        wanted: dict[tuple[str, str], tuple[str, list[str]]] = {}
        for name, node, values in frontier:
            if node.level == 0:
                continue
            routed: dict[int, list[str]] = defaultdict(list)
            for value in values:
                routed[node.locate(value)].append(value)
            for position, routed_values in routed.items():
                wanted[(name, node.child_key(node.pointers[position]))] = (node.key, routed_values)
        found = read(wanted)
        if len(found) < len(wanted):
            raise IndexMoved()  # a node vanished: a writer changed the index after we read its root
        frontier = []
        for (name, key), (parent, values) in wanted.items():
            loaded[name].nodes[key] = found[(name, key)]
            loaded[name].parents[key] = parent
            frontier.append((name, found[(name, key)], values))
    return loaded


def _unchanged(version: int):
    if version == 0:
        return OrderNodeModel.index.does_not_exist()
    return OrderNodeModel.version == version


def stage(transaction: Transaction, changes: dict[str, Change]) -> None:
    """Add the writes that apply `changes` to `transaction`, each root guarded by its version.

    Stage index changes after the caller's own actions: full nodes split only when the
    transaction has room for it (DynamoDB takes 100 actions at most).
    """
    changes = {name: change for name, change in changes.items() if change.touched()}
    if not changes:
        return
    loaded = load(changes)
    edits = {name: Edit(loaded[name], change) for name, change in changes.items()}
    budget = Budget(TRANSACTION_ACTIONS - len(transaction) - sum(edit.minimal_actions for edit in edits.values()))
    for name, edit in edits.items():
        written = edit.finish(budget)
        for key in written.deletes:
            transaction.delete(OrderNodeModel(name, key))
        for node in written.puts:
            transaction.put(_item(name, node))
        transaction.put(_item(name, written.root), condition=_unchanged(loaded[name].root.version), failure=IndexMoved)


@dataclass(frozen=True)
class Snapshot:
    """One index as read at one moment: how many entries it held, and the version a
    transaction can require it still to have (stage_unchanged)."""

    name: str
    count: int
    version: int


def snapshot(name: str) -> Snapshot:
    root = read_roots([name])[name]
    return Snapshot(name, root.count, root.version)


def stage_unchanged(transaction: Transaction, snapshots: Iterable[Snapshot]) -> None:
    """Make `transaction` depend on these indexes being as read: IndexMoved otherwise."""
    for read in snapshots:
        transaction.check(OrderNodeModel, read.name, ROOT, condition=_unchanged(read.version), failure=IndexMoved)


def stage_drop(transaction: Transaction, names: Iterable[str]) -> None:
    """Delete empty indexes (a deleted group's) in `transaction`; IndexMoved if one is not."""
    for name, root in read_roots(names).items():
        if root.count:
            raise IndexMoved()
        if root.version:
            transaction.delete(OrderNodeModel(name, ROOT), condition=_unchanged(root.version), failure=IndexMoved)


@dataclass(frozen=True)
class Slice:
    ids: list[str]
    total: int


class _Reader:
    """Reads the nodes of one index, each at most once per operation."""

    def __init__(self, name: str):
        self.name = name
        self.root = read_roots([name])[name]
        self._nodes: dict[str, Node] = {}

    def follow(self, links: list[tuple[Node, Pointer]]) -> list[Node]:
        """The nodes these (parent, pointer) links lead to, read in one batch; IndexMoved
        when one is gone or changed since its parent was read (a writer came between)."""
        keys = [parent.child_key(pointer) for parent, pointer in links]
        missing = [key for key in keys if key not in self._nodes]
        if missing:
            self._nodes.update({key: node for (_, key), node in _read((self.name, key) for key in missing).items()})
        children = [self._nodes.get(key) for key in keys]
        expected = [pointer.count for _, pointer in links]
        if any(child is None or child.count != count for child, count in zip(children, expected, strict=True)):
            raise IndexMoved()
        return children

    def entries(self, start: int, stop: int) -> list[str]:
        """The entries at positions [start, stop): one batch read per level."""
        spans = [(self.root, max(start, 0), max(min(stop, self.root.count), 0))]
        while spans and spans[0][0].level > 0:
            below = [(node, pointer, low, high) for node, s, e in spans for pointer, low, high in node.spans(s, e)]
            children = self.follow([(node, pointer) for node, pointer, _, _ in below])
            spans = [(child, low, high) for child, (_, _, low, high) in zip(children, below, strict=True)]
        return [value for node, low, high in spans for value in node.entries[low:high]]

    def rank(self, value: str) -> int:
        """How many entries sort before `value`."""
        node, rank = self.root, 0
        while node.level > 0:
            position = node.locate(value)
            rank += sum(pointer.count for pointer in node.pointers[:position])
            (node,) = self.follow([(node, node.pointers[position])])
        return rank + bisect.bisect_left(node.entries, value)


def read_slice(name: str, *, offset: int, limit: int, descending: bool = False) -> Slice:
    """The ids at positions [offset, offset + limit) in ascending or descending order."""

    def read() -> Slice:
        reader = _Reader(name)
        total = reader.root.count
        start = total - offset - limit if descending else offset
        ids = [entry_id(value) for value in reader.entries(start, start + limit)]
        return Slice(ids[::-1] if descending else ids, total)

    return retrying(read)


def seek(name: str, prefix: str, *, limit: int) -> list[str]:
    """Ids of the first `limit` entries whose key starts with `prefix`, in order: the
    prefix's rank, then a slice from there (a bounded read wherever it falls)."""

    def read() -> list[str]:
        reader = _Reader(name)
        start = reader.rank(prefix)
        matching = []
        for value in reader.entries(start, start + limit):
            if not entry_key(value).startswith(prefix):
                break
            matching.append(entry_id(value))
        return matching

    return retrying(read)


def read_total(name: str) -> int:
    return snapshot(name).count


def _reachable(root: Node, nodes: dict[str, Node]) -> tuple[list[str], set[str]]:
    """The entries under `root`, in order, and the keys of the nodes it reaches."""
    entries, reached, level = [], set(), [root]
    while level:
        below = []
        for node in level:
            if node.level == 0:
                entries += node.entries
                continue
            for pointer in node.pointers:
                key = node.child_key(pointer)
                if key not in nodes:
                    raise IndexMoved()
                reached.add(key)
                below.append(nodes[key])
        level = below
    return entries, reached


def rebuild(name: str, change: Change) -> None:
    """Apply a large change to one index: write new nodes, swap the root, drop the old.

    For bulk loads, where one transaction could not hold every node. Readers see the
    old index until the root swaps, then the new one. Nodes that a failed earlier
    rebuild left behind go too, so running it again after a failure also cleans up.
    """

    def attempt() -> None:
        with dynamodb_errors():
            stored = list(OrderNodeModel.query(name, consistent_read=True))
        nodes = {item.node: _node_from_item(item) for item in stored if item.node != ROOT}
        old = next((_node_from_item(item) for item in stored if item.node == ROOT), Node(ROOT))
        current, reached = _reachable(old, nodes)
        new, written = build(sorted((set(current) - change.removes) | change.inserts))
        new.version = old.version
        batch_write(OrderNodeModel, puts=[_item(name, node) for node in written])
        _swap_root(name, old, new, written)
        cutoff = time.time() - ORPHAN_SECONDS
        orphans = {item.node for item in stored if item.node in nodes and (item.created_at or 0) < cutoff}
        batch_write(OrderNodeModel, deletes=[(name, key) for key in reached | orphans])

    retrying(attempt)


def _swap_root(name: str, old: Node, new: Node, written: list[Node]) -> None:
    """Put `new` in place of `old`, or take the new nodes away again."""
    transaction = Transaction()
    transaction.put(_item(name, new), condition=_unchanged(old.version), failure=IndexMoved)
    try:
        transaction.commit()
    except Contended:
        batch_write(OrderNodeModel, deletes=[(name, node.key) for node in written])
        raise
    except Unavailable:
        # The answer was lost, not necessarily the write: look before taking anything away.
        if read_roots([name])[name] != replace(new, version=new.version + 1):
            batch_write(OrderNodeModel, deletes=[(name, node.key) for node in written])
            raise
