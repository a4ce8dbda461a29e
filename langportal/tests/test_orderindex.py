"""Ordered indexes: the pure tree operations, then the same through DynamoDB (moto)."""

from __future__ import annotations

import pytest

from langportal.storage import orderindex
from langportal.storage.dynamo import Transaction
from langportal.storage.models import OrderNodeModel
from langportal.storage.orderindex import Change, IndexMoved, entry, entry_id, load, sort_key
from langportal.storage.ordertree import NODE_BYTES, NODE_ENTRIES, ROOT, Budget, Edit, Node, Pointer, build
from vocabulary.services import ENGLISH_MAX_LENGTH

NAME = "test:index"
ITEM_LIMIT = 400 * 1024  # DynamoDB's largest item


def entries(*ids: int) -> list[str]:
    return [entry(f"key{number:06d}", str(number)) for number in ids]


class MemoryIndex:
    """An index kept in a dict, written the way `stage` writes DynamoDB."""

    def __init__(self, root: Node | None = None, nodes: list[Node] = ()):
        self.nodes = {node.key: node for node in nodes}
        self.nodes[ROOT] = root or Node(ROOT)

    def read(self, keys):
        return {(name, key): self.nodes[key] for name, key in keys if key in self.nodes}

    def change(self, change: Change, *, room: int = 90) -> tuple[Edit, orderindex.Written]:
        edit = Edit(load({NAME: change}, read=self.read)[NAME], change)
        written = edit.finish(Budget(room))
        for key in written.deletes:
            del self.nodes[key]
        self.nodes.update({node.key: node for node in written.puts})
        self.nodes[ROOT] = written.root
        return edit, written

    def values(self) -> list[str]:
        found, level = [], [self.nodes[ROOT]]
        while level:
            below = []
            for node in level:
                if node.level == 0:
                    found += node.entries
                else:
                    below += [self.nodes[node.child_key(pointer)] for pointer in node.pointers]
            level = below
        return found

    def largest(self) -> int:
        return max(node.size() for node in self.nodes.values())


def test_entries_sort_by_key_then_numeric_id():
    values = [entry("b", "1"), entry("a", "10"), entry("a", "9"), entry("ab", "1")]
    assert [entry_id(value) for value in sorted(values)] == ["9", "10", "1", "1"]
    assert sorted(values)[-2:] == [entry("ab", "1"), entry("b", "1")]


def test_a_small_index_is_its_root_alone():
    index = MemoryIndex()
    _, written = index.change(Change(inserts=set(entries(2, 1))))
    assert (written.root.level, written.root.entries, written.puts) == (0, entries(1, 2), [])


