"""Jobs: imports, exports and erasures that run outside the request, can be cut anywhere
and finish exactly once.

A job is a record (status, counts, progress, who started it) and a kind's `Work` (see
`kinds`). `job_start` stores the record and queues it; `job_run` runs it from where it
stopped, for as long as it is given. A run holds the job's lease, renewed at every save,
so two deliveries of the same message never run it at once, and a run that died frees the
job when its lease runs out. Progress is saved every few rows as the number of rows done
with their counts, in one write; a run that dies between saves leaves rows done past the
saved number, which the next run does again, and each row's work is idempotent by a key
made from the job and the row, so it is written once.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from pathlib import PurePosixPath
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from ulid import ULID

from langportal import aws
from langportal.errors import Conflict, DomainError, NotFound, Unavailable
from langportal.jobs import queue
from langportal.jobs import repositories as repo
from langportal.jobs.kinds import RowRejected, work_for
from langportal.jobs.repositories import DONE, FAILED, QUEUED, UNFINISHED, Job, LeaseLost, RowError
from langportal.storage.retry import resending, retrying

LEASE = timedelta(minutes=2)  # longer than a save takes; a dead run frees its job after it
SAVE_EVERY_ROWS = 100
SAVE_EVERY_SECONDS = 2.0
T = TypeVar("T")
REJECTED = "rejected"

__all__ = [
    "DONE",
    "FAILED",
    "REJECTED",
    "UNFINISHED",
    "Job",
    "JobNotFound",
    "RowError",
    "RowRejected",
    "job_errors",
    "job_get",
    "job_output_url",
    "job_queue_again",
    "job_run",
    "job_start",
    "jobs_recent",
]


class JobNotFound(NotFound):
    code = "job_not_found"
    default_message = "No such job."


def job_start(
    *,
    kind: str,
    actor: str,
    actor_id: str,
    input_key: str | None = None,
    options: dict | None = None,
    job_id: str | None = None,
    now: datetime | None = None,
) -> Job:
    """Store a new job and queue it. If the queue is down the job is stored all the same
    (503): `job_queue_again` sends it once the queue is back. A `job_id` given makes
    starting twice start one job: the second start finds the first's job (with the same
    kind and input) and sends it again, unless it has finished."""
    work_for(kind)  # an unknown kind is refused before anything is stored
    now = now or timezone.now()
    job = Job(
        id=job_id or str(ULID()),
        kind=kind,
        status=QUEUED,
        actor=actor,
        actor_id=actor_id,
        created_at=now,
        updated_at=now,
        options=options or {},
        input_key=input_key,
    )
    try:
        # Resent while DynamoDB is busy (an item in another's transaction, throttling): the
        # put is conditional, so a resend after a lost answer finds the job, as below.
        resending(lambda: repo.job_create(job))
    except Conflict:
        job = repo.job_get(job.id)
        if job is None or (job.kind, job.input_key) != (kind, input_key):
            raise
    if job.status in UNFINISHED:
        queue.send(job.id)
    return job


def job_get(*, job_id: str) -> Job:
    job = repo.job_get(job_id)
    if job is None:
        raise JobNotFound()
    return job


def jobs_recent(*, limit: int = 50) -> list[Job]:
    return repo.jobs_recent(limit=limit)


def job_output_url(job: Job) -> str:
    """A link that downloads the job's output file for JOB_DOWNLOAD_SECONDS, under the
    file name its kind gave it (`options["filename"]`). Always signed by S3 itself, even
    where media are served from a public domain: an export is no one else's to read."""
    filename = job.options.get("filename") or PurePosixPath(job.output_key).name
    return aws.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.MEDIA_BUCKET,
            "Key": job.output_key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=settings.JOB_DOWNLOAD_SECONDS,
    )


@dataclass(frozen=True)
class UploadForm:
    """An HTML form that posts a file straight to S3: its action and its hidden fields
    (the file's own field, `file`, goes last)."""

    url: str
    fields: dict[str, str]


