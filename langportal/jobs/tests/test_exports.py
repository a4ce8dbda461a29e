"""Exports run as jobs: every record written once and in order, however the runs are cut,
into one file in S3 that the admin's job page downloads."""

import csv
import io
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from langportal import aws
from langportal.jobs import exports, services
from langportal.jobs.services import LEASE, SAVE_EVERY_ROWS


def start(records: int, page: int = 2, format: str = "lines", **options):
    return exports.export_start(
        kind="test_records",
        format=format,
        name="Some records",
        actor="sensei",
        actor_id="sub-sensei",
        options={"records": records, "page": page, **options},
    )


def stored(prefix: str) -> list[str]:
    listing = aws.client("s3").list_objects_v2(Bucket=settings.MEDIA_BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def output(job) -> bytes:
    return aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=job.output_key)["Body"].read()


def numbers(count: int) -> bytes:
    return "".join(f"{n}\n" for n in range(1, count + 1)).encode()


def test_an_export_writes_every_record_once_and_in_order(records_kind):
    job = start(records=7, page=3)
    assert job.options["filename"] == f"some-records-{timezone.localdate().isoformat()}.txt"
    done = services.job_run(job.id, seconds=60)
    assert (done.status, done.done, done.counts) == ("done", 3, {"pages": 3})
    assert done.output_key == f"exports/{job.id}/{job.options['filename']}"
    assert output(done) == numbers(7)
    assert records_kind.cursors == [None, "3", "6"]


def test_the_progress_bar_reckons_pages_from_the_count(records_kind):
    job = start(records=3 * exports.EXPORT_PAGE_RECORDS + 1, page=exports.EXPORT_PAGE_RECORDS)
    first = services.job_run(job.id, seconds=0)
    assert first.total == 4


def test_a_killed_run_run_again_gives_the_same_file(records_kind, clock):
    pages = 2 * SAVE_EVERY_ROWS + 50
    job = start(records=2 * pages)
    records_kind.die_at = SAVE_EVERY_ROWS + 30  # parts stored past the last save
    with pytest.raises(SystemExit):
        services.job_run(job.id, seconds=60, now=clock)
    assert services.job_get(job_id=job.id).done == SAVE_EVERY_ROWS
    clock.advance(LEASE + timedelta(seconds=1))
    done = services.job_run(job.id, seconds=60, now=clock)
    assert (done.status, done.counts) == ("done", {"pages": pages})
    assert output(done) == numbers(2 * pages)
    after_last_part = str(2 * (SAVE_EVERY_ROWS + 29))
    assert records_kind.cursors.count(None) == 1  # the second run read on after the last part stored
    assert records_kind.cursors.count(after_last_part) == 2  # where the first run died, and the second began


def test_a_run_killed_while_writing_the_file_leaves_none_and_the_next_writes_it(records_kind, clock):
    job = start(records=9)
    records_kind.die_writing_at = 5
    with pytest.raises(SystemExit):
        services.job_run(job.id, seconds=60, now=clock)
    assert stored(f"exports/{job.id}/") == [f"exports/{job.id}/parts/{n}.jsonl" for n in range(1, 6)]
    assert aws.client("s3").list_multipart_uploads(Bucket=settings.MEDIA_BUCKET).get("Uploads", []) == []
    clock.advance(LEASE + timedelta(seconds=1))
    done = services.job_run(job.id, seconds=60, now=clock)
    assert output(done) == numbers(9)


def test_a_run_out_of_time_stops_at_a_save_and_the_next_goes_on(records_kind):
    job = start(records=2 * (SAVE_EVERY_ROWS + 20))
    first = services.job_run(job.id, seconds=0)
    assert (first.status, first.done, first.output_key) == ("running", SAVE_EVERY_ROWS, None)
    done = services.job_run(job.id, seconds=60)
    assert (done.status, done.done) == ("done", SAVE_EVERY_ROWS + 20)
    assert output(done) == numbers(2 * (SAVE_EVERY_ROWS + 20))


def test_a_file_larger_than_a_part_is_uploaded_in_parts(records_kind, settings):
    settings.EXPORT_PART_BYTES = 5 * 1024 * 1024  # S3's least
    text = "x" * 1_000
    job = start(records=6_000, page=exports.EXPORT_PAGE_RECORDS, format="csv", text=text)
    done = services.job_run(job.id, seconds=60)
    head = aws.client("s3").head_object(Bucket=settings.MEDIA_BUCKET, Key=done.output_key)
    assert head["ETag"].strip('"').endswith("-2") and head["ContentLength"] > settings.EXPORT_PART_BYTES
    rows = list(csv.reader(io.StringIO(output(done).decode())))
    assert rows == [["n", "text"]] + [[str(n), f"{text}{n}"] for n in range(1, 6_001)]


def test_the_parts_are_deleted_once_the_file_is_written(records_kind):
    done = services.job_run(start(records=5).id, seconds=60)
    assert stored(f"exports/{done.id}/") == [done.output_key]


def test_csv_cells_are_formula_safe(records_kind):
    done = services.job_run(start(records=1, format="csv", text="=HYPERLINK(1)").id, seconds=60)
    assert output(done).decode().splitlines() == ["n,text", "1,'=HYPERLINK(1)1"]


def test_json_is_an_array_or_a_document_of_the_records(records_kind):
    array = services.job_run(start(records=3, format="json").id, seconds=60)
    assert json.loads(output(array)) == [{"n": n, "text": str(n)} for n in (1, 2, 3)]
    document = services.job_run(start(records=2, format="document").id, seconds=60)
    assert json.loads(output(document)) == {
        "name": "Some records",
        "records": [{"n": 1, "text": "1"}, {"n": 2, "text": "2"}],
    }
    empty = services.job_run(start(records=0, format="document").id, seconds=60)
    assert json.loads(output(empty)) == {"name": "Some records", "records": []}


def test_an_unknown_format_is_refused_before_anything_is_stored(records_kind):
    with pytest.raises(exports.UnknownFormat) as refused:
        start(records=1, format="xml")
    assert refused.value.status == 400 and "csv, document, json, lines" in refused.value.message
    assert services.jobs_recent() == []


def test_a_job_stored_with_an_unknown_format_fails_with_why(records_kind):
    job = services.job_start(
        kind="test_records", actor="sensei", actor_id="sub", options={"format": "xml", "records": 1, "page": 1}
    )
    failed = services.job_run(job.id, seconds=60)
    assert (failed.status, failed.output_key) == ("failed", None)
    assert "no export format 'xml'" in failed.message
    assert stored(f"exports/{job.id}/") == []


def test_the_file_downloads_from_the_job_page(teacher_browser, records_kind):
    done = services.job_run(start(records=4, format="csv").id, seconds=60)
    page = teacher_browser.get(f"/admin/jobs/{done.id}/").content.decode()
    assert "Export records" in page and 'id="job-download"' in page and "pages: 2" in page
    answer = teacher_browser.get(f"/admin/jobs/{done.id}/download/")
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["response-content-disposition"] == [f'attachment; filename="{done.options["filename"]}"']
    download = requests.get(answer["Location"], timeout=10)
    assert download.status_code == 200
    assert download.text.splitlines() == ["n,text", "1,1", "2,2", "3,3", "4,4"]
