"""The only code that reads and writes vocabulary in DynamoDB.

Words and groups are read by key. Listings read ordered indexes (langportal.orderindex):
one per sort order over all words, one per sort order over each group's words, and one
over groups by name. Every write changes the items and their index entries in one
transaction. Access patterns and costs: docs/data-model.md.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from ulid import ULID

from langportal import orderindex
from langportal.dynamo import Transaction, TransactionConflict, dynamodb_errors
from langportal.errors import Conflict, NotFound
from langportal.models import OrderNodeModel
from langportal.orderindex import Change, entry, sort_key
from langportal.progress import Progress, silent
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


class WordChanged(Conflict):
    code = "word_changed"
    default_message = "The word was changed by someone else at the same time. Please retry."


class GroupChanged(Conflict):
    code = "group_changed"
    default_message = "The group was changed by someone else at the same time. Please retry."


class GroupNotEmpty(Conflict):
    code = "group_not_empty"
    default_message = "The group still has words."


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
    changes: dict[str, Change] = defaultdict(Change)
    for old, new in pairs:
        before, after = _word_entries(old), _word_entries(new)
        for name, value in before.items():
            if after.get(name) != value:
                changes[name].removes.add(value)
        for name, value in after.items():
            if before.get(name) != value:
                changes[name].inserts.add(value)
    return changes


# --- words ---------------------------------------------------------------------------


def word_get(word_id: str) -> Word | None:
    with dynamodb_errors():
        try:
            return _word(WordModel.get(word_id))
        except WordModel.DoesNotExist:
            return None


def words_written(japanese: str) -> list[Word]:
    """Words written exactly so (index by-japanese), oldest first."""
    with dynamodb_errors():
        found = [_word(item) for item in WordModel.by_japanese.query(japanese)]
    return sorted(found, key=lambda word: int(word.id))


def words_get(word_ids: list[str]) -> list[Word]:
    """Words by id in the order asked; ids with no word are left out."""
    if not word_ids:
        return []
    with dynamodb_errors():
        found = {item.id: _word(item) for item in WordModel.batch_get(list(dict.fromkeys(word_ids)))}
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
    if record is None:
        return None
    fields = asdict(record)
    if isinstance(record, Word):
        fields["group_ids"] = sorted(record.group_ids, key=int)
    return json.dumps(fields, default=str, ensure_ascii=False)


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
        ),
        label="audit",
    )


def _action(old: Record | None, new: Record | None) -> str:
    return "create" if old is None else "delete" if new is None else "update"


def audit_events(subject: str, *, limit: int = 50) -> list[AuditEvent]:
    """The latest changes to one subject ("word:12"), newest first."""
    with dynamodb_errors():
        items = AuditEventModel.query(subject, scan_index_forward=False, limit=limit)
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
    pairs: list[tuple[Word | None, Word | None]], *, actor: str | None = None, action: str | None = None
) -> None:
    """Create (None, new), replace (old, new) or delete (old, None) words atomically.

    The word items, their entries in every index, the word counts of the groups they
    join or leave and, when a person (`actor`) made the change, its audit events change
    in one transaction. A word changed since `old` was read raises WordChanged; a group
    that does not exist raises GroupNotFound.
    """
    if not pairs:
        return
    deltas: dict[str, int] = defaultdict(int)
    for old, new in pairs:
        for group_id in old.group_ids if old else ():
            deltas[group_id] -= 1
        for group_id in new.group_ids if new else ():
            deltas[group_id] += 1

    def build(transaction: Transaction) -> None:
        for old, new in pairs:
            _stage_word(transaction, old, new)
            if actor:
                _stage_audit(
                    transaction, f"word:{(new or old).id}", old, new, actor=actor, action=action or _action(old, new)
                )
        for group_id, delta in deltas.items():
            if delta:
                transaction.update(
                    GroupModel(group_id),
                    actions=[GroupModel.word_count.add(delta)],
                    condition=GroupModel.id.exists(),
                    label=f"group:{group_id}",
                )
        orderindex.stage(transaction, _changes(pairs))

    try:
        orderindex.commit_with_retry(build)
    except TransactionConflict as conflict:
        raise _write_error(conflict) from conflict


def _stage_word(transaction: Transaction, old: Word | None, new: Word | None) -> None:
    label = f"word:{(new or old).id}"
    if new is None:
        transaction.delete(WordModel(old.id), condition=WordModel.revision == old.revision, label=label)
    elif old is None:
        transaction.put(_word_item(new), condition=WordModel.id.does_not_exist(), label=label)
    else:
        transaction.put(_word_item(new), condition=WordModel.revision == old.revision, label=label)


def _write_error(conflict: TransactionConflict) -> Exception:
    groups = sorted(label.split(":", 1)[1] for label in conflict.failed if label.startswith("group:"))
    if groups:
        return GroupNotFound(f"No group with id {', '.join(groups)}.", details={"group_ids": groups})
    if any(label.startswith("word:") for label in conflict.failed):
        return WordChanged()
    return conflict


# --- groups --------------------------------------------------------------------------


def group_get(group_id: str) -> Group | None:
    with dynamodb_errors():
        try:
            return _group(GroupModel.get(group_id))
        except GroupModel.DoesNotExist:
            return None


def groups_get(group_ids: list[str]) -> list[Group]:
    if not group_ids:
        return []
    with dynamodb_errors():
        found = {item.id: _group(item) for item in GroupModel.batch_get(list(dict.fromkeys(group_ids)))}
    return [found[group_id] for group_id in group_ids if group_id in found]


def groups_page(*, descending: bool, offset: int, limit: int):
    page = orderindex.read_slice(GROUPS_INDEX, offset=offset, limit=limit, descending=descending)
    return groups_get(page.ids), page.total


def group_word_ids(group_id: str, *, offset: int, limit: int, consistent: bool = False) -> list[str]:
    """Ids of a group's words, in Japanese order."""
    index = words_index("japanese", group_id)
    return orderindex.read_slice(index, offset=offset, limit=limit, consistent=consistent).ids


