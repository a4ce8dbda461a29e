"""The counted B+ tree of an ordered index, in memory: nodes, edits and bulk builds.

Pure logic, no I/O: langportal/storage/orderindex.py reads the nodes an operation needs
from DynamoDB, lets an Edit change them here, and writes back what it returns.

- The root (node "root") carries the index's version. A small index is its root alone,
  holding the entries; a larger one has a root of pointers to leaves ("leaf#<id>"); a
  larger one still, pointers to branches ("branch#<id>") that point to leaves, and so on.
- A node holds at most NODE_ENTRIES entries (or NODE_POINTERS pointers) in at most
  NODE_BYTES bytes; a fuller node splits, and a full root moves its content one level
  down, so no item nears DynamoDB's 400 KB, however large the index grows.
"""

from __future__ import annotations

import bisect
import math
import secrets
from dataclasses import dataclass, field, replace

ENTRY_SEPARATOR = "\x1e"  # between the entries of a leaf, and the pointers of a branch
FIELD_SEPARATOR = "\x1d"  # between the fields of a pointer
NODE_ENTRIES = 400  # a leaf holding more splits
NODE_POINTERS = 1000  # a branch holding more splits
NODE_BYTES = 32 * 1024  # a node packed larger splits: reads stay cheap (8 read units at most)
NODE_BYTES_LIMIT = 256 * 1024  # a node larger must split now, whatever else its transaction holds
BUILD_FILL = 0.75  # bulk builds fill nodes to this share, leaving room to grow
ROOT = "root"


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
