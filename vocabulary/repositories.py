"""The only code that reads and writes vocabulary in DynamoDB.

Words and groups are read by key, consistently. Listings read ordered indexes
(langportal.storage.orderindex): one per sort order over all words, one per sort order over each
group's words, and one over groups by name. Every write changes the items and their index
entries in one transaction, and makes one attempt: a write that loses a race raises
Contended (WordChanged, GroupChanged, IndexMoved) for the service to read again and retry.
Access patterns, costs and consistency: docs/data-model.md.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ulid import ULID

from langportal import records
from langportal.errors import Contended, NotFound
from langportal.idempotency import Claim
from langportal.progress import Progress, silent
from langportal.storage import orderindex
from langportal.storage.dynamo import PARTITION_KEY_BYTES, Transaction, batch_get, batch_write, dynamodb_errors
from langportal.storage.orderindex import Change, entry, sort_key
from langportal.storage.retry import retrying
from vocabulary.japanese import to_hiragana
from vocabulary.models import AuditEventModel, GroupModel, WordModel

SORT_ORDERS = ("japanese", "romaji", "english", "created_at")
GROUPS_INDEX = "groups:name"
TIME_KEY = "%Y-%m-%dT%H:%M:%S.%f"
STORE_CHUNK = 500  # items per progress step of a bulk store


@dataclass(frozen=True)
class Word:
    id: str
    japanese: str
    kana: str
    romaji: str
    english: str
    part_of_speech: str | None
    group_ids: frozenset[str]
    created_at: datetime
    updated_at: datetime
    audio_key: str | None = None
    audio_format: str | None = None
    audio_duration: float | None = None
    image_key: str | None = None
    image_width: int | None = None
    image_height: int | None = None
    thumbnail_key: str | None = None
    revision: int = 1


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    word_count: int = 0
    revision: int = 1


class WordChanged(Contended):
    """The word changed since it was read (or its new id was taken): read again, retry."""

    default_message = "The word was changed by someone else at the same time. Please retry."


class GroupChanged(Contended):
    """The group changed since it was read (or its new id was taken): read again, retry."""

    default_message = "The group was changed by someone else at the same time. Please retry."


class GroupNotFound(NotFound):
    code = "group_not_found"
    default_message = "No such group."


# --- records <-> items ---------------------------------------------------------------


def _word(item: WordModel) -> Word:
    return Word(
        id=item.id,
        japanese=item.japanese,
        kana=item.kana,
        romaji=item.romaji,
        english=item.english,
        part_of_speech=item.part_of_speech,
        group_ids=frozenset(item.group_ids or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
        audio_key=item.audio_key,
        audio_format=item.audio_format,
        audio_duration=float(item.audio_duration) if item.audio_duration is not None else None,
        image_key=item.image_key,
        image_width=int(item.image_width) if item.image_width is not None else None,
        image_height=int(item.image_height) if item.image_height is not None else None,
        thumbnail_key=item.thumbnail_key,
        revision=int(item.revision),
    )


def _word_item(word: Word) -> WordModel:
    return WordModel(
        word.id,
        japanese=word.japanese,
        kana=word.kana,
        romaji=word.romaji,
        english=word.english,
        part_of_speech=word.part_of_speech,
        group_ids=set(word.group_ids) or None,
        created_at=word.created_at,
        updated_at=word.updated_at,
        audio_key=word.audio_key,
        audio_format=word.audio_format,
        audio_duration=word.audio_duration,
        image_key=word.image_key,
        image_width=word.image_width,
        image_height=word.image_height,
        thumbnail_key=word.thumbnail_key,
        revision=word.revision,
    )


def _group(item: GroupModel) -> Group:
    return Group(
        id=item.id,
        name=item.name,
        created_at=item.created_at,
        updated_at=item.updated_at,
        word_count=int(item.word_count),
        revision=int(item.revision),
    )


def _group_item(group: Group) -> GroupModel:
    return GroupModel(
        group.id,
        name=group.name,
        word_count=group.word_count,
        created_at=group.created_at,
        updated_at=group.updated_at,
        revision=group.revision,
    )


# --- index entries -------------------------------------------------------------------


def words_index(order: str, group_id: str | None = None) -> str:
    return f"words:{order}" if group_id is None else f"group:{group_id}:{order}"


def _sort_keys(word: Word) -> dict[str, str]:
    return {
        # Japanese sorts by reading (gojūon order), then by how it is written.
        "japanese": f"{sort_key(to_hiragana(word.kana))} {sort_key(word.japanese)}",
        "romaji": sort_key(word.romaji),
        "english": sort_key(word.english),
        "created_at": word.created_at.strftime(TIME_KEY),
    }


def _word_entries(word: Word | None) -> dict[str, str]:
    """Index name -> this word's entry in it, for every index that lists the word."""
    if word is None:
        return {}
    keys = _sort_keys(word)
    return {
        words_index(order, scope): entry(keys[order], word.id)
        for scope in (None, *word.group_ids)
        for order in SORT_ORDERS
    }


