"""Ordered indexes: page-numbered listings over DynamoDB without scans.

An index keeps the ids of a set of items (all words, the words of one group, all
groups) sorted by one key, as a counted B+ tree of DynamoDB items. Every node knows how
many entries lie under each of its children, so reading the positions [start, stop)
descends from the root to the leaves that hold them: a bounded number of items at any
size of index.

- The root (node "root") carries the index's version. A small index is its root alone,
  holding the entries; a larger one has a root of pointers to leaves ("leaf#<id>"); a
  larger one still, pointers to branches ("branch#<id>") that point to leaves, and so on.
- A node holds at most NODE_ENTRIES entries (or NODE_POINTERS pointers) in at most
  NODE_BYTES bytes; a fuller node splits, and a full root moves its content one level
  down, so no item nears DynamoDB's 400 KB, however large the index grows.
- A write changes the nodes on the paths to the entries it touches, and the root, in
  the caller's transaction, the root guarded by its version: of two writers racing on
  one index only one commits, the other gets IndexMoved (Contended) and retries on fresh
  reads. Bulk loads rebuild an index copy-on-write: new nodes first, then one conditional
  swap of the root, then the old nodes go.

The tree logic (Node, Edit, build) is pure; the functions after it read and write
DynamoDB. See docs/data-model.md for the costs and limits.
"""

from __future__ import annotations

import bisect
import math
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from langportal.dynamo import TRANSACTION_ACTIONS, Transaction, batch_get, batch_write, dynamodb_errors
from langportal.errors import Contended, Unavailable
from langportal.models import OrderNodeModel
from langportal.retry import retrying

KEY_SEPARATOR = "\x1f"  # between an entry's sort key and its id
ENTRY_SEPARATOR = "\x1e"  # between the entries of a leaf, and the pointers of a branch
FIELD_SEPARATOR = "\x1d"  # between the fields of a pointer
NODE_ENTRIES = 400  # a leaf holding more splits
NODE_POINTERS = 1000  # a branch holding more splits
NODE_BYTES = 32 * 1024  # a node packed larger splits: reads stay cheap (8 read units at most)
NODE_BYTES_LIMIT = 256 * 1024  # a node larger must split now, whatever else its transaction holds
BUILD_FILL = 0.75  # bulk builds fill nodes to this share, leaving room to grow
ORPHAN_SECONDS = 3600  # nodes no root reaches, older than this, are left over from a failed rebuild
ID_DIGITS = 12
ROOT = "root"


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


@dataclass(frozen=True)
class Change:
    """Entries to add to and remove from one index."""

    inserts: frozenset[str] = frozenset()
    removes: frozenset[str] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "inserts", frozenset(self.inserts))
        object.__setattr__(self, "removes", frozenset(self.removes))

    def touched(self) -> set[str]:
        return set(self.inserts | self.removes)


# --- the tree, in memory -----------------------------------------------------------


@dataclass(frozen=True)
class Pointer:
    node_id: str
    count: int
    first: str

    def packed(self) -> str:
        return FIELD_SEPARATOR.join((self.node_id, str(self.count), self.first))