def test_a_full_root_moves_its_entries_one_level_down():
    index = MemoryIndex(Node(ROOT, 0, entries=entries(*range(NODE_ENTRIES))))
    _, written = index.change(Change(inserts=set(entries(NODE_ENTRIES))))
    assert written.root.level == 1
    assert [pointer.count for pointer in written.root.pointers] == [NODE_ENTRIES // 2 + 1, NODE_ENTRIES // 2]
    assert index.values() == entries(*range(NODE_ENTRIES + 1))


def test_a_full_leaf_splits_in_two():
    leaf = Node("leaf#a", 0, entries=entries(*range(NODE_ENTRIES)))
    index = MemoryIndex(Node(ROOT, 1, pointers=[leaf.pointer()]), [leaf])
    _, written = index.change(Change(inserts=set(entries(NODE_ENTRIES))))
    assert [pointer.count for pointer in written.root.pointers] == [NODE_ENTRIES // 2 + 1, NODE_ENTRIES // 2]
    assert written.root.pointers[0].node_id == "a"
    assert index.values() == entries(*range(NODE_ENTRIES + 1))


def test_a_split_waits_when_the_transaction_has_no_room():
    leaf = Node("leaf#a", 0, entries=entries(*range(NODE_ENTRIES)))
    index = MemoryIndex(Node(ROOT, 1, pointers=[leaf.pointer()]), [leaf])
    _, written = index.change(Change(inserts=set(entries(NODE_ENTRIES))), room=0)
    assert [pointer.count for pointer in written.root.pointers] == [NODE_ENTRIES + 1]
    _, written = index.change(Change(inserts=set(entries(NODE_ENTRIES + 1))), room=1)
    assert len(written.root.pointers) == 2  # the next write with room splits it


def test_emptied_nodes_are_deleted():
    left, right = Node("leaf#a", 0, entries=entries(1, 2)), Node("leaf#b", 0, entries=entries(5))
    index = MemoryIndex(Node(ROOT, 1, pointers=[left.pointer(), right.pointer()]), [left, right])
    _, written = index.change(Change(removes=set(entries(5))))
    assert written.deletes == ["leaf#b"]
    assert [pointer.node_id for pointer in written.root.pointers] == ["a"]
    _, written = index.change(Change(removes=set(entries(1, 2))))
    assert (written.root.level, written.root.entries, written.deletes) == (0, [], ["leaf#a"])


def test_moving_an_entry_removes_then_inserts():
    index = MemoryIndex(Node(ROOT, 0, entries=entries(1, 2, 3)))
    moved = entry("key999999", "2")
    index.change(Change(inserts={moved}, removes=set(entries(2))))
    assert index.values() == [*entries(1, 3), moved]


def test_spans_cover_positions_across_children():
    root = Node(ROOT, 1, pointers=[Pointer("a", 3, "x"), Pointer("b", 2, "y"), Pointer("c", 4, "z")])
    assert [(p.node_id, low, high) for p, low, high in root.spans(2, 6)] == [("a", 2, 3), ("b", 0, 2), ("c", 0, 1)]
    assert root.spans(9, 12) == []


def test_leaves_of_the_longest_glosses_split_by_size():
    """400 English glosses of the greatest length we accept, each of the character whose
    sort key takes the most bytes, stay far below DynamoDB's item limit."""
    widest = max((chr(code) for code in range(0x3000)), key=lambda char: len(sort_key(char).encode()))
    glosses = [entry(sort_key(widest * (ENGLISH_MAX_LENGTH - 3) + f"{n:03d}"), str(n + 1)) for n in range(400)]
    assert sum(len(gloss.encode()) for gloss in glosses) > ITEM_LIMIT  # more than one item could hold
    index = MemoryIndex()
    for start in range(0, 400, 20):
        index.change(Change(inserts=set(glosses[start : start + 20])))
    assert index.values() == sorted(glosses)
    assert index.largest() <= NODE_BYTES


def test_three_million_words_stay_writable():
    """The created_at index of 3,000,000 words (the order that outgrew a two-level index at
    1.4 million): every node stays small, and a word written at either end still fits in
    a transaction with room to spare."""
    values = [entry(f"2026-01-01T00:00:00.{n:012d}", str(n + 1)) for n in range(3_000_000)]
    root, nodes = build(values)
    index = MemoryIndex(root, nodes)
    assert root.level >= 2
    assert index.largest() <= NODE_BYTES < ITEM_LIMIT
    newest = entry("2027-01-01T00:00:00.000000000000", "3000001")
    edit, written = index.change(Change(inserts={newest}, removes={values[0]}))
    assert edit.minimal_actions <= 2 * root.level + 1  # two paths to the leaves, one root
    assert len(written.puts) + len(written.deletes) + 1 <= 2 * (root.level + 1)
    assert max(node.size() for node in [written.root, *written.puts]) <= NODE_BYTES
    for number in range(1, 2001):  # enough appends to fill leaves and split them
        index.change(Change(inserts={entry(f"2027-01-01T00:00:01.{number:012d}", str(3_000_001 + number))}))
    assert index.largest() <= NODE_BYTES
    assert index.nodes[ROOT].count == 3_000_000 + 2001 - 1


def test_a_root_too_large_for_a_level_grows_another():
    leaves = [Node(f"leaf#{n:06d}", 0, entries=entries(n)) for n in range(1500)]
    index = MemoryIndex(Node(ROOT, 1, pointers=[leaf.pointer() for leaf in leaves]), leaves)
    _, written = index.change(Change(inserts=set(entries(1500))))
    assert written.root.level == 2
    assert all(index.nodes[written.root.child_key(p)].size() <= NODE_BYTES for p in written.root.pointers)
    assert index.values() == entries(*range(1501))


# --- through DynamoDB ----------------------------------------------------------------


def commit(changes: dict[str, Change]) -> None:
    transaction = Transaction()
    orderindex.stage(transaction, changes)
    transaction.commit()


@pytest.fixture
def index(aws):
    """An index holding ids 1..1000, written in small transactions as an API would."""
    for start in range(0, 1000, 100):
        commit({NAME: Change(inserts=set(entries(*range(start + 1, start + 101))))})
    return NAME


def stored_nodes(name: str) -> set[str]:
    return {item.node for item in OrderNodeModel.query(name, consistent_read=True)}


def test_slices_read_in_both_directions(index):
    assert orderindex.read_slice(index, offset=0, limit=3).ids == ["1", "2", "3"]
    assert orderindex.read_slice(index, offset=0, limit=3, descending=True).ids == ["1000", "999", "998"]
    last = orderindex.read_slice(index, offset=990, limit=20)
    assert last.ids == [str(number) for number in range(991, 1001)]
    assert last.total == 1000


def test_inserts_past_capacity_split_nodes(index):
    root = orderindex.read_roots([index])[index]
    assert root.level == 1 and len(root.pointers) >= 1000 // NODE_ENTRIES + 1
    assert all(pointer.count <= NODE_ENTRIES for pointer in root.pointers)
    assert orderindex.read_slice(index, offset=0, limit=1000).ids == [str(n) for n in range(1, 1001)]
    assert len(stored_nodes(index)) == len(root.pointers) + 1


def test_a_stale_writer_is_refused(index):
    """Two writers read the same root; the one that commits second must read again."""
    first, second = Transaction(), Transaction()
    orderindex.stage(first, {index: Change(inserts=set(entries(2001)))})
    orderindex.stage(second, {index: Change(inserts=set(entries(2002)))})
    first.commit()
    with pytest.raises(IndexMoved):
        second.commit()
    assert orderindex.read_slice(index, offset=1000, limit=5).ids == ["2001"]


def test_rebuild_swaps_in_a_new_index(index):
    before = stored_nodes(index)
    orderindex.rebuild(index, Change(inserts=set(entries(*range(1001, 1501))), removes=set(entries(1, 2))))
    result = orderindex.read_slice(index, offset=0, limit=2)
    assert (result.ids, result.total) == (["3", "4"], 1498)
    after = stored_nodes(index)
    assert before & after == {ROOT}  # the old nodes are gone
    root = orderindex.read_roots([index])[index]
    assert len(after) == len(root.pointers) + 1  # and every new one is reached


def test_rebuild_drops_what_an_earlier_failed_one_left(index, monkeypatch):
    leftover = OrderNodeModel(NAME, "leaf#leftover", level=0, entries=entries(5000)[0], created_at=1)
    leftover.save()
    orderindex.rebuild(index, Change(inserts=set(entries(1001))))
    assert "leaf#leftover" not in stored_nodes(index)
    assert orderindex.read_total(index) == 1001


def test_missing_index_reads_as_empty(aws):
    assert orderindex.read_slice("never:written", offset=0, limit=20).ids == []
    assert orderindex.read_total("never:written") == 0


def test_seek_finds_a_prefix_wherever_it_falls(aws):
    names = [f"word{number:04d}" for number in range(1000)]
    orderindex.rebuild(NAME, Change(inserts={entry(key, str(number + 1)) for number, key in enumerate(names)}))
    assert orderindex.seek(NAME, "word012", limit=20) == [str(number + 1) for number in range(120, 130)]
    assert orderindex.seek(NAME, "word0999", limit=5) == ["1000"]
    assert orderindex.seek(NAME, "word1", limit=5) == []
    assert len(orderindex.seek(NAME, "word", limit=450)) == 450  # across leaves


def test_seek_reads_a_bounded_number_of_items(aws, dynamodb_reads):
    orderindex.rebuild(NAME, Change(inserts={entry(f"k{number:05d}", str(number + 1)) for number in range(2000)}))
    dynamodb_reads.items = 0
    orderindex.seek(NAME, "k019", limit=20)
    assert dynamodb_reads.items <= 3


def test_dropping_an_empty_index(aws):
    commit({NAME: Change(inserts=set(entries(1)))})
    commit({NAME: Change(removes=set(entries(1)))})
    transaction = Transaction()
    orderindex.stage_drop(transaction, [NAME, "never:written"])
    transaction.commit()
    assert stored_nodes(NAME) == set()
