"""Bulk imports: new groups and words stored in batches, then indexed from what is stored."""

from __future__ import annotations

import contextlib

from langportal.progress import Progress, silent
from langportal.storage import orderindex
from langportal.storage.dynamo import Transaction, batch_write
from langportal.storage.orderindex import Change
from langportal.storage.retry import retrying
from vocabulary.models import GroupModel, WordModel
from vocabulary.repositories.entries import GROUPS_INDEX, group_entry, word_changes, words_index
from vocabulary.repositories.records import Group, GroupNotFound, Word, group_item, word_item

STORE_CHUNK = 500  # items per progress step of a bulk store


def records_store(*, groups: list[Group], words: list[Word], progress: Progress = silent) -> None:
    """Write new groups and words in batches, for imports too large for a transaction.

    They are not listed until `records_index` adds them to their indexes; an import
    stores first and indexes after, from what is stored, so running it again after a
    failure completes the work instead of duplicating it.
    """
    advance = progress("Storing", len(groups) + len(words))
    for model, stored, item in ((GroupModel, groups, group_item), (WordModel, words, word_item)):
        for start in range(0, len(stored), STORE_CHUNK):
            chunk = stored[start : start + STORE_CHUNK]
            batch_write(model, puts=[item(record) for record in chunk])
            advance(len(chunk))


def records_index(*, groups: list[Group], words: list[Word], progress: Progress = silent) -> None:
    """Add stored groups and words to their indexes, rebuilding each index once, and
    set the word counts of their groups from the rebuilt indexes."""
    changes = word_changes((None, word) for word in words)
    if groups:
        changes[GROUPS_INDEX] = Change(inserts={group_entry(group) for group in groups})
    advance = progress("Indexing", len(changes))
    for name, change in changes.items():
        orderindex.rebuild(name, change)
        advance(1)
    counted = {group_id for word in words for group_id in word.group_ids} | {group.id for group in groups}
    for group_id in sorted(counted):
        retrying(lambda group_id=group_id: _count_from_index(group_id))


def _count_from_index(group_id: str) -> None:
    """Set a group's word count to what its index holds, unless the index moves meanwhile."""
    index = orderindex.snapshot(words_index("japanese", group_id))
    transaction = Transaction()
    transaction.update(
        GroupModel(group_id),
        [GroupModel.word_count.set(index.count)],
        condition=GroupModel.id.exists(),
        failure=GroupNotFound,
    )
    orderindex.stage_unchanged(transaction, [index])
    with contextlib.suppress(GroupNotFound):  # deleted meanwhile: nothing left to count
        transaction.commit()
