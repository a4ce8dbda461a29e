"""The admin's Jobs page: imports listed with their progress, each job's live progress
and the rows it left out as a CSV safe for spreadsheets."""

import csv
import io

from django.test import Client

from langportal.aws import client
from langportal.jobs import queue, worker
from langportal.jobs import services as jobs
from langportal.jobs.models import JobModel


def started(admin_import, data: bytes, name: str = "w.csv") -> str:
    """Preview and confirm an import, leaving its job in the queue: its page's path."""
    preview = admin_import.preview(data, name)
    token = preview.split('name="token" value="', 1)[1].split('"', 1)[0]
    answer = admin_import.client.post(admin_import.URL, {"token": token})
    assert answer.status_code == 302
    return answer["Location"]


def test_a_queued_import_is_listed_and_its_page_reads_its_progress(teacher_browser, admin_import, words):
    page = started(admin_import, "japanese,english\n猫,cat\n犬,dog\n".encode())
    job_id = page.rstrip("/").rsplit("/", 1)[1]
    listing = teacher_browser.get("/admin/jobs/").content.decode()
    assert f'href="{page}"' in listing and "w.csv" in listing and "queued" in listing
    progress = teacher_browser.get(f"{page}progress/").json()
    assert (progress["id"], progress["status"], progress["done"], progress["finished"]) == (job_id, "queued", 0, False)
    assert "Send it again" in teacher_browser.get(page).content.decode()
    assert jobs.job_run(job_id, seconds=60).status == "done"
    progress = teacher_browser.get(f"{page}progress/").json()
    assert (progress["status"], progress["done"], progress["total"]) == ("done", 2, 2)
    assert progress["counts"] == {"words created": 2}


def test_the_rows_left_out_download_as_a_csv_with_why(teacher_browser, admin_import, words):
    job_page = admin_import(b"japanese,english\n=cmd,evil\n\xe7\x8c\xab,cat\n")
    assert "rejected: 1, words created: 1" in job_page
    link = job_page.split('id="job-errors"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    response = teacher_browser.get(link)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "error", "entry"]
    assert [row[0] for row in rows[1:]] == ["1"]
    assert rows[1][1].startswith("This word cannot be imported.; japanese:")
    assert rows[1][2].startswith('{"kind": "word", "entry": {"japanese": "=cmd"')


def test_a_job_whose_message_was_lost_can_be_sent_again(teacher_browser, admin_import, words):
    page = started(admin_import, "japanese,english\n猫,cat\n".encode())
    client("sqs").purge_queue(QueueUrl=queue.queue_url())
    assert worker.poll_once() == 0
    answer = teacher_browser.post(page, {"action": "queue"})
    assert answer.status_code == 302
    assert worker.poll_once() == 1
    assert teacher_browser.get(f"{page}progress/").json()["status"] == "done"


def test_a_malformed_or_unknown_job_id_is_404(teacher_browser, words, dynamodb_requests):
    for path in ("nope/", "nope/progress/", "nope/errors.csv", "01M8XXVY6N1WJZAJJREHQR3QTS/progress/"):
        dynamodb_requests.sent.clear()  # signing in reads what it reads
        assert teacher_browser.get(f"/admin/jobs/{path}").status_code == 404, path
        assert bool(dynamodb_requests.naming(JobModel.Meta.table_name)) == path.startswith("01M"), path


def test_students_cannot_see_imports(make_tokens, aws, db):
    make_tokens("kenji")
    assert Client().get("/admin/jobs/").status_code == 302  # to the sign-in page
