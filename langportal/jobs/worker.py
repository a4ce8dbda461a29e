"""The local stack's jobs worker, started by `make run`: the jobs Lambda's own handler,
fed from the same SQS queue, as AWS's event source mapping would. It polls without
waiting on the queue: the local emulator serves one request at a time, and a long poll
would hold every other request up for its whole wait. Between polls it runs the periodic
tasks (langportal.jobs.periodic) every PERIODIC_SECONDS, as the schedule does on AWS.

    python -m langportal.jobs.worker
"""

from __future__ import annotations

import logging
import signal
import time

from langportal import aws
from langportal.jobs import (
    lambdas,  # first: it sets Django up
    periodic,
    queue,
)

RUN_SECONDS = 14 * 60  # what a Lambda invocation is given (its limit is 15 minutes)
POLL_SECONDS = 1.0  # between polls that found no message
PERIODIC_SECONDS = 3.0  # between runs of the periodic tasks (a minute on AWS)
PERIODIC_RUN_SECONDS = 20.0  # what one run of them is given, so that jobs wait little

logger = logging.getLogger(__name__)


class Invocation:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, seconds: float):
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - time.monotonic()) * 1000)


def poll_once() -> int:
    """Take one message, if the queue holds one, and hand it to the handler; delete it
    unless the handler asks for it again. Returns the messages handled."""
    sqs = aws.client("sqs")
    answer = sqs.receive_message(QueueUrl=queue.queue_url(), MaxNumberOfMessages=1, WaitTimeSeconds=0)
    messages = answer.get("Messages", [])
    for message in messages:
        event = {"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]}
        try:
            failures = lambdas.run_jobs(event, Invocation(RUN_SECONDS))["batchItemFailures"]
        except Exception:  # as on Lambda: the message comes back after the visibility timeout
            logger.exception("A job run failed; its message will be delivered again.")
            continue
        if not failures:
            sqs.delete_message(QueueUrl=queue.queue_url(), ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def periodic_when_due(due: float, *, now: float) -> float:
    """Run the periodic tasks if they are due at `now`; returns when they are due next."""
    if now < due:
        return due
    periodic.run_all(seconds=PERIODIC_RUN_SECONDS)
    return now + PERIODIC_SECONDS


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="jobs worker: %(message)s")
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    logger.info("waiting for jobs on %s", queue.queue_url())
    due = 0.0
    try:
        while True:
            due = periodic_when_due(due, now=time.monotonic())
            if not poll_once():
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