def job_upload_form(*, key: str, max_bytes: int, redirect: str) -> UploadForm:
    """A form a browser uploads a job's input file with, straight to S3, past the app's
    request limits (API Gateway takes 10 MB): to `key` only, up to `max_bytes`, for
    JOB_UPLOAD_SECONDS. S3 then sends the browser to `redirect` (an absolute URL), adding
    `bucket`, `key` and `etag` to its query."""
    post = aws.client("s3").generate_presigned_post(
        settings.MEDIA_BUCKET,
        key,
        Fields={"success_action_redirect": redirect},
        Conditions=[{"success_action_redirect": redirect}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=settings.JOB_UPLOAD_SECONDS,
    )
    return UploadForm(post["url"], post["fields"])


def job_errors(*, job_id: str) -> Iterator[RowError]:
    return repo.job_errors(job_id)


def job_queue_again(*, job_id: str) -> Job:
    """Send an unfinished job to the queue again (its message was lost, or never sent)."""
    job = job_get(job_id=job_id)
    if job.status in UNFINISHED:
        queue.send(job.id)
    return job


def job_run(
    job_id: str,
    *,
    seconds: float,
    now: Callable[[], datetime] = timezone.now,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Run the job from where it stopped, for about `seconds` at most; the job as stored
    afterwards. Unfinished (status queued or running) means: queue it again. A job that
    another run holds, or that has finished, is returned as it is."""
    stop_at = clock() + seconds
    owner = str(ULID())
    job = _persistently(lambda: repo.job_claim(job_id, owner=owner, now=now(), until=now() + LEASE))
    if job is None:
        return job_get(job_id=job_id)
    run = _Run(job, owner, now)
    try:
        return run.until(stop_at, clock)
    except LeaseLost:
        return job_get(job_id=job_id)
    except Unavailable:
        run.release()  # progress so far is saved; the next run need not wait for the lease
        raise
    except DomainError as error:  # the input cannot be read, say: the job cannot go on
        return run.fail(error.message)


class _Run:
    """One run of a job, between its claim and its last save."""

    def __init__(self, job: Job, owner: str, now: Callable[[], datetime]):
        self.job, self.owner, self.now = job, owner, now
        self.work = work_for(job.kind)

    def until(self, stop_at: float, clock: Callable[[], float]) -> Job:
        if self.job.total is None and self.work.prepare is not None:
            self._save(replace(self.job, total=self.work.prepare(self.job)), [])
        counts, done, errors = Counter(self.job.counts), self.job.done, []
        saved_at = clock()
        rows = islice(enumerate(self.work.rows(self.job), start=1), done, None)
        for number, row in rows:
            counts[self._apply(number, row, errors)] += 1
            done = number
            if done - self.job.done >= SAVE_EVERY_ROWS or clock() - saved_at >= SAVE_EVERY_SECONDS:
                self._save(replace(self.job, done=done, counts=dict(counts)), errors)
                errors, saved_at = [], clock()
                if clock() >= stop_at:
                    return self._save(self.job, [], until=None)  # the next run goes on
        finished = replace(self.job, done=done, counts=dict(counts), total=done)
        self._save(finished, errors)
        output_key = self.work.finish(self.job) if self.work.finish else None
        return self._save(replace(self.job, status=DONE, output_key=output_key), [], until=None)

    def _apply(self, number: int, row: dict, errors: list[RowError]) -> str:
        try:
            return resending(lambda: self.work.apply(self.job, number, row))
        except Unavailable:
            raise
        except DomainError as error:
            errors.append(RowError(number, _why(error), json.dumps(row, ensure_ascii=False, default=str)))
            return REJECTED

    def _save(self, job: Job, errors: list[RowError], *, until: datetime | bool = True) -> Job:
        if errors:
            repo.job_errors_put(job.id, errors)
        lease = self.now() + LEASE if until is True else until
        self.job = _persistently(lambda: repo.job_advance(job, owner=self.owner, now=self.now(), until=lease))
        return self.job

    def release(self) -> None:
        """End this run's lease at its last save, if DynamoDB lets us: a run that cannot
        go on frees its job for the next at once."""
        with contextlib.suppress(Unavailable, LeaseLost):
            self._save(self.job, [], until=None)

    def fail(self, message: str) -> Job:
        return self._save(replace(self.job, status=FAILED, message=message), [], until=None)


def _persistently(write: Callable[[], T]) -> T:
    """A write of the job's own record (a claim, a save: each the same when repeated),
    tried again while it loses a race or DynamoDB is unavailable."""
    return resending(lambda: retrying(write))


def _why(error: DomainError) -> str:
    """The error as one line of a report: its message, then each field's problems."""
    problems = [f"{field}: {_text(problem)}" for field, problem in error.details.items()]
    return "; ".join([error.message, *problems]) if problems else error.message


def _text(problem) -> str:
    return " ".join(map(_text, problem)) if isinstance(problem, list | tuple) else str(problem)
