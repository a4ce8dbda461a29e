"""Ordered indexes: the pure tree operations, then the same through DynamoDB (moto)."""

import pytest

from langportal import orderindex
from langportal.dynamo import Transaction
from langportal.orderindex import LEAF_CAPACITY, Change, Pointer, Root, apply_change, entry, entry_id

NAME = "test:index"


def entries(*ids: int) -> list[str]:
    return [entry(f"key{number:06d}", str(number)) for number in ids]


def test_entries_sort_by_key_then_numeric_id():
    values = [entry("b", "1"), entry("a", "10"), entry("a", "9"), entry("ab", "1")]
    assert [entry_id(value) for value in sorted(values)] == ["9", "10", "1", "1"]
    assert sorted(values)[-2:] == [entry("ab", "1"), entry("b", "1")]


def test_first_insert_creates_a_leaf():
    applied = apply_change(Root(NAME), {}, Change(inserts=set(entries(2, 1))))
    assert applied.root.total == 2
    (leaf_id,) = applied.written
    assert applied.written[leaf_id] == entries(1, 2)
    assert applied.root.leaves == [Pointer(leaf_id, 2, entries(1)[0])]


def test_full_leaf_splits_in_two():
    values = entries(*range(LEAF_CAPACITY))
    root = Root(NAME, 1, [Pointer("a", LEAF_CAPACITY, values[0])])
    applied = apply_change(root, {"a": values}, Change(inserts=set(entries(LEAF_CAPACITY))))
    assert [pointer.count for pointer in applied.root.leaves] == [LEAF_CAPACITY // 2 + 1, LEAF_CAPACITY // 2]
    assert applied.root.leaves[0].leaf_id == "a"
    assert sum(len(written) for written in applied.written.values()) == LEAF_CAPACITY + 1


def test_emptied_leaf_is_deleted():
    root = Root(NAME, 3, [Pointer("a", 2, entries(1)[0]), Pointer("b", 1, entries(5)[0])])
    applied = apply_change(root, {"b": entries(5)}, Change(removes=set(entries(5))))
    assert applied.deleted == {"b"}
    assert [pointer.leaf_id for pointer in applied.root.leaves] == ["a"]


def test_moving_an_entry_removes_then_inserts():
    root = Root(NAME, 1, [Pointer("a", 3, entries(1)[0])])
    moved = entry("key999999", "2")
    applied = apply_change(root, {"a": entries(1, 2, 3)}, Change(inserts={moved}, removes=set(entries(2))))
    assert applied.written["a"] == [*entries(1, 3), moved]


def test_spans_cover_positions_across_leaves():
    root = Root(NAME, 1, [Pointer("a", 3, "x"), Pointer("b", 2, "y"), Pointer("c", 4, "z")])
    assert root.spans(2, 6) == [("a", 2, 3), ("b", 0, 2), ("c", 0, 1)]
    assert root.spans(9, 12) == []


# --- through DynamoDB ----------------------------------------------------------------


def commit(changes: dict[str, Change]) -> None:
    orderindex.commit_with_retry(lambda transaction: orderindex.stage(transaction, changes))


@pytest.fixture
def index(aws):
    """An index holding ids 1..1000, written in small transactions as an API would."""
    for start in range(0, 1000, 100):
        commit({NAME: Change(inserts=set(entries(*range(start + 1, start + 101))))})
    return NAME


def test_slices_read_in_both_directions(index):
    assert orderindex.read_slice(index, offset=0, limit=3).ids == ["1", "2", "3"]
    assert orderindex.read_slice(index, offset=0, limit=3, descending=True).ids == ["1000", "999", "998"]
    last = orderindex.read_slice(index, offset=990, limit=20)
    assert last.ids == [str(number) for number in range(991, 1001)]
    assert last.total == 1000


def test_inserts_past_capacity_split_leaves(index):
    root = orderindex.read_roots([index])[index]
    assert len(root.leaves) >= 1000 // LEAF_CAPACITY + 1
    assert all(pointer.count <= LEAF_CAPACITY for pointer in root.leaves)
    assert orderindex.read_slice(index, offset=0, limit=1000).ids == [str(n) for n in range(1, 1001)]


def test_stale_writer_retries_on_fresh_data(index):
    """Two writers read the same root; the second one's first attempt fails and is rebuilt."""
    attempts = []

    def build(transaction: Transaction) -> None:
        attempts.append(1)
        orderindex.stage(transaction, {index: Change(inserts=set(entries(2001)))})
        if len(attempts) == 1:  # another writer commits between our read and our commit
            commit({index: Change(inserts=set(entries(2002)))})

    orderindex.commit_with_retry(build)
    assert len(attempts) == 2
    assert orderindex.read_slice(index, offset=1000, limit=5).ids == ["2001", "2002"]


def test_rebuild_swaps_in_a_new_index(index):
    orderindex.rebuild(index, Change(inserts=set(entries(*range(1001, 1501))), removes=set(entries(1, 2))))
    result = orderindex.read_slice(index, offset=0, limit=2)
    assert result.ids == ["3", "4"]
    assert result.total == 1498
    root = orderindex.read_roots([index])[index]
    stored_leaves = orderindex.read_leaves([(index, pointer.leaf_id) for pointer in root.leaves])
    assert len(stored_leaves) == len(root.leaves)  # the old leaves are gone, the new all there


def test_missing_index_reads_as_empty(aws):
    assert orderindex.read_slice("never:written", offset=0, limit=20).ids == []
    assert orderindex.read_total("never:written") == 0


def test_seek_finds_a_prefix_wherever_it_falls(aws):
    names = [f"word{number:04d}" for number in range(1000)]
    commit({NAME: Change(inserts={entry(key, str(number + 1)) for number, key in enumerate(names)})})
    assert orderindex.seek(NAME, "word012", limit=20) == [str(number + 1) for number in range(120, 130)]
    assert orderindex.seek(NAME, "word0999", limit=5) == ["1000"]
    assert orderindex.seek(NAME, "word1", limit=5) == []
    assert len(orderindex.seek(NAME, "word", limit=450)) == 450  # across leaves


def test_seek_reads_a_bounded_number_of_items(aws, dynamodb_reads):
    commit({NAME: Change(inserts={entry(f"k{number:05d}", str(number + 1)) for number in range(2000)})})
    dynamodb_reads.items = 0
    orderindex.seek(NAME, "k019", limit=20)
    assert dynamodb_reads.items <= 3
