"""Imports: one rule for every door that brings vocabulary in (the admin's import, the
seed script, the local stack's starter vocabulary).

- A word with an id is updated if it exists, and created with that id if it does not.
- A word without an id is matched by its Japanese and English, exactly: the oldest such
  word is updated, or else a new word is created with a fresh id.
- An update sets the fields the entry gives; kana and romaji follow a new Japanese unless
  given. An update that changes nothing is "unchanged" and writes nothing, so importing
  the same file twice changes nothing.
- Groups likewise: by id (renamed, or created with that id), else by name (the group of
  that name, or a new one).
- A word naming a group that neither exists nor comes with the import is rejected, and
  so is an entry for a word or group the import names twice; the others go on.
- Sequences move past the imported ids, so that later words and groups get new ones.

Entries are checked input (vocabulary.documents). `import_preview` says what each entry
of a file would do; `import_entry` imports one entry (an import job's row) through the
word and group services, audited with its actor and under an Idempotency-Key of its own
(`import_record` answers the record too);
`vocabulary_import` is the bulk path for seeding, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from langportal import records
from langportal.errors import InvalidInput
from langportal.idempotency import Idempotency
from langportal.progress import Progress, silent
from langportal.storage.retry import resending
from langportal.storage.sequences import sequence_advance, sequence_next
from vocabulary import repositories as repo
from vocabulary.repositories import Group, Word
from vocabulary.services.groups import group_create, group_rename
from vocabulary.services.words import derived, group_ids_checked, word_after, word_create, word_update

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class Planned:
    """What importing one entry does, or why it cannot."""

    kind: str  # "group" or "word"
    position: int  # its place among the entries of its kind, from 0
    action: str | None  # CREATE, UPDATE or UNCHANGED; None when rejected
    id: str | None  # the given or matched id; None for a new record without one
    fields: dict  # what the entry sets, its id left out
    error: str | None = None
    old: Word | Group | None = None  # the stored record it matched
    new: Word | Group | None = None  # the record after the import (its id None when fresh)


@dataclass(frozen=True)
class ImportResult:
    created_words: list[str | None]  # None: a fresh id a dry run did not draw
    updated_words: list[str]
    unchanged_words: list[str]
    created_groups: list[str | None]
    updated_groups: list[str]
    unchanged_groups: list[str]
    rejected: dict[str, str]  # the word's id (or "#position" without one) -> why it was left out
    rejected_groups: dict[str, str]  # the same for groups


def import_preview(*, groups: list[dict], words: list[dict], now: datetime | None = None) -> list[Planned]:
    """What importing each entry would do: the groups', then the words'. Writes nothing."""
    now = now or datetime.now(UTC)
    group_plans = [_group_plan(position, fields, now) for position, fields in enumerate(groups)]
    group_plans = _once(group_plans, lambda plan: plan.id or ("name", plan.fields["name"]))
    referenced = sorted({group_id for fields in words for group_id in fields.get("group_ids", ())})
    known = {group.id for group in repo.groups_get(referenced)}
    known |= {plan.id for plan in group_plans if plan.action and plan.id}
    stored = {word.id: word for word in repo.words_get([fields["id"] for fields in words if fields.get("id")])}
    word_plans = [_word_plan(position, fields, stored, known, now) for position, fields in enumerate(words)]
    word_plans = _once(word_plans, lambda plan: plan.id or ("new", plan.fields["japanese"], plan.fields["english"]))
    return group_plans + word_plans


def _group_plan(position: int, fields: dict, now: datetime) -> Planned:
    group_id, name = fields.get("id"), fields["name"]
    old = repo.group_get(group_id) if group_id else next(iter(repo.groups_named(name)), None)
    plan = Planned("group", position, CREATE, group_id or (old and old.id), {"name": name}, old=old)
    if old is None:
        return replace(plan, new=Group(group_id, name, now, now))
    if old.name == name:
        return replace(plan, action=UNCHANGED, new=old)
    return replace(plan, action=UPDATE, new=replace(old, name=name, updated_at=now, revision=old.revision + 1))


def _word_plan(position: int, fields: dict, stored: dict[str, Word], known: set[str], now: datetime) -> Planned:
    changes = {name: value for name, value in fields.items() if name != "id"}
    word_id = fields.get("id")
    old = stored.get(word_id) if word_id else _word_matching(changes["japanese"], changes["english"])
    plan = Planned("word", position, CREATE, word_id or (old and old.id), changes, old=old)
    if unknown := sorted(set(changes.get("group_ids", ())) - known, key=int):
        return replace(plan, action=None, error=f"unknown group {', '.join(unknown)}")
    try:
        new = word_after(old, changes, now) if old else _new_word(word_id, changes, now)
    except InvalidInput as error:  # kana or romaji computed too long, too many groups
        return replace(plan, action=None, error=error.message)
    if old is None:
        return replace(plan, new=new)
    return replace(plan, action=UNCHANGED if new == old else UPDATE, new=new)


def _word_matching(japanese: str, english: str) -> Word | None:
    return next((word for word in repo.words_written(japanese) if word.english == english), None)


def _new_word(word_id: str | None, changes: dict, now: datetime) -> Word:
    kana, romaji = derived(changes["japanese"], changes.get("kana"), changes.get("romaji"))
    group_ids = group_ids_checked(changes.get("group_ids", ()))
    english, part_of_speech = changes["english"], changes.get("part_of_speech")
    return Word(word_id, changes["japanese"], kana, romaji, english, part_of_speech, group_ids, now, now)


def _once(plans: list[Planned], target) -> list[Planned]:
    """The second entry for the same record is rejected: which of the two would win is
    no rule a teacher could see in the file."""
    seen = set()
    checked = []
    for plan in plans:
        if plan.action is not None and target(plan) in seen:
            plan = replace(plan, action=None, error=f"This {plan.kind} appears more than once.")
        elif plan.action is not None:
            seen.add(target(plan))
        checked.append(plan)
    return checked


def _advance_sequences(plans: list[Planned]) -> None:
    """Move each sequence past the ids the import gives, before any fresh id is drawn."""
    for kind, name in (("group", "groups"), ("word", "words")):
        given = [int(plan.id) for plan in plans if plan.kind == kind and plan.action == CREATE and plan.id]
        if given:
            sequence_advance(name, past=max(given))


# --- a job's rows: one entry at a time ------------------------------------------------


def import_ids_reserve(*, group_id: int | None = None, word_id: int | None = None) -> None:
    """Move the sequences past the largest ids a file gives, before any of its entries is
    imported: a fresh id drawn for an earlier entry is then never one a later entry names."""
    for name, past in (("groups", group_id), ("words", word_id)):
        if past is not None:
            sequence_advance(name, past=past)


def import_entry(*, kind: str, fields: dict, key: str, actor: str, user_id: str) -> str:
    """Import one checked entry ("group" or "word") by the rule above, audited with
    `actor`, under the Idempotency-Key `key`; what it did (CREATE, UPDATE or UNCHANGED).
    InvalidInput when the rule rejects it (an unknown group, say).

    Run again with the same key, it writes nothing and answers what it did the first
    time: the record stored under the key is at its first revision when the entry made it.
    The caller reserves the file's ids first (import_ids_reserve); an entry twice in one
    file is the caller's to reject, since this sees one entry only."""
    return import_record(kind=kind, fields=fields, key=key, actor=actor, user_id=user_id)[0]


