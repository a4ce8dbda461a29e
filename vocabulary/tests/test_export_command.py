"""`manage.py export_words`: the admin's export job, run from a shell with a progress bar."""

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import CommandError, call_command

from langportal.jobs import services as jobs


def export_words(*options) -> str:
    out = io.StringIO()
    call_command("export_words", *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_groups_words_are_exported_here_to_a_file(words, tmp_path):
    path = tmp_path / "food.json"
    out = export_words("--group", words["food"].id, "--format", "json", "--output", str(path))
    assert f"Wrote {path}." in out
    assert [word["english"] for word in json.loads(path.read_text())["words"]] == ["water", "sushi"]


def test_without_an_output_it_prints_a_link_to_the_file(words):
    link = export_words().splitlines()[-1]
    assert "X-Amz-Signature" in parse_qs(urlsplit(link).query)
    assert requests.get(link, timeout=10).text.splitlines()[0].startswith("id,japanese")


def test_no_wait_leaves_the_job_to_the_worker(words):
    out = export_words("--no-wait")
    (job,) = jobs.jobs_recent()
    assert out == f"Export job {job.id}\n" and job.status == "queued"


def test_a_missing_group_is_refused(words):
    with pytest.raises(CommandError, match=r"No group with id 999\."):
        export_words("--group", "999")
    assert jobs.jobs_recent() == []
