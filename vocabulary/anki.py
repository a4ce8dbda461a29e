"""Anki packages (`.apkg`) read with the standard library: a zip holding an SQLite
collection, numbered media files and a `media` map from their numbers to their names.

The collection is `collection.anki21` (or `collection.anki2` from older Anki): its table
`notes` holds each note's fields (`flds`, separated by \\x1f) and its note type (`mid`),
`cards` the decks the note's cards are in, and the one row of `col` the note types
(`models`) and decks (`decks`) as JSON. Anki 2.1.50 and later export
`collection.anki21b` instead, compressed with zstd, beside an `anki2` that only says to
upgrade: such a package is refused with how to export one we can read.

Nothing here knows Django: the import job (vocabulary.jobs.anki) reads a package it
downloaded to a file (SQLite needs one), within the bounds below, which a zip bomb
passes first.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from langportal.errors import InvalidInput

COLLECTIONS = ("collection.anki21", "collection.anki2")  # the newer first, as Anki reads them
NEWER_COLLECTION = "collection.anki21b"
MAX_MEMBERS = 50_000  # files in the zip: a deck's media and the three of its own
MAX_COLLECTION_BYTES = 128 * 1024 * 1024  # the collection, once uncompressed
MAX_MEDIA_MAP_BYTES = 8 * 1024 * 1024
SAMPLES = 3  # notes shown for each note type, to choose its fields by
FIELD_SEPARATOR = "\x1f"

TAG = re.compile(r"<[^>]*>")
SOUND = re.compile(r"\[sound:([^\]]+)\]")
IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
BREAK = re.compile(r"<br\s*/?>|</(?:div|p|li)>", re.IGNORECASE)
SPACE = re.compile(r"\s+")


class NotAPackage(InvalidInput):
    code = "not_an_anki_package"


def text(value: str) -> str:
    """A field's HTML as plain text: sound references and tags out, entities decoded,
    whitespace collapsed."""
    plain = TAG.sub("", BREAK.sub(" ", SOUND.sub(" ", value)))
    return SPACE.sub(" ", html.unescape(plain)).strip()


def sounds(value: str) -> list[str]:
    """The files a field plays, in order: its `[sound:name]` references."""
    return [name.strip() for name in SOUND.findall(value)]


def images(value: str) -> list[str]:
    """The files a field shows, in order: its `<img src="name">`."""
    return [html.unescape(next(filter(None, groups))) for groups in IMAGE.findall(value) if any(groups)]


@dataclass(frozen=True)
class NoteType:
    id: str
    name: str
    fields: list[str]
    notes: int = 0
    samples: list[dict[str, str]] = field(default_factory=list)  # a few notes, field name -> text


@dataclass(frozen=True)
class Note:
    id: int
    note_type: str  # its NoteType's id
    fields: dict[str, str]  # field name -> the field's HTML
    deck: str  # the deck of its first card

    @property
    def sounds(self) -> list[str]:
        return [name for value in self.fields.values() for name in sounds(value)]

    @property
    def images(self) -> list[str]:
        return [name for value in self.fields.values() for name in images(value)]


@dataclass(frozen=True)
class MediaFile:
    """A media file of an open package, read when wanted; shown (in a job's error report,
    say) by its name."""

    name: str
    package: Package = field(repr=False, compare=False)

    def read(self, *, max_bytes: int) -> bytes:
        return self.package.media(self.name, max_bytes=max_bytes)

    def __str__(self) -> str:
        return self.name


class Package:
    """An opened package: its note types, decks and notes, and the media it holds."""

    def __init__(self, archive: zipfile.ZipFile, collection: Path):
        self._archive = archive
        self._database = sqlite3.connect(f"{collection.as_uri()}?mode=ro", uri=True)
        self._media = _media_map(archive)
        with _unreadable_collection():
            models, decks = self._database.execute("SELECT models, decks FROM col").fetchone()
            self.note_types = _note_types(json.loads(models))
            self.decks = {str(deck_id): str(deck["name"]) for deck_id, deck in json.loads(decks).items()}
            counts = dict(self._database.execute("SELECT mid, count(*) FROM notes GROUP BY mid"))
            self.note_count = sum(counts.values())
            # The note types a collection keeps without notes of them have nothing to import.
            self.note_types = [
                self._with_samples(note_type, counts[int(note_type.id)])
                for note_type in self.note_types
                if int(note_type.id) in counts
            ]

    def _with_samples(self, note_type: NoteType, notes: int) -> NoteType:
        rows = self._database.execute(
            "SELECT flds FROM notes WHERE mid = ? ORDER BY id LIMIT ?", (int(note_type.id), SAMPLES)
        )
        samples = [{name: text(value) for name, value in _fields(note_type, flds).items()} for (flds,) in rows]
        return NoteType(note_type.id, note_type.name, note_type.fields, notes, samples)

    def notes(self) -> Iterator[Note]:
        """Every note in the order it was made, read a row at a time."""
        types = {note_type.id: note_type for note_type in self.note_types}
        with _unreadable_collection():
            rows = self._database.execute(
                "SELECT id, mid, flds, (SELECT did FROM cards WHERE nid = notes.id ORDER BY ord, id LIMIT 1)"
                " FROM notes ORDER BY id"
            )
            for note_id, model_id, flds, deck_id in rows:
                note_type = types.get(str(model_id))
                if note_type is None:
                    raise NotAPackage(f"Note {note_id} is of a note type the deck does not describe.")
                yield Note(note_id, note_type.id, _fields(note_type, flds), self.decks.get(str(deck_id), ""))

    def decks_used(self) -> list[str]:
        """The names of the decks that hold cards, sorted."""
        with _unreadable_collection():
            rows = self._database.execute("SELECT DISTINCT did FROM cards").fetchall()
        return sorted({self.decks[str(deck_id)] for (deck_id,) in rows if str(deck_id) in self.decks})

    def media_file(self, name: str) -> MediaFile | None:
        """The media file called `name`, to read later; None when the package lacks it."""
        return MediaFile(name, self) if name in self._media else None

    def media(self, name: str, *, max_bytes: int) -> bytes:
        """The bytes of the media file called `name`; InvalidInput when the package lacks it
        or it is larger than `max_bytes` (told by the zip before anything is read, and the
        zip never gives more than it told)."""
        member = self._media.get(name)
        if member is None:
            raise InvalidInput(f"The deck has no file called {name}.")
        if member.file_size > max_bytes:
            raise InvalidInput(f"{name} is larger than {max_bytes} bytes.")
        with _unreadable_zip(), self._archive.open(member) as opened:
            return opened.read(max_bytes + 1)

    def close(self) -> None:
        self._database.close()
        self._archive.close()


def package_open(path: Path, *, max_members: int = MAX_MEMBERS, max_collection_bytes: int = MAX_COLLECTION_BYTES):
    """Open the package at `path` (a context manager: a Package, closed after); its
    collection is copied out beside it, within the bounds. NotAPackage, saying why in a
    teacher's words, when it is none we can read."""
    return _Opened(path, max_members, max_collection_bytes)