@dataclass
class Node:
    """A root, branch or leaf: level 0 holds entries, level n > 0 points to level n - 1."""

    key: str  # "root", "leaf#<id>" or "branch#<id>"
    level: int = 0
    entries: list[str] = field(default_factory=list)
    pointers: list[Pointer] = field(default_factory=list)
    version: int = 0  # the root's; 0: never written

    @property
    def count(self) -> int:
        return len(self.entries) if self.level == 0 else sum(pointer.count for pointer in self.pointers)

    @property
    def first(self) -> str:
        return self.entries[0] if self.level == 0 else self.pointers[0].first

    @property
    def parts(self) -> list[str]:
        """What the node packs: its entries or its pointers, each as a string."""
        return self.entries if self.level == 0 else [pointer.packed() for pointer in self.pointers]

    def packed(self) -> str:
        return ENTRY_SEPARATOR.join(self.parts)

    def size(self) -> int:
        return len(self.packed().encode())

    def empty(self) -> bool:
        return not (self.entries if self.level == 0 else self.pointers)

    def child_key(self, pointer: Pointer) -> str:
        return f"{'leaf' if self.level == 1 else 'branch'}#{pointer.node_id}"

    def locate(self, value: str) -> int:
        """Position of the child that holds (or would hold) `value`."""
        firsts = [pointer.first for pointer in self.pointers]
        return max(bisect.bisect_right(firsts, value) - 1, 0)

    def spans(self, start: int, stop: int) -> list[tuple[Pointer, int, int]]:
        """(child, from, to) slices covering this node's positions [start, stop)."""
        found, offset = [], 0
        for pointer in self.pointers:
            if offset >= stop:
                break
            low, high = max(start - offset, 0), min(stop - offset, pointer.count)
            if low < high:
                found.append((pointer, low, high))
            offset += pointer.count
        return found

    def pointer(self) -> Pointer:
        return Pointer(self.key.split("#", 1)[1], self.count, self.first)

    def overfull(self) -> bool:
        capacity = NODE_ENTRIES if self.level == 0 else NODE_POINTERS
        return len(self.parts) > capacity or self.size() > NODE_BYTES

    def oversize(self) -> bool:
        return self.size() > NODE_BYTES_LIMIT


def new_node_key(level: int) -> str:
    return f"{'leaf' if level == 0 else 'branch'}#{secrets.token_hex(6)}"


def _runs(parts: list[str], *, count: int, size: int) -> list[tuple[int, int]]:
    """(start, stop) runs of `parts`, as few as keep each within `count` parts and `size`
    bytes, and about even."""
    lengths = [len(part.encode()) + 1 for part in parts]
    wanted = max(math.ceil(len(parts) / count), math.ceil(sum(lengths) / size), 1)
    per_run = math.ceil(len(parts) / wanted)
    runs, start, held = [], 0, 0
    for position, length in enumerate(lengths):
        if position > start and (position - start >= per_run or held + length > size):
            runs.append((start, position))
            start, held = position, 0
        held += length
    runs.append((start, len(parts)))
    return runs


def _split(node: Node, *, fill: float = 1.0) -> list[Node]:
    """`node` cut into nodes of the same level within capacity; the first keeps its key."""
    capacity = NODE_ENTRIES if node.level == 0 else NODE_POINTERS
    runs = _runs(node.parts, count=int(capacity * fill), size=int(NODE_BYTES * fill))
    pieces = []
    for number, (start, stop) in enumerate(runs):
        key = node.key if number == 0 else new_node_key(node.level)
        if node.level == 0:
            pieces.append(Node(key, 0, entries=node.entries[start:stop]))
        else:
            pieces.append(Node(key, node.level, pointers=node.pointers[start:stop]))
    return pieces


def build(values: list[str]) -> tuple[Node, list[Node]]:
    """A new tree holding sorted `values`: its root (version 0) and its other nodes, each
    filled to BUILD_FILL."""
    level, written = 0, []
    nodes = _split(Node(ROOT, 0, entries=list(values)), fill=BUILD_FILL)
    while len(nodes) > 1:
        children = [replace(node, key=new_node_key(level)) for node in nodes]
        written += children
        level += 1
        nodes = _split(Node(ROOT, level, pointers=[child.pointer() for child in children]), fill=BUILD_FILL)
    return replace(nodes[0], key=ROOT), written


@dataclass
class Loaded:
    """One index as far as a change needs it: the root and the nodes on the paths to
    the entries the change touches, each with its parent."""

    root: Node
    nodes: dict[str, Node] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)


@dataclass
class Budget:
    """Transaction actions left for splits that could also wait for a later write."""

    room: int

    def take(self, actions: int, *, required: bool) -> bool:
        if required or actions <= self.room:
            self.room -= actions
            return True
        return False


@dataclass
class Written:
    root: Node
    puts: list[Node]
    deletes: list[str]