def import_record(*, kind: str, fields: dict, key: str, actor: str, user_id: str) -> tuple[str, Word | Group]:
    """`import_entry`, with the record the entry made, changed or matched: for an import
    whose row goes on with it (an Anki note's group and media)."""
    once = Idempotency.of(user_id=user_id, key=key, operation="import", arguments={"kind": kind, **fields})
    if (stored := once.stored_answer()) is not None:
        record = records.loads(Group if kind == "group" else Word, stored)
        return (CREATE if record.revision == 1 else UPDATE), record
    now = datetime.now(UTC)
    if kind == "group":
        plan = _group_plan(0, fields, now)
    else:
        known = {group.id for group in repo.groups_get(sorted(fields.get("group_ids", ())))}
        stored_word = {word.id: word for word in repo.words_get([fields["id"]])} if fields.get("id") else {}
        plan = _word_plan(0, fields, stored_word, known, now)
    if plan.error:
        raise InvalidInput(plan.error)
    if plan.action == UNCHANGED:
        return plan.action, plan.old
    return plan.action, resending(lambda: _write(plan, actor, once))


def _write(plan: Planned, actor: str, once: Idempotency) -> Word | Group:
    if plan.kind == "group" and plan.action == CREATE:
        return group_create(group_id=plan.id, actor=actor, idempotency=once, **plan.fields)
    if plan.kind == "group":
        return group_rename(group_id=plan.id, actor=actor, idempotency=once, **plan.fields)
    if plan.action == CREATE:
        return word_create(word_id=plan.id, actor=actor, idempotency=once, **plan.fields)
    return word_update(word_id=plan.id, actor=actor, idempotency=once, **plan.fields)