def _group_change(old: Group | None, new: Group | None) -> dict[str, Change]:
    change = Change()
    if old is not None:
        change.removes.add(entry(sort_key(old.name), old.id))
    if new is not None:
        change.inserts.add(entry(sort_key(new.name), new.id))
    shared = change.inserts & change.removes
    return {GROUPS_INDEX: Change(change.inserts - shared, change.removes - shared)}


def group_write(old: Group | None, new: Group | None, *, actor: str | None = None) -> None:
    """Create, rename or delete a group with its entry in the groups index.

    Deleting requires the group to be empty (GroupNotEmpty otherwise); its word
    indexes go with it. When a person (`actor`) made the change, its audit event is
    written in the same transaction.
    """

    def build(transaction: Transaction) -> None:
        label = f"group:{(new or old).id}"
        if actor:
            _stage_audit(transaction, label, old, new, actor=actor, action=_action(old, new))
        if new is None:
            condition = (GroupModel.revision == old.revision) & (GroupModel.word_count == 0)
            transaction.delete(GroupModel(old.id), condition=condition, label=label)
            for order in SORT_ORDERS:
                transaction.delete(OrderNodeModel(words_index(order, old.id), orderindex.ROOT), label="empty-index")
        elif old is None:
            transaction.put(_group_item(new), condition=GroupModel.id.does_not_exist(), label=label)
        else:
            transaction.update(
                GroupModel(new.id),
                actions=[
                    GroupModel.name.set(new.name),
                    GroupModel.updated_at.set(new.updated_at),
                    GroupModel.revision.add(1),
                ],
                condition=GroupModel.revision == old.revision,
                label=label,
            )
        orderindex.stage(transaction, _group_change(old, new))

    try:
        orderindex.commit_with_retry(build)
    except TransactionConflict as conflict:
        current = group_get(old.id) if new is None else None
        if current is not None and current.word_count:
            raise GroupNotEmpty() from conflict
        raise GroupChanged() from conflict


# --- bulk import ---------------------------------------------------------------------


def records_store(*, groups: list[Group], words: list[Word], progress: Progress = silent) -> None:
    """Write new groups and words in batches, for imports too large for a transaction.

    They are not listed until `records_index` adds them to their indexes; an import
    stores first and indexes after, from what is stored, so running it again after a
    failure completes the work instead of duplicating it.
    """
    advance = progress("Storing", len(groups) + len(words))
    with dynamodb_errors():
        for model, records, item in ((GroupModel, groups, _group_item), (WordModel, words, _word_item)):
            for start in range(0, len(records), STORE_CHUNK):
                chunk = records[start : start + STORE_CHUNK]
                with model.batch_write() as batch:
                    for record in chunk:
                        batch.save(item(record))
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
    for group_id in counted:
        total = orderindex.read_total(words_index("japanese", group_id))
        with dynamodb_errors():
            GroupModel(group_id).update(actions=[GroupModel.word_count.set(total)], condition=GroupModel.id.exists())


def replace_word(word: Word, **changes) -> Word:
    """A copy of `word` with `changes`, one revision later."""
    return replace(word, revision=word.revision + 1, **changes)
