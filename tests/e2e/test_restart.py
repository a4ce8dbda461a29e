"""Ctrl-C and `make run` again: everything a teacher did is still there, nothing doubled."""

import pytest

from .conftest import Api, Stack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_local_data_survives_a_restart(tmp_path, starter):
    stack = Stack(tmp_path, free_port(), free_port()).start()
    try:
        student_before = stack.tokens("student")
        teacher = Api(stack.url, stack.tokens("teacher")["id_token"])
        created = teacher.post("/api/words", json={"japanese": "自転車", "kana": "じてんしゃ", "english": "bicycle"})
        assert created.status_code == 201
        assert teacher.patch("/api/words/1", json={"english": "good afternoon"}).status_code == 200
        assert teacher.post("/api/groups", json={"name": "Transport"}).status_code == 201
        assert stack.manage("local_user", "yuki", "--group", "students").returncode == 0
    finally:
        assert stack.stop() == 0
    assert "Stopped; local data saved" in stack.log.read_text()

    again = Stack(tmp_path, free_port(), free_port()).start()
    try:
        student = Api(again.url, student_before["id_token"])  # a token from before the restart
        words = student.get("/api/words").json()
        assert words["pagination"]["total_items"] == starter.words + 1
        assert student.get("/api/words/1").json()["english"] == "good afternoon"
        assert student.get(f"/api/words/{created.json()['id']}").json()["english"] == "bicycle"
        assert student.get("/api/groups").json()["pagination"]["total_items"] == starter.groups + 1
        assert again.tokens("student")["user_id"] == student_before["user_id"]
        assert again.tokens("yuki")["user_id"]
        assert (
            again.log.read_text().count(
                f"Loaded the starter vocabulary: {starter.words} words in {starter.groups} groups."
            )
            == 1
        )
    finally:
        again.stop()
