"""Exports as jobs: a kind of export reads its records a page at a time and a format
writes them as one file in S3, downloaded through the job's short-lived link
(`services.job_output_url`). No response carries the file: on AWS, API Gateway cuts a
response at 30 s and 10 MB.

An export's job has a row per page. Each page's records are stored as a part,
exports/<job id>/parts/<n>.jsonl, with the cursor just after its last record kept with it
(S3 metadata). A run lists the parts stored, gives a placeholder row for each (the runner
skips those it counted done; one it did not count is stored already, and stays as it
is), then reads on from the last part's cursor: however the runs are cut, every record is
stored once and in order. `finish` streams the parts' records in order through the
format into exports/<job id>/<filename> by S3 multipart upload, a part at a time, then
deletes the parts; a run cut after the file was complete finds it there, reads no page
and only deletes what parts are left. Incomplete uploads and old exports are expired by
the bucket's lifecycle rule for exports/ (terraform/storage.tf).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import quote, unquote

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from langportal import aws
from langportal.errors import InvalidInput
from langportal.jobs import services as jobs
from langportal.jobs.kinds import UnknownKind, Work, register
from langportal.jobs.repositories import Job
from langportal.spreadsheets import csv_lines, spreadsheet_text

# The records a kind's page should hold: the progress bar reckons its pages with it.
EXPORT_PAGE_RECORDS = 500
PAGES = "pages"  # the outcome counted on the job's page: one per page stored
DELETE_BATCH = 1_000  # keys in one DeleteObjects request, S3's most

__all__ = [
    "EXPORT_PAGE_RECORDS",
    "Export",
    "Format",
    "UnknownFormat",
    "csv_format",
    "export_register",
    "export_start",
    "json_format",
]


@dataclass(frozen=True)
class Format:
    """How an export's file is written: `write` writes every record, in order, to a binary file."""

    extension: str  # "csv", "json", "apkg"
    content_type: str
    write: Callable[[Job, Iterator[dict], BinaryIO], None]


@dataclass(frozen=True)
class Export:
    """A kind of export. `pages(job, cursor)` gives the records after `cursor` (None: from
    the first), a page at a time, each page with the cursor just after its last record (a
    string: a DynamoDB key as JSON, say); the same cursor gives the same records, in the
    same order. `count` tells how many records there are, about, for the progress bar."""

    title: str  # "Export words", shown on the Jobs page
    pages: Callable[[Job, str | None], Iterator[tuple[list[dict], str]]]
    formats: dict[str, Format]  # by name, e.g. {"csv": ..., "json": ...}
    count: Callable[[Job], int | None] = lambda job: None


class UnknownFormat(InvalidInput):
    code = "unknown_export_format"


_exports: dict[str, Export] = {}


def export_register(kind: str, export: Export) -> None:
    """Register a kind of export as a kind of job (see the module's docstring)."""
    register(
        kind,
        Work(
            rows=partial(_rows, export),
            apply=_part_store,
            prepare=partial(_prepare, export),
            finish=partial(_finish, export),
            title=export.title,
        ),
    )
    _exports[kind] = export


def export_start(*, kind: str, format: str, name: str, actor: str, actor_id: str, options: dict | None = None) -> Job:
    """Start an export of `kind` in `format` (InvalidInput for a format the kind has not),
    its file named after `name` and today's date."""
    if kind not in _exports:
        raise UnknownKind(f"No kind of export is called {kind!r}.")
    chosen = _format(_exports[kind], format)
    filename = f"{slugify(name) or 'export'}-{timezone.localdate().isoformat()}.{chosen.extension}"
    return jobs.job_start(
        kind=kind,
        actor=actor,
        actor_id=actor_id,
        options={"format": format, "name": name, "filename": filename, **(options or {})},
    )


def _format(export: Export, name: str) -> Format:
    try:
        return export.formats[name]
    except KeyError:
        known = ", ".join(sorted(export.formats))
        raise UnknownFormat(f"There is no export format {name!r}: choose one of {known}.") from None


# --- formats ---------------------------------------------------------------------------


def csv_format(columns: Sequence[str], cells: Callable[[dict], list]) -> Format:
    """A CSV file: a header of `columns`, then a record's `cells` a line, every text cell
    made formula-safe (langportal.spreadsheets); give the cells as they are, not made safe."""

    def write(job: Job, records: Iterator[dict], file: BinaryIO) -> None:
        rows = ([_safe(cell) for cell in cells(record)] for record in records)
        _text_written(file, csv_lines(itertools.chain([list(columns)], rows)))

    return Format("csv", "text/csv; charset=utf-8", write)


def json_format(
    *,
    key: str | None = None,
    document: Callable[[Job], dict] | None = None,
    entry: Callable[[dict], Any] | None = None,
) -> Format:
    """A JSON file: the records (each as `entry` makes it, if given) as one array, alone
    (`key` None) or under `key` in the object that `document(job)` gives (its other
    members first); written a record at a time, never held whole."""

    def write(job: Job, records: Iterator[dict], file: BinaryIO) -> None:
        entries = map(entry, records) if entry else records
        _text_written(file, _json_text(job, entries, key, document))

    return Format("json", "application/json", write)


def _json_text(job: Job, records: Iterator[Any], key: str | None, document) -> Iterator[str]:
    if key is not None:
        members = document(job) if document else {}
        yield "{"
        for name, value in members.items():
            yield f"{json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}, "
        yield f"{json.dumps(key)}: "
    yield "["
    for number, record in enumerate(records):
        yield ("," if number else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]" + ("}" if key is not None else "") + "\n"


def _safe(cell: Any) -> Any:
    return spreadsheet_text(cell) if isinstance(cell, str) else cell