def _changes(pairs: Iterable[tuple[Word | None, Word | None]]) -> dict[str, Change]:
    inserts: dict[str, set[str]] = defaultdict(set)
    removes: dict[str, set[str]] = defaultdict(set)
    for old, new in pairs:
        before, after = _word_entries(old), _word_entries(new)
        for name, value in before.items():
            if after.get(name) != value:
                removes[name].add(value)
        for name, value in after.items():
            if before.get(name) != value:
                inserts[name].add(value)
    return {name: Change(inserts[name], removes[name]) for name in inserts.keys() | removes.keys()}


# --- words ---------------------------------------------------------------------------


def word_get(word_id: str) -> Word | None:
    with dynamodb_errors():
        try:
            return _word(WordModel.get(word_id, consistent_read=True))
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
    found = {item.id: _word(item) for item in batch_get(WordModel, word_ids)}
    return [found[word_id] for word_id in word_ids if word_id in found]


def words_with_prefix(order: str, text: str, *, limit: int) -> list[str]:
    """Ids of words whose `order` key (reading for japanese) starts with `text`."""
    return orderindex.seek(words_index(order), sort_key(text), limit=limit)


def words_page(*, order: str, descending: bool, offset: int, limit: int, group_id: str | None = None):
    """One page of an index: (words, total number of words in the index)."""
    page = orderindex.read_slice(words_index(order, group_id), offset=offset, limit=limit, descending=descending)
    return words_get(page.ids), page.total


def words_total() -> int:
    return orderindex.read_total(words_index("created_at"))


@dataclass(frozen=True)
class AuditEvent:
    id: str
    subject: str
    actor: str
    action: str
    at: datetime
    before: dict | None
    after: dict | None


Record = Word | Group  # what the audit trail records changes of


def _snapshot(record: Record | None) -> str | None:
    return records.dumps(record) if record is not None else None


def _stage_audit(
    transaction: Transaction, subject: str, old: Record | None, new: Record | None, *, actor: str, action: str
) -> None:
    """Record who changed `subject` ("word:12", "group:3") and how, in the change's own transaction."""
    transaction.put(
        AuditEventModel(
            subject,
            str(ULID()),
            actor=actor,
            action=action,
            at=datetime.now(UTC),
            before=_snapshot(old),
            after=_snapshot(new),
        )
    )


def _action(old: Record | None, new: Record | None) -> str:
    return "create" if old is None else "delete" if new is None else "update"


def audit_events(subject: str, *, limit: int = 50) -> list[AuditEvent]:
    """The latest changes to one subject ("word:12"), newest first."""
    with dynamodb_errors():
        items = AuditEventModel.query(subject, scan_index_forward=False, limit=limit, consistent_read=True)
        return [
            AuditEvent(
                item.event_id,
                item.subject,
                item.actor,
                item.action,
                item.at,
                json.loads(item.before) if item.before else None,
                json.loads(item.after) if item.after else None,
            )
            for item in items
        ]


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
            _stage_audit(transaction, subject, old, new, actor=actor, action=action or _action(old, new))
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
    orderindex.stage(transaction, _changes(pairs))
    transaction.commit()


def _stage_word(transaction: Transaction, old: Word | None, new: Word | None) -> None:
    if new is None:
        transaction.delete(WordModel(old.id), condition=WordModel.revision == old.revision, failure=WordChanged)
    elif old is None:
        transaction.put(_word_item(new), condition=WordModel.id.does_not_exist(), failure=WordChanged)
    else:
        transaction.put(_word_item(new), condition=WordModel.revision == old.revision, failure=WordChanged)


