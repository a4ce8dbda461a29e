"""Anki decks imported as jobs (langportal.jobs), a kind of their own: an `.apkg` is no
document of rows but a zip holding a database and media files (vocabulary.anki), and
its rows bring a word's group and media with it.

`anki_file_store` stores the package in S3 and `anki_job_start` starts its job with the
field mapping chosen for each note type: which field is the Japanese, the reading (kana,
if any) and the English. Each run downloads the package to a temporary file (SQLite
needs one). The rows are a group per deck, when the decks become groups, then a word per
note, by the one import rule (vocabulary.services.imports: matched by its Japanese and
English), added to its deck's group. The note's first sound and first image that the
package holds go through the checks of every upload (`media_check`) before anything of
the row is written, and are attached to a word that has none of its own yet: importing a
deck again changes nothing, and a word keeps the audio or image a teacher gave it. Each
write of a row is under an Idempotency-Key made from `job:<id>:row:<n>`, so a run cut
and run again writes nothing twice.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from ulid import ULID

from langportal.errors import DomainError, InvalidInput
from langportal.idempotency import Idempotency
from langportal.jobs import services as jobs
from langportal.jobs.kinds import RowRejected, Work, register
from langportal.jobs.repositories import Job
from vocabulary import anki, documents
from vocabulary.jobs.imports import import_job_id
from vocabulary.services import (
    UNCHANGED,
    group_add_words,
    import_record,
    media_check,
    media_upload,
    object_stream,
    objects_delete,
)

IMPORT_ANKI = "import_anki"
ROLES = ("japanese", "reading", "english")
# Field names a note type's fields are guessed by, lower-cased, best first.
GUESSES = {
    "japanese": ("japanese", "expression", "kanji", "word", "vocab", "vocabulary", "日本語", "単語", "front"),
    "reading": ("reading", "kana", "hiragana", "furigana", "yomi", "読み", "よみ", "かな"),
    "english": ("english", "meaning", "meanings", "translation", "definition", "gloss", "英語", "意味", "back"),
}
MEDIA_KINDS = {"audio": "sounds", "image": "images"}  # what a word holds -> the note's references


def anki_mapping_guess(note_type: anki.NoteType) -> dict[str, str | None]:
    """The fields a note type's names suggest for each role: failing a name we know, the
    first field is the Japanese and the second the English; no reading."""
    lowered = {name.strip().lower(): name for name in note_type.fields}
    guess = {role: next((lowered[name] for name in names if name in lowered), None) for role, names in GUESSES.items()}
    rest = [name for name in note_type.fields if name not in guess.values()]
    for role in ("japanese", "english"):
        if guess[role] is None and rest:
            guess[role] = rest.pop(0)
    return guess


def anki_mapping_checked(package: anki.Package, mapping: dict) -> dict[str, dict[str, str | None]]:
    """`mapping` (note type id -> role -> field name) when it maps the Japanese and the
    English of every note type that has notes to fields of its own, two different ones;
    InvalidInput naming the note type and the field when not."""
    checked = {}
    for note_type in package.note_types:
        given = mapping.get(note_type.id) or {}
        roles = {role: given.get(role) or None for role in ROLES}
        for role, name in roles.items():
            if name is None and role != "reading":
                raise InvalidInput(f"Choose the {role.capitalize()} field of the note type {note_type.name}.")
            if name is not None and name not in note_type.fields:
                raise InvalidInput(
                    f"The note type {note_type.name} has no field {name}: its fields are {', '.join(note_type.fields)}."
                )
        if len({name for name in roles.values() if name}) < len([name for name in roles.values() if name]):
            raise InvalidInput(
                f"Choose a different field for each of Japanese, Reading and English of {note_type.name}."
            )
        checked[note_type.id] = roles
    return checked


def anki_rows(package: anki.Package, *, mapping: dict, deck_groups: bool) -> Iterator[dict]:
    """The job's rows from an open package (and the admin's preview of its first ones):
    a group per deck when the decks become groups, then a word per note, mapped."""
    if deck_groups:
        for deck in package.decks_used():
            yield {"kind": "group", "entry": {"name": deck}}
    seen = set()
    for note in package.notes():
        roles = mapping[note.note_type]
        entry = {role: anki.text(note.fields.get(name, "")) for role, name in roles.items() if name}
        if reading := entry.pop("reading", ""):
            entry["kana"] = reading
        row = {
            "kind": "word",
            "note": note.id,
            "deck": note.deck if deck_groups else None,
            "entry": entry,
            "media": _media(package, note),
        }
        if (target := (entry.get("japanese"), entry.get("english"))) in seen:
            row["again"] = True
        seen.add(target)
        yield row


def _media(package: anki.Package, note: anki.Note) -> dict[str, anki.MediaFile]:
    """The note's first sound and first image that the package holds (a reference to a
    file it lacks, common in shared decks, is passed over)."""
    found = {}
    for kind, references in MEDIA_KINDS.items():
        held = (package.media_file(name) for name in getattr(note, references))
        if (file := next(filter(None, held), None)) is not None:
            found[kind] = file
    return found


def anki_file_store(*, file) -> str:
    """Store an Anki package (a file object, copied in pieces) under a key of its own,
    which names its job too."""
    return default_storage.save(f"imports/{ULID()}.apkg", file)


def anki_job_start(*, name: str, key: str, mapping: dict, deck_groups: bool, actor: str, actor_id: str) -> Job:
    """Start the job importing a stored package with a checked mapping: started twice (a
    form posted again), it is one job."""
    return jobs.job_start(
        kind=IMPORT_ANKI,
        actor=actor,
        actor_id=actor_id,
        input_key=key,
        options={"format": "apkg", "name": name, "mapping": mapping, "deck_groups": deck_groups},
        job_id=import_job_id(key),
    )


@contextmanager
def anki_package_stored(key: str) -> Iterator[anki.Package]:
    """The package stored under `key`, downloaded to a temporary file and opened."""
    with tempfile.TemporaryDirectory(prefix="apkg-") as folder:
        path = Path(folder) / "package.apkg"
        with closing(object_stream(key)) as stream, path.open("wb") as copy:
            shutil.copyfileobj(stream, copy)
        with anki.package_open(path) as package:
            yield package


def _prepare(job: Job) -> int:
    """Check the package and its mapping, and count its rows."""
    with anki_package_stored(job.input_key) as package:
        anki_mapping_checked(package, job.options["mapping"])
        decks = len(package.decks_used()) if job.options["deck_groups"] else 0
        rows = decks + package.note_count
    documents.DocumentLimits.jobs().check_rows(rows)
    return rows


def _rows(job: Job) -> Iterator[dict]:
    with anki_package_stored(job.input_key) as package:
        yield from anki_rows(package, mapping=job.options["mapping"], deck_groups=job.options["deck_groups"])


def _apply(job: Job, number: int, row: dict) -> str:
    key = f"job:{job.id}:row:{number}"
    if row["kind"] == "group":
        action, _ = _imported(job, "group", row["entry"], key)
        return _outcome("group", action)
    if row.get("again"):
        raise RowRejected("An earlier note of the deck names this word already.")
    fields = documents.entry_checked("word", row["entry"])
    media = {kind: _checked_media(kind, file) for kind, file in row["media"].items()}  # before any write
    group = row["deck"] and _imported(job, "group", {"name": row["deck"]}, f"{key}:group")[1]
    action, word = import_record(kind="word", fields=fields, key=key, actor=job.actor, user_id=job.actor_id)
    changed = action != UNCHANGED
    if group and group.id not in word.group_ids:
        group_add_words(group_id=group.id, word_ids=[word.id], actor=job.actor)
        changed = True
    for kind, (name, data) in media.items():
        if getattr(word, f"{kind}_key") is None:
            once = Idempotency.of(
                user_id=job.actor_id, key=f"{key}:{kind}", operation="anki media", arguments={"word_id": word.id}
            )
            media_upload(word_id=word.id, file=ContentFile(data, name=name), actor=job.actor, idempotency=once)
            changed = True
    return _outcome("word", action if action != UNCHANGED or not changed else "update")


def _imported(job: Job, kind: str, entry: dict, key: str):
    fields = documents.entry_checked(kind, entry)
    return import_record(kind=kind, fields=fields, key=key, actor=job.actor, user_id=job.actor_id)


def _checked_media(kind: str, file: anki.MediaFile) -> tuple[str, bytes]:
    """A note's media file, read and checked as an upload is; rejected, saying which file
    and why, when it fails."""
    data = file.read(max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES)  # InvalidInput, naming it, when larger
    try:
        media_type = media_check(ContentFile(data))
    except DomainError as error:  # not audio or an image we take
        raise RowRejected(f"{file.name}: {error.message}") from error
    if media_type.kind != kind:
        raise RowRejected(f"{file.name}: the note plays it as {kind}, but it is {media_type.kind}.")
    return file.name, data


def _outcome(kind: str, action: str) -> str:
    return f"{kind}s {action}d" if action != UNCHANGED else f"{kind}s unchanged"


def _finish(job: Job) -> None:
    objects_delete([job.input_key])  # its rows are imported, its errors in the report


register(
    IMPORT_ANKI,
    Work(rows=_rows, apply=_apply, prepare=_prepare, finish=_finish, title="Import an Anki deck"),
)
