"""Erasing one student's data as a job (langportal.jobs), started from the student's admin
page or `manage.py erase_student`, run by the jobs Lambda or the local worker.

`prepare` writes the plan (lrs.services.erasure) to S3 as JSON lines, under
`erasures/<job id>.jsonl`, and counts it; the rows are that snapshot read back as a
stream, so they are the same on every run however the student's records change
meanwhile. Each row erases one item, idempotently (a review corrects the teachers'
counters in the transaction that deletes it). `finish` erases what the student wrote
while the job ran, by a fresh plan, then deletes the snapshot.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import closing

from django.core.files import File
from django.core.files.storage import default_storage

from langportal.jobs import services as jobs
from langportal.jobs.kinds import Work, register
from langportal.jobs.repositories import Job
from lrs import services
from lrs.services import Caller, ErasureItem, ErasureSubject
from vocabulary.services import object_stream, objects_delete

ERASE_STUDENT = "erase_student"


def erasure_job_start(*, caller: Caller, user_id: str, actor: str, job_id: str | None = None) -> Job:
    """Start erasing a student's data, if the caller may (403, 404 otherwise). The job
    keeps the username their records give, for the audit entries: the records go first.
    The job is stored even when the queue is down (503); a `job_id` given names it."""
    subject = services.erasure_subject(caller=caller, user_id=user_id)
    return jobs.job_start(
        kind=ERASE_STUDENT,
        actor=actor,
        actor_id=caller.sub,
        options={"user_id": subject.user_id, "username": subject.username},
        job_id=job_id,
    )


def _subject(job: Job) -> ErasureSubject:
    return ErasureSubject(job.options["user_id"], job.options.get("username"))


def _snapshot_key(job: Job) -> str:
    return f"erasures/{job.id}.jsonl"


def _prepare(job: Job) -> int:
    """Write the plan to S3, a line per item, and count it (written again if the job was
    cut before its first row: the rows read only the snapshot that is there)."""
    count = 0
    with tempfile.TemporaryFile() as lines:
        for item in services.erasure_plan(_subject(job)):
            lines.write(json.dumps({"kind": item.kind, "key": item.key}).encode() + b"\n")
            count += 1
        lines.seek(0)
        default_storage.save(_snapshot_key(job), File(lines))
    return count


def _rows(job: Job) -> Iterator[dict]:
    with closing(object_stream(_snapshot_key(job))) as stream:
        for line in stream.iter_lines():
            yield json.loads(line)


def _apply(job: Job, number: int, row: dict) -> str:
    return services.erasure_item_erase(ErasureItem(row["kind"], row["key"]))


def _finish(job: Job) -> None:
    for item in services.erasure_plan(_subject(job)):  # what the student wrote meanwhile
        services.erasure_item_erase(item)
    objects_delete([_snapshot_key(job)])


register(
    ERASE_STUDENT,
    Work(rows=_rows, apply=_apply, prepare=_prepare, finish=_finish, title="Erase a student's data"),
)
