"""Words: reading, listing, searching, and creating, changing and deleting them, with the
kana and romaji derived from the Japanese."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from langportal.errors import Conflict, InvalidInput, NotFound
from langportal.idempotency import Idempotency, idempotent
from langportal.ids import is_id
from langportal.paging import Page, offset, page_of
from langportal.storage.sequences import sequence_next
from vocabulary import japanese as ja
from vocabulary import repositories as repo
from vocabulary.repositories import Word
from vocabulary.services.groups import group_get
from vocabulary.services.limits import KANA_MAX_LENGTH, MAX_GROUPS_PER_WORD, ROMAJI_MAX_LENGTH
from vocabulary.services.objects import objects_delete

SORT_ORDERS = repo.SORT_ORDERS


class WordNotFound(NotFound):
    code = "word_not_found"
    default_message = "No such word."


class WordEdited(Conflict):
    code = "word_edited"
    default_message = "Someone else changed this word since you opened it: check their change, then save again."


def word_get(*, word_id: str) -> Word:
    if not is_id(word_id):
        raise WordNotFound()  # names no word, and DynamoDB might refuse it as a key
    word = repo.word_get(word_id)
    if word is None:
        raise WordNotFound(f"No word with id {word_id}.")
    return word


def words_list(*, page: int, per_page: int, sort_by: str, descending: bool, group_id: str | None = None) -> Page:
    ids = word_ids_list(page=page, per_page=per_page, sort_by=sort_by, descending=descending, group_id=group_id)
    return replace(ids, items=words_get(word_ids=ids.items))


def word_ids_list(*, page: int, per_page: int, sort_by: str, descending: bool, group_id: str | None = None) -> Page:
    """The ids of a page of words (read from the ordered index alone), so that a caller can
    read the words and what it joins to them at once."""
    if group_id is not None:
        group_get(group_id=group_id)
    ids, total = repo.word_ids_page(
        order=sort_by,
        descending=descending,
        offset=offset(page, per_page),
        limit=per_page,
        group_id=group_id,
    )
    return page_of(ids, page=page, per_page=per_page, total=total)


def word_find(*, japanese: str) -> Word | None:
    """The vocabulary's word written so (the oldest, if several), or None."""
    found = repo.words_written(ja.normalize(japanese))
    return found[0] if found else None


def word_history(*, word_id: str, limit: int = 50, before: str | None = None) -> list[repo.AuditEvent]:
    """Who changed a word, how and when, newest first (older than the event `before`)."""
    return repo.audit_events(f"word:{word_id}", limit=limit, before=before)


def words_search(*, text: str, limit: int = 100) -> list[Word]:
    """Words whose Japanese, reading, romaji or English starts with `text` (no scans).

    Japanese text is looked up exactly and by the start of its reading; Latin text by
    the start of the romaji and of the English.
    """
    text = ja.normalize(text)
    if not text:
        return []
    ids: list[str] = []
    if ja.contains_japanese(text):
        ids += [word.id for word in repo.words_written(text)]
        ids += repo.words_with_prefix("japanese", ja.to_hiragana(ja.reading(text)), limit=limit)
    else:
        for order in ("romaji", "english"):
            ids += repo.words_with_prefix(order, text, limit=limit)
    return repo.words_get(list(dict.fromkeys(ids))[:limit])


def words_total() -> int:
    """How many words the vocabulary has."""
    return repo.words_total()


def derived(japanese: str, kana: str | None, romaji: str | None) -> tuple[str, str]:
    """Kana and romaji, computed from the Japanese when not given, and then held to the
    lengths given ones are (the API checks those)."""
    kana = kana or _computed("kana", ja.reading(japanese), KANA_MAX_LENGTH)
    return kana, romaji or _computed("romaji", ja.romanize(japanese, kana), ROMAJI_MAX_LENGTH)


def _computed(name: str, value: str, max_length: int) -> str:
    if len(value) > max_length:
        message = (
            f"The {name} computed from the Japanese would be {len(value)} characters long, "
            f"more than the {max_length} a word may have: give the {name}, or a shorter Japanese."
        )
        raise InvalidInput(message, details={name: [message]})
    return value