# --- groups --------------------------------------------------------------------------


def group_get(group_id: str) -> Group | None:
    with dynamodb_errors():
        try:
            return _group(GroupModel.get(group_id, consistent_read=True))
        except GroupModel.DoesNotExist:
            return None


def groups_get(group_ids: list[str]) -> list[Group]:
    found = {item.id: _group(item) for item in batch_get(GroupModel, group_ids)}
    return [found[group_id] for group_id in group_ids if group_id in found]


def groups_page(*, descending: bool, offset: int, limit: int):
    page = orderindex.read_slice(GROUPS_INDEX, offset=offset, limit=limit, descending=descending)
    return groups_get(page.ids), page.total


def group_word_ids(group_id: str, *, offset: int, limit: int) -> list[str]:
    """Ids of a group's words, in Japanese order."""
    return orderindex.read_slice(words_index("japanese", group_id), offset=offset, limit=limit).ids


def _group_change(old: Group | None, new: Group | None) -> dict[str, Change]:
    before = {entry(sort_key(old.name), old.id)} if old else set()
    after = {entry(sort_key(new.name), new.id)} if new else set()
    return {GROUPS_INDEX: Change(inserts=after - before, removes=before - after)}


def group_write(old: Group | None, new: Group | None, *, actor: str | None = None, claim: Claim | None = None) -> None:
    """Create, rename or delete a group with its entry in the groups index, in one
    transaction with its audit event (when a person, `actor`, made the change) and the
    request's Idempotency-Key (`claim`).

    A group changed since `old` was read, or a new group's id taken, raises GroupChanged.
    Deleting takes the group's word indexes with it, which must be empty: IndexMoved if
    a word joined meanwhile.
    """
    transaction = Transaction()
    subject = f"group:{(new or old).id}"
    if actor:
        _stage_audit(transaction, subject, old, new, actor=actor, action=_action(old, new))
    if new is None:
        transaction.delete(GroupModel(old.id), condition=GroupModel.revision == old.revision, failure=GroupChanged)
        orderindex.stage_drop(transaction, [words_index(order, old.id) for order in SORT_ORDERS])
    elif old is None:
        transaction.put(_group_item(new), condition=GroupModel.id.does_not_exist(), failure=GroupChanged)
    else:
        transaction.update(
            GroupModel(new.id),
            actions=[
                GroupModel.name.set(new.name),
                GroupModel.updated_at.set(new.updated_at),
                GroupModel.revision.add(1),
            ],
            condition=GroupModel.revision == old.revision,
            failure=GroupChanged,
        )
    if claim:
        claim.stage(transaction)
    orderindex.stage(transaction, _group_change(old, new))
    transaction.commit()


# --- bulk import ---------------------------------------------------------------------


def records_store(*, groups: list[Group], words: list[Word], progress: Progress = silent) -> None:
    """Write new groups and words in batches, for imports too large for a transaction.

    They are not listed until `records_index` adds them to their indexes; an import
    stores first and indexes after, from what is stored, so running it again after a
    failure completes the work instead of duplicating it.
    """
    advance = progress("Storing", len(groups) + len(words))
    for model, stored, item in ((GroupModel, groups, _group_item), (WordModel, words, _word_item)):
        for start in range(0, len(stored), STORE_CHUNK):
            chunk = stored[start : start + STORE_CHUNK]
            batch_write(model, puts=[item(record) for record in chunk])
            advance(len(chunk))


def records_index(*, groups: list[Group], words: list[Word], progress: Progress = silent) -> None:
    """Add stored groups and words to their indexes, rebuilding each index once, and
    set the word counts of their groups from the rebuilt indexes."""
    changes = _changes((None, word) for word in words)
    if groups:
        changes[GROUPS_INDEX] = Change(inserts={entry(sort_key(group.name), group.id) for group in groups})
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


def replace_word(word: Word, **changes) -> Word:
    """A copy of `word` with `changes`, one revision later."""
    return replace(word, revision=word.revision + 1, **changes)
