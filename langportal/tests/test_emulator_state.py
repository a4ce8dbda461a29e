"""The local stack's emulator keeps its state across a restart (a snapshot, then a
restore), the jobs waiting in the queue among it."""

from langportal import aws as amazon
from langportal.jobs import queue
from langportal.local.emulator import restore, snapshot


def test_a_queued_job_is_still_queued_after_a_restart(aws):
    queue.send("01M8XZ1TNX4G98AX5XA87NP1HC")
    saved = snapshot()
    sqs = amazon.client("sqs")
    sqs.purge_queue(QueueUrl=queue.queue_url())  # what a stopped emulator forgets
    restore(saved)
    messages = sqs.receive_message(QueueUrl=queue.queue_url(), MaxNumberOfMessages=10)["Messages"]
    assert [queue.job_ids({"Records": [{"body": message["Body"]}]}) for message in messages] == [
        ["01M8XZ1TNX4G98AX5XA87NP1HC"]
    ]
