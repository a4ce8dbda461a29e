"""Vocabulary rules: what may change, how derived fields follow, in which order.

The API, the admin, scripts and Lambda handlers all call these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from ulid import ULID

from langportal import records
from langportal.aws import unavailable_on_outage
from langportal.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unavailable, UnsupportedMediaType
from langportal.idempotency import Idempotency, idempotent
from langportal.ids import is_id
from langportal.paging import Page, offset, page_of
from langportal.progress import Progress, silent
from langportal.storage.retry import retrying
from langportal.storage.sequences import sequence_advance, sequence_next
from vocabulary import japanese as ja
from vocabulary import media
from vocabulary import repositories as repo
from vocabulary.repositories import Group, GroupNotFound, Word

logger = logging.getLogger(__name__)

SORT_ORDERS = repo.SORT_ORDERS
# One word in at most this many groups keeps every write within one DynamoDB
# transaction (100 items): see docs/data-model.md.
MAX_GROUPS_PER_WORD = 6
MEMBERSHIP_BATCH = 8  # words per transaction when groups gain or lose words
KANA_MAX_LENGTH = 200
ROMAJI_MAX_LENGTH = 200


class WordNotFound(NotFound):
    code = "word_not_found"
    default_message = "No such word."


class WordEdited(Conflict):
    code = "word_edited"
    default_message = "Someone else changed this word since you opened it: check their change, then save again."


def _now() -> datetime:
    return datetime.now(UTC)


# --- words ---------------------------------------------------------------------------


def word_get(*, word_id: str) -> Word:
    if not is_id(word_id):
        raise WordNotFound()  # names no word, and DynamoDB might refuse it as a key
    word = repo.word_get(word_id)
    if word is None:
        raise WordNotFound(f"No word with id {word_id}.")
    return word


def words_list(*, page: int, per_page: int, sort_by: str, descending: bool, group_id: str | None = None) -> Page:
    if group_id is not None:
        group_get(group_id=group_id)
    words, total = repo.words_page(
        order=sort_by,
        descending=descending,
        offset=offset(page, per_page),
        limit=per_page,
        group_id=group_id,
    )
    return page_of(words, page=page, per_page=per_page, total=total)


def word_find(*, japanese: str) -> Word | None:
    """The vocabulary's word written so (the oldest, if several), or None."""
    found = repo.words_written(ja.normalize(japanese))
    return found[0] if found else None


def group_word_ids(*, group_id: str, offset: int, limit: int) -> list[str]:
    """Ids of a group's words in Japanese order, a slice at a time."""
    return repo.group_word_ids(group_id, offset=offset, limit=limit)


def word_history(*, word_id: str, limit: int = 50) -> list[repo.AuditEvent]:
    """Who changed a word, how and when, newest first."""
    return repo.audit_events(f"word:{word_id}", limit=limit)


def group_history(*, group_id: str, limit: int = 50) -> list[repo.AuditEvent]:
    """Who created, renamed or deleted a group and when, newest first."""
    return repo.audit_events(f"group:{group_id}", limit=limit)


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


def _derived(japanese: str, kana: str | None, romaji: str | None) -> tuple[str, str]:
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


def _check_groups(group_ids: Iterable[str]) -> frozenset[str]:
    group_ids = frozenset(group_ids)
    if len(group_ids) > MAX_GROUPS_PER_WORD:
        raise InvalidInput(
            f"A word can belong to at most {MAX_GROUPS_PER_WORD} groups.", details={"group_ids": sorted(group_ids)}
        )
    return group_ids


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
) -> Word:
    """Add a word with a new id; kana and romaji are computed when not given.

    `actor`, the person making a change, puts it in the word's audit trail, and a
    request's `idempotency` makes its repeats answer what the first got (here and in
    every service that changes words)."""
    now = now or _now()
    kana, romaji = _derived(japanese, kana, romaji)
    group_ids = _check_groups(group_ids)

    def create() -> Word:
        # A new id on every attempt: one taken by an import with explicit ids is skipped.
        word = Word(sequence_next("words"), japanese, kana, romaji, english, part_of_speech, group_ids, now, now)
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
        new = _updated(old, changes, now or _now())
        if new == old:
            if idempotency:
                idempotency.record(old)
            return old
        repo.words_write([(old, new)], actor=actor, claim=idempotency and idempotency.claim(new))
        return new

    return idempotent(idempotency, Word, update)


