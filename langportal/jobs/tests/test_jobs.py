"""Jobs run outside the request, resume where they stopped and count each row once."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from langportal import aws
from langportal.errors import Contended, Unavailable
from langportal.jobs import queue, services, worker
from langportal.jobs.kinds import UnknownKind
from langportal.jobs.lambdas import run_jobs
from langportal.jobs.services import LEASE, SAVE_EVERY_ROWS
from langportal.storage import retry


def start(rows: list[dict], **options):
    return services.job_start(
        kind="test_rows", actor="teacher", actor_id="sub-teacher", options={"rows": rows, **options}
    )


def queued() -> list[str]:
    messages = aws.client("sqs").receive_message(QueueUrl=queue.queue_url(), MaxNumberOfMessages=10)
    return [
        job_id
        for message in messages.get("Messages", [])
        for job_id in queue.job_ids({"Records": [{"body": message["Body"]}]})
    ]


def test_a_job_runs_every_row_and_keeps_the_rejected_ones_for_its_report(rows_kind):
    rows = [{"n": n} for n in range(1, 251)]
    rows[9] = {"n": 10, "bad": True}
    job = start(rows)
    assert (job.status, queued()) == ("queued", [job.id])
    finished = services.job_run(job.id, seconds=60)
    assert (finished.status, finished.total, finished.done) == ("done", 250, 250)
    assert finished.counts == {"counted": 249, "rejected": 1}
    assert services.job_get(job_id=job.id) == finished
    (error,) = services.job_errors(job_id=job.id)
    assert (error.row, error.message) == (10, "This row says it is bad.; bad: Leave it out.")
    assert '"bad": true' in error.fields


def test_a_killed_run_is_resumed_from_its_last_save_and_counts_each_row_once(rows_kind, clock):
    rows = [{"n": n} for n in range(1, 2 * SAVE_EVERY_ROWS + 51)]
    job = start(rows)
    rows_kind.die_at = SAVE_EVERY_ROWS + 30
    with pytest.raises(SystemExit):
        services.job_run(job.id, seconds=60, now=clock)
    cut = services.job_get(job_id=job.id)
    assert (cut.status, cut.done) == ("running", SAVE_EVERY_ROWS)

    held = services.job_run(job.id, seconds=60, now=clock)  # the dead run's lease still holds
    assert held.done == SAVE_EVERY_ROWS and len(rows_kind.applied) == SAVE_EVERY_ROWS + 29
    clock.advance(LEASE + timedelta(seconds=1))
    finished = services.job_run(job.id, seconds=60, now=clock)
    assert (finished.status, finished.done, finished.counts) == ("done", len(rows), {"counted": len(rows)})
    redone = rows_kind.applied[SAVE_EVERY_ROWS + 29 :]
    assert redone == list(range(SAVE_EVERY_ROWS + 1, len(rows) + 1))


def test_a_run_out_of_time_stops_at_a_save_and_the_next_goes_on(rows_kind):
    rows = [{"n": n} for n in range(1, 3 * SAVE_EVERY_ROWS + 1)]
    job = start(rows)
    first = services.job_run(job.id, seconds=0)
    assert (first.status, first.done, first.lease_until) == ("running", SAVE_EVERY_ROWS, None)
    second = services.job_run(job.id, seconds=60)
    assert (second.status, second.done) == ("done", len(rows))
    assert rows_kind.applied == list(range(1, len(rows) + 1))


def test_a_finished_job_runs_no_more(rows_kind):
    job = start([{"n": 1}])
    services.job_run(job.id, seconds=60)
    again = services.job_run(job.id, seconds=60)
    assert (again.status, rows_kind.applied) == ("done", [1])


def test_an_unknown_kind_is_refused_before_anything_is_stored(aws):
    with pytest.raises(UnknownKind):
        services.job_start(kind="no_such_kind", actor="teacher", actor_id="sub")
    assert services.jobs_recent() == [] and queued() == []


def test_a_job_whose_message_could_not_be_sent_is_kept_and_queued_again(rows_kind, monkeypatch):
    def queue_down(job_id):
        raise Unavailable("The jobs queue is unavailable. Please retry shortly.")

    with monkeypatch.context() as patched:
        patched.setattr(queue, "send", queue_down)
        with pytest.raises(Unavailable):
            start([{"n": 1}])
    (job,) = services.jobs_recent()
    assert (job.status, queued()) == ("queued", [])
    services.job_queue_again(job_id=job.id)
    assert queued() == [job.id]


class Invocation:
    def __init__(self, seconds: float):
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def event(*job_ids: str) -> dict:
    return {
        "Records": [{"messageId": f"m{n}", "body": f'{{"job_id": "{job_id}"}}'} for n, job_id in enumerate(job_ids)]
    }


def test_the_lambda_queues_a_job_again_when_its_time_runs_out(rows_kind):
    job = start([{"n": n} for n in range(1, 2 * SAVE_EVERY_ROWS + 1)])
    queued()  # the start's message, taken
    assert run_jobs(event(job.id), Invocation(seconds=0)) == {"batchItemFailures": []}
    assert queued() == [job.id]
    assert services.job_get(job_id=job.id).done == SAVE_EVERY_ROWS


def test_the_lambda_hands_back_a_job_another_run_holds(rows_kind):
    job = start([{"n": n} for n in range(1, SAVE_EVERY_ROWS + 31)])
    rows_kind.die_at = SAVE_EVERY_ROWS + 10
    with pytest.raises(SystemExit):
        services.job_run(job.id, seconds=60)
    queued()
    assert run_jobs(event(job.id), Invocation(seconds=600)) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert queued() == []


def test_the_local_worker_runs_a_queued_job_and_takes_its_message(rows_kind):
    job = start([{"n": n} for n in range(1, 6)])
    assert worker.poll_once() == 1
    assert services.job_get(job_id=job.id).status == "done"
    assert (worker.poll_once(), queued()) == (0, [])


def test_a_save_that_loses_a_race_is_tried_again(rows_kind, monkeypatch):
    real, lost = services.repo.job_advance, []

    def advance(*arguments, **options):
        if len(lost) < 2:  # another writer's transaction holds the item, twice
            lost.append(True)
            raise Contended()
        return real(*arguments, **options)

    monkeypatch.setattr(services.repo, "job_advance", advance)
    job = start([{"n": n} for n in range(1, 6)])
    assert services.job_run(job.id, seconds=60).status == "done"
    assert lost == [True, True]


def test_a_run_that_dynamodb_stops_frees_its_job_and_goes_on_later(rows_kind, monkeypatch):
    monkeypatch.setattr(retry, "time", SimpleNamespace(sleep=lambda seconds: None))  # no real backoff
    job = start([{"n": n} for n in range(1, SAVE_EVERY_ROWS + 31)])
    queued()  # the start's message, taken
    rows_kind.unavailable_at = SAVE_EVERY_ROWS + 10
    assert run_jobs(event(job.id), Invocation(seconds=600)) == {"batchItemFailures": []}
    stopped = services.job_get(job_id=job.id)
    assert (stopped.status, stopped.done, stopped.lease_until) == ("running", SAVE_EVERY_ROWS, None)
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=queue.queue_url(), AttributeNames=["All"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    rows_kind.unavailable_at = None
    finished = services.job_run(job.id, seconds=60)  # the next run, claiming at once
    assert (finished.status, finished.counts) == ("done", {"counted": SAVE_EVERY_ROWS + 30})
