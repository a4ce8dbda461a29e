"""Kinds of job to run in tests (rows counted, records exported), and a clock for leases."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from langportal.errors import Unavailable
from langportal.jobs import exports, kinds
from langportal.jobs.kinds import RowRejected, Work


class Rows:
    """A kind of job for these tests: its rows are the job's options["rows"]; a row that
    says "bad" is rejected, and `applied` records every row applied, in order. The run
    dies at row `die_at` (once), and finds DynamoDB down at row `unavailable_at`."""

    def __init__(self):
        self.applied: list[int] = []
        self.die_at: int | None = None
        self.unavailable_at: int | None = None

    def apply(self, job, number: int, row: dict) -> str:
        if number == self.die_at:
            self.die_at = None
            raise SystemExit("the worker was killed")
        if number == self.unavailable_at:
            raise Unavailable("DynamoDB is unavailable.")
        self.applied.append(number)
        if row.get("bad"):
            raise RowRejected("This row says it is bad.", details={"bad": ["Leave it out."]})
        return "counted"

    def finish(self, job) -> str | None:
        """The job's options["output"], if it has one, as its output file."""
        if "output" not in job.options:
            return None
        return default_storage.save(f"exports/{job.id}/rows.txt", ContentFile(job.options["output"].encode()))

    def work(self) -> Work:
        return Work(
            rows=lambda job: job.options["rows"],
            apply=self.apply,
            prepare=lambda job: len(job.options["rows"]),
            finish=self.finish,
            title="Count rows",
        )


@pytest.fixture
def rows_kind(aws):
    rows = Rows()
    kinds.register("test_rows", rows.work())
    yield rows
    kinds._registry.pop("test_rows")


class Records:
    """A kind of export for these tests: options["records"] records, {"n": 1, "text": ...}
    on, in pages of options["page"]; `cursors` records where each page read began. Reading
    dies at page `die_at` (once), writing the file at record `die_writing_at` (once)."""

    def __init__(self):
        self.cursors: list[str | None] = []
        self.die_at: int | None = None
        self.die_writing_at: int | None = None

    def pages(self, job, cursor: str | None):
        total, size, text = job.options["records"], job.options["page"], job.options.get("text", "")
        first = 0 if cursor is None else int(cursor)
        for start in range(first, total, size):
            self.cursors.append(None if start == 0 else str(start))
            if start // size + 1 == self.die_at:
                self.die_at = None
                raise SystemExit("the worker was killed")
            end = min(start + size, total)
            yield [{"n": n, "text": f"{text}{n}"} for n in range(start + 1, end + 1)], str(end)

    def lines(self, job, records, file) -> None:
        """A format of these tests: each record's n, a line."""
        for record in records:
            if record["n"] == self.die_writing_at:
                self.die_writing_at = None
                raise SystemExit("the worker was killed")
            file.write(f"{record['n']}\n".encode())

    def export(self) -> exports.Export:
        return exports.Export(
            title="Export records",
            pages=self.pages,
            formats={
                "csv": exports.csv_format(["n", "text"], lambda record: [record["n"], record["text"]]),
                "json": exports.json_format(),
                "document": exports.json_format(key="records", document=lambda job: {"name": job.options["name"]}),
                "lines": exports.Format("txt", "text/plain", self.lines),
            },
            count=lambda job: job.options["records"],
        )


@pytest.fixture
def records_kind(aws):
    records = Records()
    exports.export_register("test_records", records.export())
    yield records
    kinds._registry.pop("test_records")
    exports._exports.pop("test_records")


class Clock:
    """Wall-clock time for leases, moved by hand."""

    def __init__(self):
        self.at = timezone.now()

    def __call__(self):
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture
def clock():
    return Clock()
