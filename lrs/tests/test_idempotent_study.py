"""Starting and ending a session take an Idempotency-Key, as reviews do."""

from datetime import datetime

from lrs import repositories as repo

KEY = "start-0c9e"


def start(api, group_id: str, key: str = KEY):
    body = {"group_id": group_id, "activity": "quiz"}
    return api.post("/api/study_sessions", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeated_start_makes_one_session(student_api, vocabulary_words, student_id):
    first, again = start(student_api, vocabulary_words.id), start(student_api, vocabulary_words.id)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert [session.id for session in repo.sessions_page(student_id, limit=10).items] == [first.json()["id"]]
    assert repo.student_get(student_id).sessions_count == 1


def test_the_same_key_for_another_start_is_409(student_api, vocabulary_words, student_id, api_error):
    start(student_api, vocabulary_words.id)
    other = student_api.post(
        "/api/study_sessions",
        {"group_id": vocabulary_words.id, "activity": "typing"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    api_error(other, 409, "idempotency_key_reused")
    assert repo.student_get(student_id).sessions_count == 1


def test_a_repeated_end_answers_the_first_end(student_api, session, student_id, api_error):
    path = f"/api/study_sessions/{session['id']}/end"
    first = student_api.post(path, HTTP_IDEMPOTENCY_KEY="end-1")
    again = student_api.post(path, HTTP_IDEMPOTENCY_KEY="end-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json() and first.json()["ended"] is True
    api_error(student_api.post(path), 409, "session_ended")  # a new request to end it again
    stored = repo.session_get(student_id, session["id"]).ended_at
    assert stored == datetime.fromisoformat(first.json()["end_time"])
