"""The jobs queue (SQS): a message names a job to run, or to go on running. On AWS the
jobs Lambda reads it; on the local stack, the worker that `make run` starts."""

from __future__ import annotations

import functools
import json

from django.conf import settings

from langportal import aws


@functools.cache
def queue_url() -> str:
    with aws.unavailable_on_outage("The jobs queue"):
        return aws.client("sqs").get_queue_url(QueueName=settings.JOBS_QUEUE)["QueueUrl"]


def send(job_id: str, *, delay_seconds: int = 0) -> None:
    """Ask for a run of the job (after `delay_seconds`). Sent twice, it runs once: a run
    takes the job's lease."""
    with aws.unavailable_on_outage("The jobs queue"):
        aws.client("sqs").send_message(
            QueueUrl=queue_url(), MessageBody=json.dumps({"job_id": job_id}), DelaySeconds=delay_seconds
        )


def job_ids(event: dict) -> list[str]:
    """The jobs an SQS event asks to run."""
    return [json.loads(record["body"])["job_id"] for record in event.get("Records", [])]