class _Opened:
    def __init__(self, path: Path, max_members: int, max_collection_bytes: int):
        self.path, self.max_members, self.max_collection_bytes = path, max_members, max_collection_bytes

    def __enter__(self) -> Package:
        self._folder = tempfile.TemporaryDirectory(prefix="apkg-")
        try:
            archive = _archive(self.path, self.max_members)
            try:
                collection = _collection_copy(archive, Path(self._folder.name), self.max_collection_bytes)
                self._package = Package(archive, collection)
            except BaseException:
                archive.close()
                raise
        except BaseException:
            self._folder.cleanup()
            raise
        return self._package

    def __exit__(self, *exc) -> None:
        self._package.close()
        self._folder.cleanup()


def _archive(path: Path, max_members: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise NotAPackage("The file is not an Anki package (.apkg): it is not a zip archive.") from error
    if len(archive.infolist()) > max_members:
        archive.close()
        raise NotAPackage(f"The package holds more than {max_members} files.")
    return archive


def _collection_copy(archive: zipfile.ZipFile, folder: Path, max_bytes: int) -> Path:
    names = set(archive.namelist())
    name = next((name for name in COLLECTIONS if name in names), None)
    if name is None or (name == "collection.anki2" and NEWER_COLLECTION in names):
        if NEWER_COLLECTION in names:
            raise NotAPackage(
                "This package is in the format of Anki 2.1.50 and later, which cannot be read here: "
                'export the deck again with "Support older Anki versions" checked.'
            )
        raise NotAPackage("The file is not an Anki package (.apkg): it holds no collection.")
    member = archive.getinfo(name)
    if member.file_size > max_bytes:
        raise NotAPackage(f"The package's collection is larger than {max_bytes} bytes, once uncompressed.")
    copy = folder / "collection.sqlite"
    with _unreadable_zip(), archive.open(member) as source, copy.open("wb") as target:
        shutil.copyfileobj(source, target)
    return copy


def _media_map(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Media file name -> the zip member holding it (those the package really has)."""
    try:
        member = archive.getinfo("media")
    except KeyError:
        return {}
    if member.file_size > MAX_MEDIA_MAP_BYTES:
        raise NotAPackage(f"The package's list of media is larger than {MAX_MEDIA_MAP_BYTES} bytes.")
    with _unreadable_zip(), archive.open(member) as opened:
        data = opened.read()
    try:
        numbered = json.loads(data)
    except ValueError as error:
        raise NotAPackage("The package's list of media cannot be read.") from error
    if not isinstance(numbered, dict):
        raise NotAPackage("The package's list of media cannot be read.")
    members = {info.filename: info for info in archive.infolist()}
    return {str(name): members[number] for number, name in numbered.items() if number in members}


def _note_types(models: dict) -> list[NoteType]:
    return [
        NoteType(str(model_id), str(model["name"]), [str(field["name"]) for field in model["flds"]])
        for model_id, model in sorted(models.items())
    ]


def _fields(note_type: NoteType, flds: str) -> dict[str, str]:
    return dict(zip(note_type.fields, flds.split(FIELD_SEPARATOR), strict=False))


@contextmanager
def _unreadable_collection():
    """SQLite or JSON that is not an Anki collection's, as NotAPackage."""
    try:
        yield
    except (sqlite3.Error, ValueError, KeyError, TypeError, AttributeError) as error:
        raise NotAPackage("The package's collection cannot be read: is it an Anki deck?") from error


@contextmanager
def _unreadable_zip():
    """A zip member that cannot be inflated (corrupt, or compressed in a way zipfile lacks)."""
    try:
        yield
    except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error) as error:
        raise NotAPackage("The package is damaged: a file in it cannot be read.") from error


__all__ = ["MediaFile", "NotAPackage", "Note", "NoteType", "Package", "images", "package_open", "sounds", "text"]
