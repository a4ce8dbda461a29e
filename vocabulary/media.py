"""Word media: what we accept, where it lives in S3, what we learn from it.

A file is recognised from its first bytes (filetype), never from its name or the
content type a client declares. Keys are chosen here: words/<word id>/<kind>-<ULID>.<ext>
for uploads and words/<word id>/thumbs/<ULID>.webp for thumbnails, so nothing a client
sends reaches a key, and every upload has a new key (no stale caches).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import filetype
from PIL import Image, UnidentifiedImageError
from tinytag import TinyTag, TinyTagException
from ulid import ULID

HEADER_BYTES = 261  # what filetype needs to recognise every type below
THUMBNAIL_SIZE = (256, 256)


@dataclass(frozen=True)
class MediaType:
    kind: str  # "audio" or "image"
    extension: str
    content_type: str


ACCEPTED = {
    "mp3": MediaType("audio", "mp3", "audio/mpeg"),
    "ogg": MediaType("audio", "ogg", "audio/ogg"),
    "wav": MediaType("audio", "wav", "audio/wav"),
    "m4a": MediaType("audio", "m4a", "audio/mp4"),
    "png": MediaType("image", "png", "image/png"),
    "jpg": MediaType("image", "jpg", "image/jpeg"),
    "webp": MediaType("image", "webp", "image/webp"),
}
# Content types clients use for the same formats; any other specific type that
# disagrees with the bytes is a spoof.
ALIASES = {
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "image/jpg": "image/jpeg",
}
UNSPECIFIC = {"", "application/octet-stream", "binary/octet-stream"}

KEY = re.compile(
    r"^words/(?P<word_id>[1-9][0-9]*)/(?P<kind>audio|image)-(?P<name>[0-9A-Z]{26})\.(?P<extension>[a-z0-9]+)$"
)


def recognise(header: bytes) -> MediaType | None:
    """The accepted type these first bytes belong to, if any."""
    guess = filetype.guess(header)
    return ACCEPTED.get(guess.extension) if guess else None


def declared_matches(declared: str | None, media_type: MediaType) -> bool:
    """False when a client declared a specific type other than what the bytes are."""
    declared = (declared or "").split(";")[0].strip().lower()
    return declared in UNSPECIFIC or ALIASES.get(declared, declared) == media_type.content_type


def new_key(word_id: str, media_type: MediaType) -> str:
    return f"words/{word_id}/{media_type.kind}-{ULID()}.{media_type.extension}"


def thumbnail_key(key: str) -> str:
    match = KEY.match(key)
    return f"words/{match['word_id']}/thumbs/{match['name']}.webp"


@dataclass(frozen=True)
class OwnedKey:
    word_id: str
    kind: str
    name: str  # a ULID: later uploads have greater names


def owned(key: str) -> OwnedKey | None:
    """What an S3 key is, if it is an upload of ours (thumbnails and others are not)."""
    match = KEY.match(key)
    return OwnedKey(match["word_id"], match["kind"], match["name"]) if match else None


@dataclass(frozen=True)
class AudioInfo:
    format: str
    duration: float | None


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    thumbnail: bytes  # WEBP


class Unreadable(Exception):
    """The bytes look like an accepted type but cannot be decoded."""


class TooManyPixels(Exception):
    """An image larger than we decode, known from its header alone."""

    def __init__(self, max_pixels: int, size: tuple[int, int] | None = None):
        self.max_pixels, self.size = max_pixels, size
        declared = f"{size[0]}×{size[1]}" if size else "more"
        super().__init__(f"Images may have at most {max_pixels} pixels; this one has {declared}.")


@contextmanager
def _opened(data: io.BufferedIOBase, max_pixels: int) -> Iterator[Image.Image]:
    """An image read as far as its header, refused with TooManyPixels before anything
    decodes it if its size passes `max_pixels` (or Unreadable if it is no image)."""
    try:
        with Image.open(data) as image:
            if image.width * image.height > max_pixels:
                raise TooManyPixels(max_pixels, image.size)
            yield image
    # Pillow's own guard (Image.MAX_IMAGE_PIXELS, set from ours in vocabulary.apps) refuses
    # in Image.open past twice its limit, and past the limit where warnings are errors.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooManyPixels(max_pixels) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise Unreadable(str(error)) from error


def image_check(data: io.BufferedIOBase, *, max_pixels: int) -> None:
    """Check an image's header, size and structure without decoding its pixels; raises
    TooManyPixels or Unreadable."""
    try:
        with _opened(data, max_pixels) as image:
            image.verify()
    finally:
        data.seek(0)


def audio_info(data: bytes, extension: str) -> AudioInfo:
    try:
        tag = TinyTag.get(file_obj=io.BytesIO(data))
    except TinyTagException as error:
        raise Unreadable(str(error)) from error
    duration = round(tag.duration, 3) if tag.duration else None
    return AudioInfo(format=extension, duration=duration)


def image_info(data: bytes, *, max_pixels: int) -> ImageInfo:
    """An image's size and thumbnail; raises TooManyPixels (before decoding) or Unreadable."""
    with _opened(io.BytesIO(data), max_pixels) as image:
        width, height = image.size
        thumbnail = image.convert("RGB")
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        output = io.BytesIO()
        thumbnail.save(output, "WEBP", quality=80)
    return ImageInfo(width, height, output.getvalue())
