"""Words in DynamoDB: read by key (consistently) or through the indexes, and written
with their index entries, group counts and audit events in one transaction."""

from __future__ import annotations

from collections import defaultdict

from langportal.idempotency import Claim
from langportal.storage import orderindex
from langportal.storage.dynamo import PARTITION_KEY_BYTES, Transaction, batch_get, dynamodb_errors
from langportal.storage.orderindex import sort_key
from vocabulary.models import GroupModel, WordModel
from vocabulary.repositories.audit import audit_action, audit_stage
from vocabulary.repositories.entries import word_changes, words_index
from vocabulary.repositories.records import GroupNotFound, Word, WordChanged, word_from_item, word_item


def word_get(word_id: str) -> Word | None:
    with dynamodb_errors():
        try:
            return word_from_item(WordModel.get(word_id, consistent_read=True))
        except WordModel.DoesNotExist:
            return None


def words_written(japanese: str) -> list[Word]:
    """Words written exactly so, oldest first.

    The index by-japanese (eventually consistent, like every GSI) names the candidates;
    the words themselves are read from the table, so what they say is current. A word
    written in the last second may be missing.
    """
    if not japanese or len(japanese.encode()) > PARTITION_KEY_BYTES:
        return []  # no word is written so; DynamoDB would refuse the key
    with dynamodb_errors():
        candidates = [item.id for item in WordModel.by_japanese.query(japanese, attributes_to_get=["id"])]
    found = [word for word in words_get(candidates) if word.japanese == japanese]
    return sorted(found, key=lambda word: int(word.id))


def words_get(word_ids: list[str]) -> list[Word]:
    """Words by id in the order asked; ids with no word are left out."""
    found = {item.id: word_from_item(item) for item in batch_get(WordModel, word_ids)}
    return [found[word_id] for word_id in word_ids if word_id in found]


def words_with_prefix(order: str, text: str, *, limit: int) -> list[str]:
    """Ids of words whose `order` key (reading for japanese) starts with `text`."""
    return orderindex.seek(words_index(order), sort_key(text), limit=limit)


def word_ids_page(*, order: str, descending: bool, offset: int, limit: int, group_id: str | None = None):
    """One page of an index: (word ids, total number of words in the index)."""
    page = orderindex.read_slice(words_index(order, group_id), offset=offset, limit=limit, descending=descending)
    return page.ids, page.total


def words_total() -> int:
    return orderindex.read_total(words_index("created_at"))


def words_write(
    pairs: list[tuple[Word | None, Word | None]],
    *,
    actor: str | None = None,
    action: str | None = None,
    claim: Claim | None = None,
) -> None:
    """Create (None, new), replace (old, new) or delete (old, None) words atomically.

    The word items, their entries in every index, the word counts of the groups they
    join or leave, the audit events when a person (`actor`) made the change, and the
    request's Idempotency-Key (`claim`) change in one transaction. A word changed since
    `old` was read, or a new word's id taken, raises WordChanged; a group that does not
    exist raises GroupNotFound; an index that moved meanwhile, IndexMoved.
    """
    if not pairs:
        return
    deltas: dict[str, int] = defaultdict(int)
    for old, new in pairs:
        for group_id in old.group_ids if old else ():
            deltas[group_id] -= 1
        for group_id in new.group_ids if new else ():
            deltas[group_id] += 1
    transaction = Transaction()
    for old, new in pairs:
        _stage_word(transaction, old, new)
        if actor:
            subject = f"word:{(new or old).id}"
            audit_stage(transaction, subject, old, new, actor=actor, action=action or audit_action(old, new))
    for group_id, delta in sorted(deltas.items()):
        if delta:
            transaction.update(
                GroupModel(group_id),
                actions=[GroupModel.word_count.add(delta)],
                condition=GroupModel.id.exists(),
                failure=GroupNotFound(f"No group with id {group_id}.", details={"group_ids": [group_id]}),
            )
    if claim:
        claim.stage(transaction)
    orderindex.stage(transaction, word_changes(pairs))
    transaction.commit()


def _stage_word(transaction: Transaction, old: Word | None, new: Word | None) -> None:
    if new is None:
        transaction.delete(WordModel(old.id), condition=WordModel.revision == old.revision, failure=WordChanged)
    elif old is None:
        transaction.put(word_item(new), condition=WordModel.id.does_not_exist(), failure=WordChanged)
    else:
        transaction.put(word_item(new), condition=WordModel.revision == old.revision, failure=WordChanged)
