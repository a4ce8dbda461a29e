"""The teachers' statistics: review counters per UTC day, per group and per word.

Every review adds to one shard of its day's, its group's and its word's counters, chosen
by the review id's random end, in the review's own transaction: a class of students
answering one word at once then spreads over COUNTER_SHARDS items of each (see
docs/data-model.md for the measurements). A tally is the sum of its shards. This module
is the only one that builds or reads the counters' keys.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from langportal.storage.dynamo import Transaction, batch_get, dynamodb_errors
from lrs.models import StatCounterModel

if TYPE_CHECKING:
    from lrs.repositories.reviews import Review

COUNTER_SHARDS = 16
DAY, GROUP, WORD = "day", "group", "word"  # what a counter counts: its key's first part


@dataclass(frozen=True)
class Counter:
    name: str  # the day, group id or word id counted
    reviews: int
    correct: int


def _key(kind: str, name: str, shard: int) -> str:
    """`day#<date>#<shard>`, `group#<id>#<shard>` or `word#<id>#<shard>`."""
    return f"{kind}#{name}#{shard}"


def _name(key: str) -> str:
    """What a counter's key counts: the middle of `<kind>#<name>#<shard>`."""
    return key.split("#")[1]


def _most_missed_partition(shard: int) -> str:
    """The word counters of one shard in the index most-missed: `word#<shard>`."""
    return f"{WORD}#{shard}"


def _shard(review: Review) -> int:
    return int(review.id[-4:], 36) % COUNTER_SHARDS  # the ULID's random end


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def counters_stage(transaction: Transaction, review: Review, group_id: str, *, sign: int = 1) -> None:
    """Add one review to its day's, its group's and its word's counters, in `transaction`;
    with `sign` -1, take it out again (an erased review)."""
    correct = sign if review.correct else 0
    wrong = sign - correct
    shard = _shard(review)
    for key in (_key(DAY, _day(review.created_at), shard), _key(GROUP, group_id, shard)):
        transaction.update(
            StatCounterModel(key), [StatCounterModel.reviews.add(sign), StatCounterModel.correct.add(correct)]
        )
    transaction.update(
        StatCounterModel(_key(WORD, review.word_id, shard)),
        [
            StatCounterModel.reviews.add(sign),
            StatCounterModel.correct.add(correct),
            StatCounterModel.wrong.add(wrong),
            StatCounterModel.kind.set(_most_missed_partition(shard)),
            StatCounterModel.word_id.set(review.word_id),
        ],
    )


def _tallies(kind: str, names: list[str]) -> dict[str, Counter]:
    """The counters of these names summed over their shards, by name (eventually
    consistent: statistics may lag a second)."""
    keys = [_key(kind, name, shard) for name in names for shard in range(COUNTER_SHARDS)]
    sums: dict[str, list[int]] = {name: [0, 0] for name in names}
    for item in batch_get(StatCounterModel, keys, consistent=False):
        name = _name(item.name)
        sums[name][0] += int(item.reviews)
        sums[name][1] += int(item.correct)
    return {name: Counter(name, reviews, correct) for name, (reviews, correct) in sums.items()}


def day_tallies(days: list[str]) -> dict[str, Counter]:
    """Reviews and right answers of each UTC day (ISO dates)."""
    return _tallies(DAY, days)


def group_tallies(group_ids: list[str]) -> dict[str, Counter]:
    return _tallies(GROUP, group_ids)


def most_missed_words(*, limit: int) -> list[Counter]:
    """About the `limit` words with the most wrong answers, most first, with exact tallies.

    Each shard's partition of the index most-missed gives its most missed words; their
    wrong answers summed over the partitions choose the `limit` words whose tallies are
    then read whole (eventually consistent: statistics may lag a second).
    """
    wrong: dict[str, int] = defaultdict(int)
    with dynamodb_errors():
        for shard in range(COUNTER_SHARDS):
            partition = _most_missed_partition(shard)
            for item in StatCounterModel.most_missed.query(partition, scan_index_forward=False, limit=limit):
                wrong[item.word_id] += int(item.wrong)
    chosen = sorted(wrong, key=lambda word_id: -wrong[word_id])[:limit]
    tallies = _tallies(WORD, chosen)
    return sorted(tallies.values(), key=lambda tally: tally.correct - tally.reviews)