def group_ids_checked(group_ids: Iterable[str]) -> frozenset[str]:
    group_ids = frozenset(group_ids)
    if len(group_ids) > MAX_GROUPS_PER_WORD:
        raise InvalidInput(
            f"A word can belong to at most {MAX_GROUPS_PER_WORD} groups.", details={"group_ids": sorted(group_ids)}
        )
    return group_ids


def words_get(*, word_ids: list[str]) -> list[Word]:
    """Words by id, in the order asked; ids of words that do not exist are left out."""
    return repo.words_get([word_id for word_id in word_ids if is_id(word_id)])


def word_create(
    *,
    japanese: str,
    english: str,
    kana: str | None = None,
    romaji: str | None = None,
    part_of_speech: str | None = None,
    group_ids: Iterable[str] = (),
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
    word_id: str | None = None,
) -> Word:
    """Add a word with a new id (or `word_id`, an import's own); kana and romaji are
    computed when not given.

    `actor`, the person making a change, puts it in the word's audit trail, and a
    request's `idempotency` makes its repeats answer what the first got (here and in
    every service that changes words)."""
    now = now or datetime.now(UTC)
    kana, romaji = derived(japanese, kana, romaji)
    group_ids = group_ids_checked(group_ids)

    def create() -> Word:
        # A new id on every attempt: one taken by an import with explicit ids is skipped.
        new_id = word_id or sequence_next("words")
        word = Word(new_id, japanese, kana, romaji, english, part_of_speech, group_ids, now, now)
        repo.words_write([(None, word)], actor=actor, claim=idempotency and idempotency.claim(word))
        return word

    return idempotent(idempotency, Word, create)


def word_update(
    *,
    word_id: str,
    now: datetime | None = None,
    actor: str | None = None,
    revision: int | None = None,
    idempotency: Idempotency | None = None,
    **changes,
) -> Word:
    """Change some fields of a word. Kana and romaji follow the Japanese unless given.

    Given the `revision` the change was made on (an edit form), a word changed since is
    WordEdited (409); otherwise a change made at the same time by someone else is kept,
    ours applied on top."""

    def update() -> Word:
        old = word_get(word_id=word_id)
        if revision is not None and old.revision != revision:
            raise WordEdited()
        new = word_after(old, changes, now or datetime.now(UTC))
        if new == old:
            if idempotency:
                idempotency.record(old)
            return old
        repo.words_write([(old, new)], actor=actor, claim=idempotency and idempotency.claim(new))
        return new

    return idempotent(idempotency, Word, update)


def word_after(old: Word, changes: dict, now: datetime) -> Word:
    """The word after `changes`. Kana and romaji follow a new Japanese (or a new kana)
    unless given; given empty, they are computed again."""
    cleared = {name for name in ("kana", "romaji") if name in changes and not changes[name]}
    if "group_ids" in changes:
        changes = {**changes, "group_ids": frozenset(changes["group_ids"])}
    fields = {name: value for name, value in changes.items() if name not in cleared and value != getattr(old, name)}
    if cleared or "japanese" in fields or "kana" in fields:
        japanese = fields.get("japanese", old.japanese)
        keep_kana = "japanese" not in fields and "kana" not in cleared
        kana, romaji = derived(japanese, fields.get("kana") or (old.kana if keep_kana else None), None)
        fields["kana"] = kana
        fields.setdefault("romaji", romaji)
        fields = {name: value for name, value in fields.items() if value != getattr(old, name)}
    if not fields:
        return old
    if "group_ids" in fields:
        fields["group_ids"] = group_ids_checked(fields["group_ids"])
        if len(old.group_ids | fields["group_ids"]) > MAX_GROUPS_PER_WORD:
            raise InvalidInput(
                f"One change may involve at most {MAX_GROUPS_PER_WORD} groups: remove the word from some groups first.",
                details={"group_ids": sorted(fields["group_ids"])},
            )
    return repo.replace_word(old, updated_at=now, **fields)


def word_delete(*, word_id: str, actor: str | None = None, idempotency: Idempotency | None = None) -> None:
    """Delete a word, then its media files."""

    def delete() -> None:
        word = word_get(word_id=word_id)
        repo.words_write([(word, None)], actor=actor, claim=idempotency and idempotency.claim(None))
        objects_delete([word.audio_key, word.image_key, word.thumbnail_key])

    idempotent(idempotency, type(None), delete)