def _updated(old: Word, changes: dict, now: datetime) -> Word:
    """The word after `changes`. Kana and romaji follow a new Japanese (or a new kana)
    unless given; given empty, they are computed again."""
    cleared = {name for name in ("kana", "romaji") if name in changes and not changes[name]}
    if "group_ids" in changes:
        changes = {**changes, "group_ids": frozenset(changes["group_ids"])}
    fields = {name: value for name, value in changes.items() if name not in cleared and value != getattr(old, name)}
    if cleared or "japanese" in fields or "kana" in fields:
        japanese = fields.get("japanese", old.japanese)
        keep_kana = "japanese" not in fields and "kana" not in cleared
        kana, romaji = _derived(japanese, fields.get("kana") or (old.kana if keep_kana else None), None)
        fields["kana"] = kana
        fields.setdefault("romaji", romaji)
        fields = {name: value for name, value in fields.items() if value != getattr(old, name)}
    if not fields:
        return old
    if "group_ids" in fields:
        fields["group_ids"] = _check_groups(fields["group_ids"])
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
        _media_delete([word.audio_key, word.image_key, word.thumbnail_key])

    idempotent(idempotency, type(None), delete)


# --- media ---------------------------------------------------------------------------


class EmptyFile(InvalidInput):
    code = "empty_file"
    default_message = "The file is empty."


class MediaTypeMismatch(UnsupportedMediaType):
    code = "media_type_mismatch"
    default_message = "The file's content is not the type it was declared as."


@dataclass(frozen=True)
class Upload:
    word: Word
    key: str
    media_type: media.MediaType
    size: int

    @property
    def url(self) -> str:
        return media_url(self.key)


def media_url(key: str | None) -> str | None:
    """A URL a browser can fetch: presigned for a private bucket, or on the custom domain."""
    return default_storage.url(key) if key else None


def media_check(file, declared_type: str | None = None) -> media.MediaType:
    """What an uploaded file is, from its bytes; the rules of every upload path."""
    if file.size == 0:
        raise EmptyFile()
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    if file.size > limit:
        raise PayloadTooLarge(f"Files may be at most {limit} bytes.", details={"max_bytes": limit})
    header = file.read(media.HEADER_BYTES)
    file.seek(0)
    media_type = media.recognise(header)
    if media_type is None:
        accepted = ", ".join(sorted(media.ACCEPTED))
        raise UnsupportedMediaType(
            f"Upload audio or an image: {accepted}.", details={"accepted": sorted(media.ACCEPTED)}
        )
    if not media.declared_matches(declared_type, media_type):
        raise MediaTypeMismatch(f"The file is {media_type.content_type}, not {declared_type}.")
    if media_type.kind == "image":
        try:
            media.image_check(file, max_pixels=settings.MEDIA_MAX_IMAGE_PIXELS)
        except media.TooManyPixels as error:
            raise _image_too_large(error) from error
        except media.Unreadable as error:
            raise UnsupportedMediaType("The image cannot be read.") from error
    return media_type


class ImageTooLarge(PayloadTooLarge):
    code = "image_too_large"


def _image_too_large(error: media.TooManyPixels) -> ImageTooLarge:
    details = {"max_pixels": error.max_pixels}
    if error.size:
        details |= {"width": error.size[0], "height": error.size[1]}
    return ImageTooLarge(str(error), details=details)


