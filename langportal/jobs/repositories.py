"""Jobs and their rejected rows in DynamoDB. Every read of a job is consistent: a worker
decides from it where to resume, and a stale copy would redo or skip rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from langportal.errors import Conflict
from langportal.jobs.models import LISTING, JobErrorModel, JobModel
from langportal.storage.dynamo import batch_write, dynamodb_errors

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)
REPORTED_ROW_CHARACTERS = 2_000  # of a rejected row, in its error report


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    status: str
    actor: str
    actor_id: str
    created_at: datetime
    updated_at: datetime
    options: dict = field(default_factory=dict)
    input_key: str | None = None
    output_key: str | None = None
    total: int | None = None
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True)
class RowError:
    row: int
    message: str
    fields: str  # the row as JSON, as far as it is kept


def _job(item: JobModel) -> Job:
    return Job(
        id=item.job_id,
        kind=item.kind,
        status=item.status,
        actor=item.actor,
        actor_id=item.actor_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
        options=item.options.as_dict() if item.options else {},
        input_key=item.input_key,
        output_key=item.output_key,
        total=None if item.total is None else int(item.total),
        done=int(item.done or 0),
        counts={name: int(count) for name, count in (item.counts.as_dict() if item.counts else {}).items()},
        message=item.message,
        lease_owner=item.lease_owner,
        lease_until=item.lease_until,
    )


def job_create(job: Job) -> None:
    item = JobModel(
        job.id,
        kind=job.kind,
        status=job.status,
        actor=job.actor,
        actor_id=job.actor_id,
        options=job.options,
        input_key=job.input_key,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )
    with dynamodb_errors():
        item.save(condition=JobModel.job_id.does_not_exist())


def job_get(job_id: str) -> Job | None:
    with dynamodb_errors():
        try:
            return _job(JobModel.get(job_id, consistent_read=True))
        except DoesNotExist:
            return None


def job_claim(job_id: str, *, owner: str, now: datetime, until: datetime) -> Job | None:
    """Take the job for one run, unless it is finished or another run's lease holds;
    None when it cannot be taken."""
    free = JobModel.lease_until.does_not_exist() | (JobModel.lease_until < now) | (JobModel.lease_owner == owner)
    item = JobModel(job_id)
    try:
        with dynamodb_errors():
            item.update(
                actions=[
                    JobModel.status.set(RUNNING),
                    JobModel.lease_owner.set(owner),
                    JobModel.lease_until.set(until),
                    JobModel.updated_at.set(now),
                ],
                condition=JobModel.status.is_in(*UNFINISHED) & free,
            )
    except Conflict:
        return None
    return _job(item)


class LeaseLost(Exception):
    """Another run took the job over (this one's lease ran out): this run stops."""


def job_advance(job: Job, *, owner: str, now: datetime, until: datetime | None) -> Job:
    """Store a run's progress: rows done, counts, total, and the status with what it
    made; the job as stored. Only the lease's owner may; `until` None ends the lease."""
    actions = [
        JobModel.done.set(job.done),
        JobModel.counts.set(job.counts),
        JobModel.status.set(job.status),
        JobModel.updated_at.set(now),
    ]
    for name in ("total", "output_key", "message"):
        if getattr(job, name) is not None:
            actions.append(getattr(JobModel, name).set(getattr(job, name)))
    actions.append(JobModel.lease_until.set(until) if until else JobModel.lease_until.remove())
    item = JobModel(job.id)
    try:
        with dynamodb_errors():
            item.update(actions=actions, condition=JobModel.lease_owner == owner)
    except Conflict:
        raise LeaseLost(job.id) from None
    return _job(item)


def job_errors_put(job_id: str, errors: list[RowError]) -> None:
    """Each rejected row under its number: written again by a rerun, stored once."""
    batch_write(
        JobErrorModel,
        puts=[
            JobErrorModel(job_id, error.row, message=error.message, fields=error.fields[:REPORTED_ROW_CHARACTERS])
            for error in errors
        ],
    )


def job_errors(job_id: str) -> Iterator[RowError]:
    """A job's rejected rows in order, read page by page."""
    with dynamodb_errors():
        for item in JobErrorModel.query(job_id, consistent_read=True):
            yield RowError(int(item.row), item.message, item.fields)


def jobs_recent(*, limit: int) -> list[Job]:
    """The newest jobs. The listing index is eventually consistent: a job started a
    moment ago may be missing for a second, which a listing page can live with."""
    with dynamodb_errors():
        return [_job(item) for item in JobModel.recent.query(LISTING, scan_index_forward=False, limit=limit)]