# --- seeding: in batches -----------------------------------------------------------------


def vocabulary_import(
    *,
    groups: list[dict],
    words: list[dict],
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Progress = silent,
) -> ImportResult:
    """Import entries by the rule above, new records in batches (for documents too large
    for a transaction each): seeding's path.

    New records are stored first and indexed after, from what is stored, so running an
    import again after a failure completes the work instead of duplicating it; updates
    go through the word and group services, one transaction each.
    """
    plans = import_preview(groups=groups, words=words, now=now)
    if not dry_run:
        _advance_sequences(plans)
        plans = [_with_fresh_id(plan) for plan in plans]
        _bulk_write(plans, progress)
    return ImportResult(
        created_words=_ids(plans, "word", CREATE),
        updated_words=_ids(plans, "word", UPDATE),
        unchanged_words=_ids(plans, "word", UNCHANGED),
        created_groups=_ids(plans, "group", CREATE),
        updated_groups=_ids(plans, "group", UPDATE),
        unchanged_groups=_ids(plans, "group", UNCHANGED),
        rejected=_rejected(plans, "word"),
        rejected_groups=_rejected(plans, "group"),
    )


def _rejected(plans: list[Planned], kind: str) -> dict[str, str]:
    return {plan.id or f"#{plan.position}": plan.error for plan in plans if plan.kind == kind and plan.error}


def _ids(plans: list[Planned], kind: str, action: str) -> list:
    return [plan.new.id for plan in plans if plan.kind == kind and plan.action == action]


def _with_fresh_id(plan: Planned) -> Planned:
    if plan.action != CREATE or plan.id:
        return plan
    new_id = sequence_next("groups" if plan.kind == "group" else "words")
    return replace(plan, id=new_id, new=replace(plan.new, id=new_id))


def _bulk_write(plans: list[Planned], progress: Progress) -> None:
    def records(kind: str, *actions: str) -> list:
        return [plan.new for plan in plans if plan.kind == kind and plan.action in actions]

    repo.records_store(groups=records("group", CREATE), words=records("word", CREATE), progress=progress)
    for plan in plans:
        if plan.action == UPDATE and plan.kind == "group":
            group_rename(group_id=plan.id, **plan.fields)
        elif plan.action == UPDATE:
            word_update(word_id=plan.id, **plan.fields)
    # Unchanged records are indexed again too: a failed import may have stored them unindexed.
    repo.records_index(
        groups=records("group", CREATE, UNCHANGED), words=records("word", CREATE, UNCHANGED), progress=progress
    )
