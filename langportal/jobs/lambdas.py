"""The jobs Lambdas: SQS messages naming jobs to run (`langportal.jobs.queue`), and the
periodic tasks (`langportal.jobs.periodic`) on a schedule.

A job runs until the invocation's time is nearly spent, then queues itself again. A job
another run still holds is reported as a failed item, so SQS delivers its message again
after the visibility timeout, when that run has finished or its lease has run out. A run
that DynamoDB stops (down, or busy past our retries) frees the job and queues it again a
few seconds later.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")
django.setup()

from langportal.errors import Unavailable  # noqa: E402 (needs Django set up)
from langportal.jobs import periodic, queue, services  # noqa: E402
from langportal.jobs.repositories import UNFINISHED  # noqa: E402

MARGIN_SECONDS = 30  # left of an invocation for the last save and the next message
# Left of a periodic invocation when its tasks stop: a task checks its time between
# requests, so a request begun just before may take this long yet (the forwarder's POST).
PERIODIC_MARGIN_SECONDS = 25
RETRY_DELAY_SECONDS = 10  # before a run that DynamoDB stopped goes on


def run_jobs(event, context) -> dict:
    failures = []
    for record in event.get("Records", []):
        (job_id,) = queue.job_ids({"Records": [record]})
        seconds = context.get_remaining_time_in_millis() / 1000 - MARGIN_SECONDS
        try:
            job = services.job_run(job_id, seconds=max(seconds, 0))  # at least one save of progress
        except Unavailable:  # DynamoDB down or too busy, past our retries: go on in a while
            queue.send(job_id, delay_seconds=RETRY_DELAY_SECONDS)
            continue
        if job.status not in UNFINISHED:
            continue
        if job.lease_until is None:
            queue.send(job.id)  # this run stopped for time: the next one goes on
        else:
            failures.append({"itemIdentifier": record["messageId"]})  # another run holds it
    return {"batchItemFailures": failures}


def run_periodic(event, context) -> dict:
    """Run by an EventBridge schedule every minute: each periodic task once, within the
    invocation's time. A task that fails is logged; the next minute's run tries again."""
    seconds = context.get_remaining_time_in_millis() / 1000 - PERIODIC_MARGIN_SECONDS
    return periodic.run_all(seconds=max(seconds, 0))
