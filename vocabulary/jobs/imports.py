"""The vocabulary's jobs: a file of words imported outside the request (langportal.jobs),
started from the admin's Imports page or `manage.py import_words`, run by the jobs Lambda
or the local worker. Above the services like the other doors, below the admin and
commands that start it.

`import_file_store` stores the file in S3 and `import_job_start` starts its job, whose id
is the file's. The job reads the file (CSV
with the export's columns, or a JSON vocabulary document) back as a stream, a row at a
time: groups first, then words. `prepare` reads it through once, to check its shape,
count its rows and reserve the ids it gives; each row is then checked by the API's
serializers and imported by the one import rule (`imports`), under the Idempotency-Key
`job:<id>:row:<n>`, so a run that was cut and runs again writes no row twice. An entry
naming a record that an earlier row of the file named already is rejected, as in the
admin's preview: which of the two would win is no rule a teacher could see. Telling that
keeps one key per row read so far (an id, or a Japanese and English), not the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from ulid import ULID

from langportal.errors import InvalidInput
from langportal.ids import is_id
from langportal.jobs import services as jobs
from langportal.jobs.kinds import RowRejected, Work, register
from langportal.jobs.repositories import Job
from vocabulary import documents
from vocabulary.services import (
    UNCHANGED,
    import_entry,
    import_ids_reserve,
    object_start,
    object_stream,
    objects_delete,
)

IMPORT_WORDS = "import_words"


def import_format(name: str) -> str:
    """The format of an import file, by its name: JSON, or else CSV."""
    return "json" if name.lower().endswith(".json") else "csv"


def import_file_store(*, name: str, file) -> str:
    """Store an import file (a file object, copied in pieces) under a key of its own,
    which names its job too."""
    return default_storage.save(f"imports/{ULID()}.{import_format(name)}", file)


def import_upload_key() -> str:
    """A key of its own for a file a browser uploads straight to S3, which names its job."""
    return f"imports/{ULID()}"


def import_upload_form(*, key: str, redirect: str) -> jobs.UploadForm:
    """The form that uploads an import file of any size up to IMPORT_JOB_MAX_BYTES to `key`."""
    return jobs.job_upload_form(key=key, max_bytes=settings.IMPORT_JOB_MAX_BYTES, redirect=redirect)


def import_upload_name(key: str) -> str:
    """A name for a file uploaded by `import_upload_form`, with the extension of its format,
    told by its first bytes: a zip is an Anki deck, `{` begins a JSON vocabulary document,
    anything else is read as CSV. InvalidInput when no file arrived, or an empty or too
    large one (S3 refuses those by the form's policy; checked again here, and removed)."""
    found = object_start(key, 64)
    if found is None:
        raise InvalidInput("The file did not arrive in storage; choose it again.")
    size, start = found
    if not 0 < size <= settings.IMPORT_JOB_MAX_BYTES:
        objects_delete([key])
        raise InvalidInput(f"An import file has 1 to {settings.IMPORT_JOB_MAX_BYTES} bytes; this one has {size}.")
    if start.startswith(b"PK\x03\x04"):
        return "upload.apkg"
    return "upload.json" if start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "upload.csv"


def import_job_start(*, name: str, key: str, actor: str, actor_id: str) -> Job:
    """Start the job importing a stored file: started twice (a form posted again), it is
    one job. The job is stored even when the queue is down (503), to be sent again."""
    return jobs.job_start(
        kind=IMPORT_WORDS,
        actor=actor,
        actor_id=actor_id,
        input_key=key,
        options={"format": import_format(name), "name": name},
        job_id=import_job_id(key),
    )


def import_job_id(key: str) -> str:
    """The id of the job that imports the file stored under `key`."""
    return PurePosixPath(key).stem


def _entries(job: Job) -> Iterator[tuple[str, Any]]:
    """The file's entries in order, each with its kind: "group" or "word"."""
    limits = documents.DocumentLimits.jobs()
    if job.options["format"] == "csv":
        with closing(object_stream(job.input_key)) as stream:
            yield from (("word", row) for row in documents.csv_stream(stream, limits))
        return
    for kind in ("group", "word"):
        with closing(object_stream(job.input_key)) as stream:
            yield from ((kind, entry) for entry in documents.json_stream(stream, kind))


def _rows(job: Job) -> Iterator[dict]:
    seen = set()
    for kind, entry in _entries(job):
        row = {"kind": kind, "entry": entry}
        if (target := _target(kind, entry)) is not None:
            if target in seen:
                row["again"] = True
            seen.add(target)
        yield row


def _target(kind: str, entry: Any) -> tuple | None:
    """What record an entry names: its id, or else its name (a group's) or its Japanese
    and English (a word's); None for an entry too malformed to name one."""
    if not isinstance(entry, dict):
        return None
    if entry.get("id") not in (None, ""):
        return (kind, "id", str(entry["id"]))
    if kind == "group":
        return (kind, "name", str(entry.get("name")))
    return (kind, "text", str(entry.get("japanese")), str(entry.get("english")))


def _prepare(job: Job) -> int:
    """Check the file's shape, reserve the ids it gives and count its rows."""
    limits = documents.DocumentLimits.jobs()
    if job.options["format"] == "json":
        with closing(object_stream(job.input_key)) as stream:
            outline = documents.json_outline(stream, limits)
        import_ids_reserve(group_id=outline.largest_ids.get("group"), word_id=outline.largest_ids.get("word"))
        return outline.groups + outline.words
    rows, largest = 0, None
    with closing(object_stream(job.input_key)) as stream:
        for row in documents.csv_stream(stream, limits):
            rows += 1
            if is_id(row.get("id")):
                largest = max(largest or 0, int(row["id"]))
    import_ids_reserve(word_id=largest)
    return rows


def _apply(job: Job, number: int, row: dict) -> str:
    kind = row["kind"]
    if row.get("again"):
        raise RowRejected(f"An earlier row of the file names this {kind} already.")
    fields = documents.entry_checked(kind, row["entry"])
    action = import_entry(
        kind=kind, fields=fields, key=f"job:{job.id}:row:{number}", actor=job.actor, user_id=job.actor_id
    )
    return f"{kind}s {action}d" if action != UNCHANGED else f"{kind}s unchanged"


def _finish(job: Job) -> None:
    objects_delete([job.input_key])  # its rows are imported, its errors in the report


register(
    IMPORT_WORDS,
    Work(rows=_rows, apply=_apply, prepare=_prepare, finish=_finish, title="Import words"),
)
