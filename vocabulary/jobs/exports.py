"""The vocabulary's export (langportal.jobs.exports): every word, or one group's, as CSV
(the columns an import reads), as our JSON vocabulary document, or as an Anki deck,
started from the admin's words list or a group's page, or `manage.py export_words`.

Its pages are the words listing's (`words_list`, in creation order, which is id order
for words made here), read a page at a time by number: a cursor is the next page's
number. A listing page is read at once, but the export is not a snapshot across pages:
a word added or deleted while it runs moves the words after it by one, so one word may
be written twice or missed (see docs/data-model.md).
"""

from __future__ import annotations

import json
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import genanki

from langportal.jobs.exports import (
    EXPORT_PAGE_RECORDS,
    Export,
    Format,
    csv_format,
    export_register,
    export_start,
    json_format,
)
from langportal.jobs.repositories import Job
from langportal.paging import PER_PAGE_MAX, PageOutOfRange
from vocabulary import documents
from vocabulary.services import group_get, groups_list, object_stream, words_list, words_total

EXPORT_WORDS = "export_words"
FORMATS = {"csv": "CSV", "json": "JSON", "apkg": "Anki deck"}  # as the admin offers them
# An Anki deck carries the words' audio and images up to this many bytes in all; past
# it, notes go without theirs (the deck is built in the job's temporary space).
APKG_MEDIA_MAX_BYTES = 200 * 1024 * 1024
ANKI_FIELDS = ("Japanese", "Reading", "Romaji", "English", "Audio", "Image")


def words_export_start(*, format: str, group_id: str | None, actor: str, actor_id: str) -> Job:
    """Start exporting every word, or a group's (GroupNotFound for no such group), in
    `format`: "csv", "json" or "apkg" (InvalidInput for another)."""
    if group_id is None:
        return export_start(kind=EXPORT_WORDS, format=format, name="All words", actor=actor, actor_id=actor_id)
    group = group_get(group_id=group_id)
    return export_start(
        kind=EXPORT_WORDS,
        format=format,
        name=group.name,
        actor=actor,
        actor_id=actor_id,
        options={"group_id": group.id},
    )


def _pages(job: Job, cursor: str | None) -> Iterator[tuple[list[dict], str]]:
    number = json.loads(cursor)["page"] if cursor else 1
    while True:
        try:
            page = words_list(
                page=number,
                per_page=EXPORT_PAGE_RECORDS,
                sort_by="created_at",
                descending=False,
                group_id=job.options.get("group_id"),
            )
        except PageOutOfRange:  # words were deleted since the page before
            return
        number += 1
        yield [_record(word) for word in page.items], json.dumps({"page": number})
        if number > page.total_pages:
            return


def _record(word) -> dict:
    return {
        "entry": documents.word_entry(word),
        "audio_key": word.audio_key,
        "image_key": word.thumbnail_key or word.image_key,
    }


def _count(job: Job) -> int:
    group_id = job.options.get("group_id")
    return group_get(group_id=group_id).word_count if group_id else words_total()


def _groups(job: Job) -> dict:
    """Every group, so that the document imports into another vocabulary with its words'
    groups (they are few: one listing)."""
    groups, number = [], 1
    while True:
        page = groups_list(page=number, per_page=PER_PAGE_MAX)
        groups += [documents.group_entry(group) for group in page.items]
        if number >= page.total_pages:
            return {"groups": groups}
        number += 1


# --- Anki ------------------------------------------------------------------------------


def _anki_id(name: str) -> int:
    """An id Anki keeps across exports of the same thing, so that a re-export updates
    the deck already imported instead of adding a second one."""
    return (1 << 30) + zlib.crc32(f"langportal:{name}".encode())


def _anki_model() -> genanki.Model:
    return genanki.Model(
        _anki_id("model"),
        "langportal word",
        fields=[{"name": name} for name in ANKI_FIELDS],
        templates=[
            {
                "name": "Japanese to English",
                "qfmt": "<div class=japanese>{{Japanese}}</div>{{Audio}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Reading}}<br>{{Romaji}}<br>{{English}}<br>{{Image}}",
            }
        ],
    )


def _write_apkg(job: Job, records: Iterator[dict], file: BinaryIO) -> None:
    """An Anki deck of the words: Anki writes a package from a SQLite file and the media
    on disk, so both go through a temporary folder, then the package is copied out."""
    group_id = job.options.get("group_id")
    deck = genanki.Deck(
        _anki_id(f"group:{group_id}" if group_id else "vocabulary"),
        group_get(group_id=group_id).name if group_id else "Vocabulary",
    )
    model = _anki_model()
    with tempfile.TemporaryDirectory() as folder:
        media = _Media(Path(folder))
        for record in records:
            entry = record["entry"]
            audio = media.fetched(entry["id"], "audio", record["audio_key"])
            image = media.fetched(entry["id"], "image", record["image_key"])
            fields = [
                entry["japanese"],
                entry["kana"],
                entry["romaji"],
                entry["english"],
                f"[sound:{audio}]" if audio else "",
                f'<img src="{image}">' if image else "",
            ]
            deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for("langportal", entry["id"])))
        package = Path(folder, "deck.apkg")
        genanki.Package(deck, media_files=media.paths).write_to_file(package, timestamp=job.created_at.timestamp())
        with package.open("rb") as written:
            while chunk := written.read(1024 * 1024):
                file.write(chunk)


class _Media:
    """The words' audio and images, copied from S3 into the deck's folder while they fit
    in APKG_MEDIA_MAX_BYTES."""

    def __init__(self, folder: Path):
        self.folder, self.paths, self.bytes = folder, [], 0

    def fetched(self, word_id: str, kind: str, key: str | None) -> str | None:
        """The file's name in the deck, or None when the word has none or the deck is full."""
        if not key or self.bytes >= APKG_MEDIA_MAX_BYTES:
            return None
        path = self.folder / f"langportal-{word_id}-{kind}{PurePosixPath(key).suffix}"
        with closing(object_stream(key)) as stream, path.open("wb") as copy:
            while chunk := stream.read(1024 * 1024):
                self.bytes += len(chunk)
                if self.bytes > APKG_MEDIA_MAX_BYTES:
                    break
                copy.write(chunk)
        if self.bytes > APKG_MEDIA_MAX_BYTES:
            path.unlink()
            return None
        self.paths.append(str(path))
        return path.name


export_register(
    EXPORT_WORDS,
    Export(
        title="Export words",
        pages=_pages,
        formats={
            "csv": csv_format(documents.CSV_COLUMNS, lambda record: documents.csv_cells(record["entry"])),
            "json": json_format(key="words", document=_groups, entry=lambda record: record["entry"]),
            "apkg": Format("apkg", "application/octet-stream", _write_apkg),
        },
        count=_count,
    ),
)
