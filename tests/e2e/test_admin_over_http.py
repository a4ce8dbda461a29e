"""The admin's import over HTTP, as a teacher's browser would post it, on DynamoDB as AWS
behaves: new words without ids are added, each once."""

import json
import re
import uuid

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


@pytest.fixture
def teacher_admin(stack) -> requests.Session:
    session = requests.Session()
    password = json.loads((stack.data_dir / "local-users.json").read_text())["teacher"]
    login = f"{stack.url}/admin/login/?next=/admin/"
    signed_in = session.post(
        login,
        {"username": "teacher", "password": password, "csrfmiddlewaretoken": csrf(session, login)},
        headers={"Referer": login},
        timeout=30,
    )
    assert signed_in.status_code == 200 and 'id="site-name"' in signed_in.text
    return session


def test_an_import_of_new_words_adds_exactly_those_words(stack, teacher_admin, teacher, student):
    run = uuid.uuid4().hex[:8]
    rows = "".join(f",輸入{n},ゆにゅう,,import {run} {n:02d},noun,\n" for n in range(15))
    document = f"id,japanese,kana,romaji,english,part_of_speech,group_ids\n{rows}".encode()
    before = student.get("/api/words").json()["pagination"]["total_items"]
    url = f"{stack.url}/admin/vocabulary/words/import/"
    preview = teacher_admin.post(
        url,
        {"csrfmiddlewaretoken": csrf(teacher_admin, url)},
        files={"file": ("words.csv", document, "text/csv")},
        headers={"Referer": url},
        timeout=60,
    )
    assert "15 rows can be imported" in preview.text
    token = re.search(r'name="token" value="([^"]+)"', preview.text)[1]
    fields = {"csrfmiddlewaretoken": csrf(teacher_admin, url), "token": token}
    written = teacher_admin.post(url, fields, headers={"Referer": url}, timeout=120).text
    assert "Imported 15 of 15 rows" in written
    assert student.get("/api/words").json()["pagination"]["total_items"] == before + 15
    imported = [word for word in every_word(student) if run in word["english"]]
    assert [word["english"] for word in imported] == [f"import {run} {n:02d}" for n in range(15)]
    for word in imported:  # the stack is shared: other tests count the starter vocabulary
        assert teacher.delete(f"/api/words/{word['id']}").status_code == 204


def every_word(api) -> list[dict]:
    """Every word, in English order, page by page."""
    found, page = [], 1
    while True:
        body = api.get(f"/api/words?per_page=100&sort_by=english&page={page}").json()
        found += body["items"]
        if page >= body["pagination"]["total_pages"]:
            return found
        page += 1
