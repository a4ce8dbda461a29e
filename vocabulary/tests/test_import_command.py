"""`manage.py import_words`: the admin's import job, run from a shell with a progress bar."""

import io

import pytest
from django.core.management import CommandError, call_command

from langportal.jobs import services as jobs
from langportal.jobs import worker
from vocabulary import services


def import_words(path, *options) -> str:
    out = io.StringIO()
    call_command("import_words", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("id,japanese,english\n30,猫,cat\n,犬,dog\n,,nothing\n")
    return path


def test_a_file_is_imported_here_and_its_left_out_rows_are_listed(aws, csv_file):
    out = import_words(csv_file, "--actor", "ops")
    assert "Imported 3 rows: rejected: 1, words created: 2." in out
    assert "row 3: This word cannot be imported.; japanese:" in out
    assert services.word_get(word_id="30").english == "cat"
    assert services.word_history(word_id="30")[0].actor == "ops"
    assert "words unchanged: 2" in import_words(csv_file)  # a second time changes nothing


def test_no_wait_leaves_the_job_to_the_worker(aws, csv_file):
    job_id = import_words(csv_file, "--no-wait").split()[-1]
    assert jobs.job_get(job_id=job_id).status == "queued" and services.words_total() == 0
    assert worker.poll_once() == 1
    assert jobs.job_get(job_id=job_id).counts == {"words created": 2, "rejected": 1}


def test_a_file_that_cannot_be_read_is_an_error_naming_why(aws, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(CommandError, match="The import stopped after 0 rows"):
        import_words(path)
    with pytest.raises(CommandError, match="is not a file"):
        import_words(tmp_path / "missing.csv")


def test_a_file_past_the_jobs_byte_limit_is_refused_before_it_is_stored(aws, csv_file, settings):
    settings.IMPORT_JOB_MAX_BYTES = csv_file.stat().st_size - 1
    with pytest.raises(CommandError, match="IMPORT_JOB_MAX_BYTES"):
        import_words(csv_file)
    assert jobs.jobs_recent() == []
