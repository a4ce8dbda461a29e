"""The admin's import over HTTP, as a teacher's browser would post it, on DynamoDB as AWS
behaves: new words without ids are added, each once."""

import json
import re
import time
import uuid

import pytest

from .conftest import AdminBrowser, every_word

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def teacher_admin(stack) -> AdminBrowser:
    password = json.loads((stack.data_dir / "local-users.json").read_text())["teacher"]
    return AdminBrowser(stack.url).signed_in("teacher", password)


def test_an_import_of_new_words_adds_exactly_those_words(stack, teacher_admin, teacher, student):
    run = uuid.uuid4().hex[:8]
    rows = "".join(f",輸入{n},ゆにゅう,,import {run} {n:02d},noun,\n" for n in range(15))
    document = f"id,japanese,kana,romaji,english,part_of_speech,group_ids\n{rows}".encode()
    before = student.get("/api/words").json()["pagination"]["total_items"]
    url = "/admin/vocabulary/words/import/"
    preview = teacher_admin.post(url, {}, files={"file": ("words.csv", document, "text/csv")})
    assert "15 rows can be imported" in preview.text
    token = re.search(r'name="token" value="([^"]+)"', preview.text)[1]
    started = teacher_admin.post(url, {"token": token})
    assert started.status_code == 302
    job_page = started.headers["Location"]
    deadline = time.monotonic() + 120
    while not (job := teacher_admin.get(f"{job_page}progress/").json())["finished"] and time.monotonic() < deadline:
        time.sleep(0.5)  # the stack's jobs worker runs it from the queue
    assert (job["status"], job["done"], job["total"], job["counts"]) == ("done", 15, 15, {"words created": 15})
    assert "words created: 15" in teacher_admin.get(job_page).text
    assert student.get("/api/words").json()["pagination"]["total_items"] == before + 15
    imported = [word for word in every_word(student) if run in word["english"]]
    assert [word["english"] for word in imported] == [f"import {run} {n:02d}" for n in range(15)]
    for word in imported:  # the stack is shared: other tests count the starter vocabulary
        assert teacher.delete(f"/api/words/{word['id']}").status_code == 204