def _text_written(file: BinaryIO, pieces: Iterator[str]) -> None:
    for piece in pieces:
        file.write(piece.encode())


# --- the job's steps -------------------------------------------------------------------


def _prepare(export: Export, job: Job) -> int | None:
    """Refuse a format the kind has not (the job fails with why), and reckon the pages."""
    _format(export, job.options.get("format", ""))
    records = export.count(job)
    return None if records is None else max(1, math.ceil(records / EXPORT_PAGE_RECORDS))


def _rows(export: Export, job: Job) -> Iterator[dict]:
    if _exists(_output_key(job)):
        return  # the file is complete: a run cut before it was recorded has only parts to delete
    stored = _part_keys(job)
    yield from ({"stored": True} for _ in stored)
    cursor = _part_cursor(stored[-1]) if stored else None
    for records, after in export.pages(job, cursor):
        yield {"records": records, "cursor": after}


def _part_store(job: Job, number: int, row: dict) -> str:
    """Store a page as part `number`, with its cursor: put again, the same part."""
    if not row.get("stored"):
        body = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in row["records"])
        with aws.unavailable_on_outage("S3"):
            _s3().put_object(
                Bucket=settings.MEDIA_BUCKET,
                Key=_part_key(job, number),
                Body=body.encode(),
                ContentType="application/x-ndjson",
                Metadata={"cursor": quote(row["cursor"])},  # metadata travels as ASCII headers
            )
    return PAGES


def _finish(export: Export, job: Job) -> str:
    key = _output_key(job)
    if not _exists(key):
        chosen = _format(export, job.options["format"])
        with _uploaded(key, chosen.content_type) as file:
            chosen.write(job, _records(job), file)
    _objects_delete(_part_keys(job))
    return key


def _records(job: Job) -> Iterator[dict]:
    """Every record of the stored parts, in order, read a line at a time."""
    for key in _part_keys(job):
        with aws.unavailable_on_outage("S3"):
            body = _s3().get_object(Bucket=settings.MEDIA_BUCKET, Key=key)["Body"]
            lines = list(body.iter_lines())  # one page: a few hundred records
        yield from map(json.loads, lines)


# --- S3 --------------------------------------------------------------------------------


def _s3():
    return aws.client("s3")


def _output_key(job: Job) -> str:
    return f"exports/{job.id}/{job.options['filename']}"


def _parts_prefix(job: Job) -> str:
    return f"exports/{job.id}/parts/"


def _part_key(job: Job, number: int) -> str:
    return f"{_parts_prefix(job)}{number}.jsonl"


def _part_keys(job: Job) -> list[str]:
    """The keys of the job's stored parts, in order (parts 1 to n: each is stored after
    the one before)."""
    with aws.unavailable_on_outage("S3"):
        pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=settings.MEDIA_BUCKET, Prefix=_parts_prefix(job))
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return sorted(keys, key=lambda key: int(PurePosixPath(key).stem))


def _part_cursor(key: str) -> str:
    with aws.unavailable_on_outage("S3"):
        head = _s3().head_object(Bucket=settings.MEDIA_BUCKET, Key=key)
    return unquote(head["Metadata"]["cursor"])


def _exists(key: str) -> bool:
    try:
        with aws.unavailable_on_outage("S3"):
            _s3().head_object(Bucket=settings.MEDIA_BUCKET, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return False
        raise
    return True


def _objects_delete(keys: list[str]) -> None:
    for start in range(0, len(keys), DELETE_BATCH):
        batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        with aws.unavailable_on_outage("S3"):
            _s3().delete_objects(Bucket=settings.MEDIA_BUCKET, Delete={"Objects": batch, "Quiet": True})


class _Upload(io.RawIOBase):
    """A binary file whose bytes go to S3 as a multipart upload, EXPORT_PART_BYTES at a
    time: no more than a part is ever held."""

    def __init__(self, key: str, content_type: str):
        self.key, self.buffer, self.parts = key, bytearray(), []
        with aws.unavailable_on_outage("S3"):
            created = _s3().create_multipart_upload(Bucket=settings.MEDIA_BUCKET, Key=key, ContentType=content_type)
        self.upload_id = created["UploadId"]

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) >= settings.EXPORT_PART_BYTES:
            self._send(settings.EXPORT_PART_BYTES)
        return len(data)

    def _send(self, size: int) -> None:
        body, self.buffer = bytes(self.buffer[:size]), self.buffer[size:]
        number = len(self.parts) + 1
        with aws.unavailable_on_outage("S3"):
            sent = _s3().upload_part(
                Bucket=settings.MEDIA_BUCKET, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
            )
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})

    def complete(self) -> None:
        if self.buffer or not self.parts:  # the last part may be short; a file has one at least
            self._send(len(self.buffer))
        with aws.unavailable_on_outage("S3"):
            _s3().complete_multipart_upload(
                Bucket=settings.MEDIA_BUCKET,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
            )

    def abort(self) -> None:
        """Drop the parts sent; if S3 cannot be told, the lifecycle rule drops them later."""
        with contextlib.suppress(BotoCoreError, ClientError):  # the failure that stopped it is the one to report
            _s3().abort_multipart_upload(Bucket=settings.MEDIA_BUCKET, Key=self.key, UploadId=self.upload_id)


@contextlib.contextmanager
def _uploaded(key: str, content_type: str) -> Iterator[_Upload]:
    """A file to write, stored under `key` once the block ends; nothing is stored if it fails."""
    upload = _Upload(key, content_type)
    try:
        yield upload
    except BaseException:
        upload.abort()
        raise
    upload.complete()