def media_upload(
    *,
    word_id: str,
    file,
    declared_type: str | None = None,
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Upload:
    """Store a word's audio or image in S3 and point the word at it.

    The new object is written first, then the word; if the word cannot be changed the
    new object is removed again, and once it is changed the old object goes. A word
    has one audio file and one image.
    """
    if idempotency and (stored := idempotency.stored_answer()) is not None:
        return records.loads(Upload, stored)  # a repeat: do not store the file again
    word_get(word_id=word_id)
    media_type = media_check(file, declared_type)
    key = media.new_key(word_id, media_type)
    content = File(file, name=key)
    content.content_type = media_type.content_type
    with unavailable_on_outage("S3"):
        default_storage.save(key, content)

    def attach() -> Upload:
        old = word_get(word_id=word_id)
        new = repo.replace_word(old, updated_at=now or _now(), **_media_fields(media_type.kind, key))
        upload = Upload(new, key, media_type, file.size)
        action = f"upload {media_type.kind}"
        repo.words_write([(old, new)], actor=actor, action=action, claim=idempotency and idempotency.claim(upload))
        _media_delete([old.audio_key] if media_type.kind == "audio" else [old.image_key, old.thumbnail_key])
        return upload

    try:
        upload = idempotent(idempotency, Upload, attach)
    except Exception:
        _media_delete([key])
        raise
    if upload.key != key:  # the same request, sent twice at once, attached its file first
        _media_delete([key])
    elif settings.MEDIA_PROCESSING == "inline":
        media_process(key=key)
        upload = replace(upload, word=repo.word_get(word_id) or upload.word)
    return upload


def _media_fields(kind: str, key: str | None) -> dict:
    if kind == "audio":
        return {"audio_key": key, "audio_format": None, "audio_duration": None}
    return {"image_key": key, "image_width": None, "image_height": None, "thumbnail_key": None}


def _media_delete(keys: Iterable[str | None]) -> None:
    """Remove objects no word points at any more; a failure leaves an orphan, not a broken link."""
    for key in filter(None, keys):
        try:
            default_storage.delete(key)
        except (BotoCoreError, ClientError):
            logger.warning("Could not delete s3://%s/%s; it is no longer referenced.", settings.MEDIA_BUCKET, key)


class MediaPending(Unavailable):
    """An upload is in S3 but its word does not point at it yet: the word's write may be
    on its way (S3 tells the media Lambda as soon as the object lands, which can be
    before). The Lambda fails, and AWS delivers the event again a little later."""

    default_message = "The upload's word is not written yet."


# An upload still not attached to its word after this long never will be: the upload failed.
PENDING_SECONDS = 15 * 60


def media_process(*, key: str, now: datetime | None = None) -> str:
    """Learn what an uploaded file holds and store it on its word (the media Lambda).

    Audio gets its format and duration; an image its size and a thumbnail written back
    to S3. Keys that are not uploads of ours, and files a word no longer uses, are left
    alone; a file already processed is not processed again; a file its word does not
    point at yet raises MediaPending; an image with more pixels than we decode is taken
    off its word and out of S3 undecoded. Returns what happened: "processed",
    "unchanged", "ignored" or "refused".
    """
    owned = media.owned(key)
    if owned is None:
        return "ignored"

    def process() -> str:
        word = repo.word_get(owned.word_id)
        current = None if word is None else word.audio_key if owned.kind == "audio" else word.image_key
        if current != key:
            return _unattached(key, owned, word, current, now or _now())
        if (word.audio_format if owned.kind == "audio" else word.thumbnail_key) is not None:
            return "unchanged"
        with unavailable_on_outage("S3"), default_storage.open(key) as stored:
            data = stored.read()
        try:
            details = _media_details(key, owned.kind, data)
        except media.TooManyPixels as error:
            return _media_refused(word, key, error)
        repo.words_write([(word, repo.replace_word(word, **details))])
        return "processed"

    return retrying(process)


def _media_refused(word: Word, key: str, error: media.TooManyPixels) -> str:
    """Uploads are checked before they are stored; one that was not (put in the bucket some
    other way, or before a lower limit) comes off its word and out of S3 here."""
    logger.warning("Refused %s, the image of word %s: %s", key, word.id, error)
    repo.words_write([(word, repo.replace_word(word, **_media_fields("image", None)))])
    _media_delete([key])
    return "refused"


def _unattached(key: str, owned: media.OwnedKey, word: Word | None, current: str | None, now: datetime) -> str:
    """An upload its word does not use: left alone ("ignored") when the word is gone, a
    later upload replaced it, its upload failed (the file is gone, or too old); otherwise
    its word's write is still to come (MediaPending)."""
    replaced = current is not None and (media.owned(current) or owned).name > owned.name
    with unavailable_on_outage("S3"):
        stored = word is not None and not replaced and default_storage.exists(key)
    if not stored or (now - ULID.from_str(owned.name).datetime).total_seconds() > PENDING_SECONDS:
        return "ignored"
    raise MediaPending(f"{key} is not attached to word {owned.word_id} yet.")


def _media_details(key: str, kind: str, data: bytes) -> dict:
    extension = key.rsplit(".", 1)[1]
    if kind == "audio":
        try:
            info = media.audio_info(data, extension)
        except media.Unreadable:
            logger.warning("No duration could be read from %s.", key)
            info = media.AudioInfo(extension, None)
        return {"audio_format": info.format, "audio_duration": info.duration}
    info = media.image_info(data, max_pixels=settings.MEDIA_MAX_IMAGE_PIXELS)
    thumbnail = ContentFile(info.thumbnail, name=media.thumbnail_key(key))
    thumbnail.content_type = "image/webp"
    with unavailable_on_outage("S3"):
        default_storage.save(thumbnail.name, thumbnail)
    return {"image_width": info.width, "image_height": info.height, "thumbnail_key": thumbnail.name}


# --- groups --------------------------------------------------------------------------


def group_get(*, group_id: str) -> Group:
    if not is_id(group_id):
        raise GroupNotFound()
    group = repo.group_get(group_id)
    if group is None:
        raise GroupNotFound(f"No group with id {group_id}.")
    return group


def words_get(*, word_ids: list[str]) -> list[Word]:
    """Words by id, in the order asked; ids of words that do not exist are left out."""
    return repo.words_get([word_id for word_id in word_ids if is_id(word_id)])


def groups_get(*, group_ids: list[str]) -> list[Group]:
    """Groups by id, in the order asked; ids of groups that do not exist are left out."""
    return repo.groups_get([group_id for group_id in group_ids if is_id(group_id)])


def groups_list(*, page: int, per_page: int, descending: bool = False) -> Page:
    groups, total = repo.groups_page(descending=descending, offset=offset(page, per_page), limit=per_page)
    return page_of(groups, page=page, per_page=per_page, total=total)


def group_create(
    *, name: str, now: datetime | None = None, actor: str | None = None, idempotency: Idempotency | None = None
) -> Group:
    now = now or _now()

    def create() -> Group:
        group = Group(id=sequence_next("groups"), name=name, created_at=now, updated_at=now)
        repo.group_write(None, group, actor=actor, claim=idempotency and idempotency.claim(group))
        return group

    return idempotent(idempotency, Group, create)


def group_rename(
    *,
    group_id: str,
    name: str,
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    def rename() -> Group:
        old = group_get(group_id=group_id)
        if old.name == name:
            if idempotency:
                idempotency.record(old)
            return old
        new = Group(old.id, name, old.created_at, now or _now(), old.word_count, old.revision + 1)
        repo.group_write(old, new, actor=actor, claim=idempotency and idempotency.claim(new))
        return new

    return idempotent(idempotency, Group, rename)


def group_delete(*, group_id: str, actor: str | None = None, idempotency: Idempotency | None = None) -> None:
    """Delete a group; its words stay in the vocabulary and leave the group first.

    Interrupted, it leaves a smaller group; run again, it goes on where it stopped."""

    def delete() -> None:
        group_get(group_id=group_id)
        while word_ids := repo.group_word_ids(group_id, offset=0, limit=MEMBERSHIP_BATCH * 4):
            _change_membership(
                word_ids, _now(), lambda groups: groups - {group_id}, actor, f"remove from group {group_id}"
            )
        repo.group_write(group_get(group_id=group_id), None, actor=actor, claim=idempotency and idempotency.claim(None))

    idempotent(idempotency, type(None), delete)


def _words_or_404(word_ids: list[str]) -> list[Word]:
    words = words_get(word_ids=word_ids)
    missing = sorted(set(word_ids) - {word.id for word in words})
    if missing:
        raise WordNotFound(f"No word with id {', '.join(missing)}.", details={"word_ids": missing})
    return words


def group_add_words(
    *,
    group_id: str,
    word_ids: list[str],
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    """Put words in a group (words already in it are left as they are)."""

    def add() -> Group:
        group_get(group_id=group_id)
        full = [
            word.id
            for word in _words_or_404(word_ids)
            if group_id not in word.group_ids and len(word.group_ids) >= MAX_GROUPS_PER_WORD
        ]
        if full:
            raise InvalidInput(
                f"A word can belong to at most {MAX_GROUPS_PER_WORD} groups.", details={"word_ids": sorted(full)}
            )
        _change_membership(
            word_ids, now or _now(), lambda groups: groups | {group_id}, actor, f"add to group {group_id}"
        )
        return _recorded(idempotency, group_get(group_id=group_id))

    return idempotent(idempotency, Group, add)


def group_remove_words(
    *,
    group_id: str,
    word_ids: list[str],
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    def remove() -> Group:
        group_get(group_id=group_id)
        _words_or_404(word_ids)
        action = f"remove from group {group_id}"
        _change_membership(word_ids, now or _now(), lambda groups: groups - {group_id}, actor, action)
        return _recorded(idempotency, group_get(group_id=group_id))

    return idempotent(idempotency, Group, remove)


def _recorded(idempotency: Idempotency | None, group: Group) -> Group:
    """Membership changes come out the same when repeated: their key is claimed after."""
    if idempotency:
        idempotency.record(group)
    return group


def _change_membership(word_ids: list[str], now: datetime, change, actor: str | None, action: str) -> None:
    """Words join or leave groups, a few per transaction; a batch that loses a race
    raises Contended, and the caller starts again (the batches done stay done)."""
    word_ids = list(dict.fromkeys(word_ids))
    for start in range(0, len(word_ids), MEMBERSHIP_BATCH):
        pairs = [
            (word, repo.replace_word(word, group_ids=change(word.group_ids), updated_at=now))
            for word in repo.words_get(word_ids[start : start + MEMBERSHIP_BATCH])
            if change(word.group_ids) != word.group_ids
        ]
        repo.words_write(pairs, actor=actor, action=action)


# --- bulk import ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created_words: list[str]
    existing_words: list[str]
    created_groups: list[str]
    existing_groups: list[str]
    rejected: dict[str, str]  # word id -> why it was left out


def vocabulary_import(
    *,
    groups: list[dict],
    words: list[dict],
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Progress = silent,
) -> ImportResult:
    """Store groups and words that carry their own ids, keeping what is stored.

    Entries are checked input (see vocabulary.documents). An id that already exists
    is left as it is, since a teacher may have edited it, so an import can run again
    safely. A word naming an unknown group is rejected, the others go on. Sequences
    move past the imported ids so that later words get new ones.
    """
    now = now or _now()
    named = {group["id"] for group in groups} | {gid for fields in words for gid in fields.get("group_ids", ())}
    stored_groups = {group.id: group for group in repo.groups_get(sorted(named))}
    stored_words = {word.id: word for word in repo.words_get([fields["id"] for fields in words])}
    new_groups = [
        Group(id=group["id"], name=group["name"], created_at=now, updated_at=now)
        for group in groups
        if group["id"] not in stored_groups
    ]
    known_groups = set(stored_groups) | {group.id for group in new_groups}
    rejected, new_words = {}, []
    for fields in words:
        if fields["id"] in stored_words:
            continue
        if unknown := sorted(set(fields.get("group_ids", ())) - known_groups):
            rejected[fields["id"]] = f"unknown group {', '.join(unknown)}"
            continue
        try:
            new_words.append(_imported_word(fields, now))
        except InvalidInput as error:  # kana or romaji computed too long
            rejected[fields["id"]] = error.message
    if not dry_run:
        repo.records_store(groups=new_groups, words=new_words, progress=progress)
        for name, records in (("groups", groups), ("words", words)):
            if records:
                sequence_advance(name, past=max(int(record["id"]) for record in records))
        repo.records_index(
            groups=[stored_groups[group["id"]] for group in groups if group["id"] in stored_groups] + new_groups,
            words=[*stored_words.values(), *new_words],
            progress=progress,
        )
    return ImportResult(
        created_words=[word.id for word in new_words],
        existing_words=list(stored_words),
        created_groups=[group.id for group in new_groups],
        existing_groups=[group["id"] for group in groups if group["id"] in stored_groups],
        rejected=rejected,
    )


def _imported_word(fields: dict, now: datetime) -> Word:
    kana, romaji = _derived(fields["japanese"], fields.get("kana"), fields.get("romaji"))
    return Word(
        id=fields["id"],
        japanese=fields["japanese"],
        kana=kana,
        romaji=romaji,
        english=fields["english"],
        part_of_speech=fields.get("part_of_speech"),
        group_ids=_check_groups(fields.get("group_ids", ())),
        created_at=now,
        updated_at=now,
    )