class Edit:
    """A change to one index, applied in memory to the nodes it touches.

    First the entries move (`minimal_actions` is then what the change writes at the
    least), then `finish` fixes the tree bottom-up: emptied nodes go, counts and first
    entries follow, full nodes split where the transaction has room, and must split
    when they near DynamoDB's item limit.
    """

    def __init__(self, loaded: Loaded, change: Change):
        self.loaded = loaded
        self.root = replace(loaded.root, entries=list(loaded.root.entries), pointers=list(loaded.root.pointers))
        self.nodes = {
            key: replace(node, entries=list(node.entries), pointers=list(node.pointers))
            for key, node in loaded.nodes.items()
        }
        self.touched: set[str] = set()
        for value in change.removes:
            leaf = self._leaf_for(value)
            position = bisect.bisect_left(leaf.entries, value)
            if position < len(leaf.entries) and leaf.entries[position] == value:
                del leaf.entries[position]
                self._touch(leaf.key)
        for value in sorted(change.inserts):
            leaf = self._leaf_for(value)
            position = bisect.bisect_left(leaf.entries, value)
            if position == len(leaf.entries) or leaf.entries[position] != value:
                leaf.entries.insert(position, value)
                self._touch(leaf.key)

    def _node(self, key: str) -> Node:
        return self.root if key == ROOT else self.nodes[key]

    def _leaf_for(self, value: str) -> Node:
        node = self.root
        while node.level > 0:
            node = self.nodes[node.child_key(node.pointers[node.locate(value)])]
        return node

    def _touch(self, key: str) -> None:
        while key != ROOT and key not in self.touched:
            self.touched.add(key)
            key = self.loaded.parents[key]

    @property
    def minimal_actions(self) -> int:
        """Nodes written or deleted without any optional split, the root included."""
        return len(self.touched) + 1

    def finish(self, budget: Budget) -> Written:
        puts: dict[str, Node] = {}
        deletes: list[str] = []
        by_level = sorted(self.touched, key=lambda key: self.nodes[key].level)
        for key in by_level:
            node = self.nodes[key]
            parent = self._node(self.loaded.parents[key])
            position = next(i for i, p in enumerate(parent.pointers) if p.node_id == key.split("#", 1)[1])
            if node.empty():
                del parent.pointers[position]
                deletes.append(key)
                continue
            pieces = [node]
            if node.overfull():
                split = _split(node)
                if budget.take(len(split) - 1, required=node.oversize()):
                    pieces = split
            parent.pointers[position : position + 1] = [piece.pointer() for piece in pieces]
            puts.update({piece.key: piece for piece in pieces})
        root = self.root
        if root.level > 0 and not root.pointers:
            root = Node(ROOT, 0, version=root.version)  # every entry is gone
        elif root.overfull():
            children = [replace(piece, key=new_node_key(root.level)) for piece in _split(root)]
            if len(children) > 1 and budget.take(len(children), required=root.oversize()):
                puts.update({child.key: child for child in children})
                root = Node(ROOT, root.level + 1, pointers=[c.pointer() for c in children], version=root.version)
        return Written(root, list(puts.values()), deletes)


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


def _unchanged(root: Node):
    if root.version == 0:
        return OrderNodeModel.index.does_not_exist()
    return OrderNodeModel.version == root.version


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
        transaction.put(_item(name, written.root), condition=_unchanged(loaded[name].root), failure=IndexMoved)


def stage_unchanged(transaction: Transaction, roots: dict[str, Node]) -> None:
    """Make `transaction` depend on these roots being as read: IndexMoved otherwise."""
    for name, root in roots.items():
        transaction.check(OrderNodeModel, name, ROOT, condition=_unchanged(root), failure=IndexMoved)


def stage_drop(transaction: Transaction, names: Iterable[str]) -> None:
    """Delete empty indexes (a deleted group's) in `transaction`; IndexMoved if one is not."""
    for name, root in read_roots(names).items():
        if root.count:
            raise IndexMoved()
        if root.version:
            transaction.delete(OrderNodeModel(name, ROOT), condition=_unchanged(root), failure=IndexMoved)


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
    return read_roots([name])[name].count


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
    transaction.put(_item(name, new), condition=_unchanged(old), failure=IndexMoved)
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
