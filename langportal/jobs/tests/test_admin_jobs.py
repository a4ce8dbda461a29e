"""The admin's Jobs pages: every kind of job listed with its progress, a job's page with
its counts, and its output file through a short-lived signed link."""

from urllib.parse import parse_qs, urlsplit

import requests
from django.test import Client

from langportal.jobs import services


def finished(**options):
    job = services.job_start(kind="test_rows", actor="sensei", actor_id="sub-sensei", options=options)
    return services.job_run(job.id, seconds=60)


def test_the_jobs_page_lists_every_kind_with_its_progress(teacher_browser, rows_kind):
    done = finished(rows=[{"n": 1}, {"n": 2, "bad": True}], name="two rows")
    listing = teacher_browser.get("/admin/jobs/").content.decode()
    assert f'href="/admin/jobs/{done.id}/"' in listing
    assert "Count rows" in listing and "two rows" in listing and "done" in listing
    assert f'href="/admin/jobs/{done.id}/errors.csv">1<' in listing
    page = teacher_browser.get(f"/admin/jobs/{done.id}/").content.decode()
    assert "counted: 1, rejected: 1" in page
    assert 'id="job-download"' not in page  # this one made no file


def test_a_jobs_file_downloads_through_a_signed_link_that_expires(teacher_browser, rows_kind, settings):
    settings.JOB_DOWNLOAD_SECONDS = 120
    done = finished(rows=[{"n": 1}], output="one row\n", filename="rows.txt")
    page = teacher_browser.get(f"/admin/jobs/{done.id}/").content.decode()
    assert f'href="/admin/jobs/{done.id}/download/" id="job-download"' in page
    answer = teacher_browser.get(f"/admin/jobs/{done.id}/download/")
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert query["response-content-disposition"] == ['attachment; filename="rows.txt"']
    download = requests.get(answer["Location"], timeout=10)
    assert (download.status_code, download.text) == (200, "one row\n")


def test_a_job_without_a_file_has_no_download(teacher_browser, rows_kind):
    done = finished(rows=[{"n": 1}])
    assert teacher_browser.get(f"/admin/jobs/{done.id}/download/").status_code == 404


def test_students_and_strangers_see_no_jobs(make_tokens, rows_kind, db):
    done = finished(rows=[{"n": 1}], output="secret\n")
    make_tokens("kenji")
    for path in ("", f"{done.id}/", f"{done.id}/progress/", f"{done.id}/download/", f"{done.id}/errors.csv"):
        assert Client().get(f"/admin/jobs/{path}").status_code == 302, path  # to the sign-in page
