"""A kind of job to run in tests, and a clock for leases."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from langportal.errors import Unavailable
from langportal.jobs import kinds
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
