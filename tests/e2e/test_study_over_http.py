"""Studying through gunicorn and the local stack, with real tokens."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import Api

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CLIENTS = 20
REVIEWS = 200


def test_a_study_session_from_start_to_end(learner, start_session, starter):
    api, user_id = learner
    session = start_session(api)
    for word_id, correct in (("1", True), ("2", False), ("3", True), ("4", True), ("5", True)):
        answer = api.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": word_id, "correct": correct})
        assert answer.json() == {**answer.json(), "success": True, "word_id": word_id, "correct": correct}
    ended = api.post(f"/api/study_sessions/{session['id']}/end").json()
    assert (ended["ended"], ended["review_items_count"], ended["success_rate"]) == (True, 5, 80.0)
    listing = api.get(f"/api/study_sessions/{user_id}").json()
    assert listing["user_id"] == user_id
    assert [(item["id"], item["group_name"], item["success_rate"]) for item in listing["study_sessions"]] == [
        (session["id"], "Basic Greetings", 80.0)
    ]
    late = api.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": True})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "session_ended")
    progress = api.get(f"/api/progress/{user_id}").json()
    assert (progress["words_studied"], progress["words_available"] >= starter.words, progress["current_streak"]) == (
        5,
        True,
        1,
    )
    word = api.get("/api/words/2").json()
    assert (word["correct_count"], word["wrong_count"]) == (0, 1)


def test_others_cannot_see_or_touch_a_session(learner, make_learner, start_session):
    api, user_id = learner
    session = start_session(api)
    intruder, _ = make_learner()
    assert intruder.get(f"/api/study_sessions/{user_id}").status_code == 403
    assert intruder.get(f"/api/study_sessions/{user_id}/{session['id']}").status_code == 403
    response = intruder.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": True})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "session_not_found")
    assert api.get(f"/api/study_sessions/{user_id}/{session['id']}").json()["review_items_count"] == 0


def test_retrying_with_an_idempotency_key_records_once(learner, start_session):
    api, user_id = learner
    session = start_session(api)
    path = f"/api/study_sessions/{session['id']}/review"
    headers = {"Idempotency-Key": f"review-{uuid.uuid4()}"}
    first = api.post(path, json={"word_id": "7", "correct": False}, headers=headers)
    retry = api.post(path, json={"word_id": "7", "correct": False}, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert first.json() == retry.json()
    assert api.get(f"/api/study_sessions/{user_id}/{session['id']}").json()["review_items_count"] == 1


def test_bad_answers_are_refused(learner, start_session):
    api, _ = learner
    session = start_session(api)
    path = f"/api/study_sessions/{session['id']}/review"
    for body, status in (
        ({"word_id": "1", "correct": "true"}, 400),
        ({"word_id": "1"}, 400),
        ({"word_id": "999999", "correct": True}, 404),
    ):
        response = api.post(path, json=body)
        assert response.status_code == status
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_parallel_reviews_are_all_counted(stack, learner, start_session):
    """200 answers from 20 clients at once, each retrying a 503 with its Idempotency-Key:
    nothing lost, nothing counted twice."""
    api, user_id = learner
    session = start_session(api)
    token = api.session.headers["Authorization"].removeprefix("Bearer ")
    answers = [(str(1 + number % 10), number % 3 != 0) for number in range(REVIEWS)]
    run = uuid.uuid4().hex[:8]

    def client_run(client_number: int) -> list[int]:
        client = Api(stack.url, token)
        path = f"/api/study_sessions/{session['id']}/review"
        statuses = []
        for number in range(client_number, REVIEWS, CLIENTS):
            word, correct = answers[number]
            key = {"Idempotency-Key": f"answer-{run}-{number}"}
            statuses.append(client.post(path, json={"word_id": word, "correct": correct}, headers=key).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = [status for run in pool.map(client_run, range(CLIENTS)) for status in run]
    assert statuses == [201] * REVIEWS

    detail = api.get(f"/api/study_sessions/{user_id}/{session['id']}?limit=1").json()
    assert detail["review_items_count"] == REVIEWS
    assert detail["correct_count"] == sum(correct for _, correct in answers)
    stats = {item["word_id"]: item for item in api.get(f"/api/progress/{user_id}/words?limit=100").json()["words"]}
    for word in {word for word, _ in answers}:
        expected_right = sum(correct for w, correct in answers if w == word)
        expected_wrong = sum(not correct for w, correct in answers if w == word)
        assert (stats[word]["correct_count"], stats[word]["wrong_count"]) == (expected_right, expected_wrong)
    progress = api.get(f"/api/progress/{user_id}").json()
    assert (progress["reviews_count"], progress["words_studied"]) == (REVIEWS, 10)


def test_a_review_right_after_each_start_finds_its_session(stack):
    """20 students at once start a session and answer at once: reads after writes see them."""

    def pair(number: int) -> tuple[int, int]:
        api = Api(stack.url, stack.user_signed_in(f"pair-{uuid.uuid4().hex[:8]}-{number}"))
        started = api.post("/api/study_sessions", json={"group_id": "1", "activity": "flashcards"})
        answered = api.post(
            f"/api/study_sessions/{started.json()['id']}/review", json={"word_id": "1", "correct": True}
        )
        return started.status_code, answered.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(pair, range(20))) == [(201, 201)] * 20


def test_teacher_reads_and_resets_a_student(teacher, learner, start_session):
    api, user_id = learner
    session = start_session(api)
    api.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": True})
    assert teacher.get(f"/api/progress/{user_id}").json()["reviews_count"] == 1
    assert api.post(f"/api/progress/{user_id}/reset").status_code == 403
    assert teacher.post(f"/api/progress/{user_id}/reset").status_code == 204
    assert api.get(f"/api/study_sessions/{user_id}").json()["study_sessions"] == []
    assert api.get(f"/api/progress/{user_id}").json()["reviews_count"] == 0


def test_streak_job_runs_against_the_stack(stack):
    result = stack.manage("reset_streaks")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Reset ")
