"""Media: uploads checked and stored in S3, attached to their words, then processed
(audio's format and duration, an image's size and thumbnail)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from ulid import ULID

from langportal import records
from langportal.aws import unavailable_on_outage
from langportal.errors import InvalidInput, PayloadTooLarge, Unavailable, UnsupportedMediaType
from langportal.idempotency import Idempotency, idempotent
from langportal.storage.retry import retrying
from vocabulary import media
from vocabulary import repositories as repo
from vocabulary.repositories import Word
from vocabulary.services.objects import media_url, objects_delete
from vocabulary.services.words import word_get

logger = logging.getLogger(__name__)


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
        new = repo.replace_word(old, updated_at=now or datetime.now(UTC), **_media_fields(media_type.kind, key))
        upload = Upload(new, key, media_type, file.size)
        action = f"upload {media_type.kind}"
        repo.words_write([(old, new)], actor=actor, action=action, claim=idempotency and idempotency.claim(upload))
        objects_delete([old.audio_key] if media_type.kind == "audio" else [old.image_key, old.thumbnail_key])
        return upload

    try:
        upload = idempotent(idempotency, Upload, attach)
    except Exception:
        objects_delete([key])
        raise
    if upload.key != key:  # the same request, sent twice at once, attached its file first
        objects_delete([key])
    elif settings.MEDIA_PROCESSING == "inline":
        media_process(key=key)
        upload = replace(upload, word=repo.word_get(word_id) or upload.word)
    return upload


def _media_fields(kind: str, key: str | None) -> dict:
    if kind == "audio":
        return {"audio_key": key, "audio_format": None, "audio_duration": None}
    return {"image_key": key, "image_width": None, "image_height": None, "thumbnail_key": None}


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
            return _unattached(key, owned, word, current, now or datetime.now(UTC))
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
    objects_delete([key])
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
