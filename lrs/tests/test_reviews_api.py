"""Reviews: the spec's shape, strict input, one atomic write, idempotent retries."""

import json

import pytest

from langportal.local.strict import Fault
from lrs import repositories as repo


def test_review_has_the_spec_shape(review, session):
    response = review("1", True)
    assert response.status_code == 201
    body = response.json()
    assert body == {**body, "success": True, "session_id": session["id"], "word_id": "1", "correct": True}
    assert set(body) == {"success", "session_id", "word_id", "correct", "review_id", "created_at"}


def test_review_updates_session_word_and_student_together(review, session, student_id):
    review("1", True)
    review("1", False)
    review("2", True)
    stored = repo.session_get(student_id, session["id"])
    assert (stored.review_items_count, stored.correct_count) == (3, 2)
    stat = repo.word_stat_get(student_id, "1")
    assert (stat.correct_count, stat.wrong_count) == (1, 1)
    assert json.loads(stat.card)["step"] == 0  # Again sent the card back to the first learning step
    student = repo.student_get(student_id)
    assert (student.reviews_count, student.correct_count, student.words_studied) == (3, 2, 2)
    assert len(repo.reviews_page(session["id"], limit=10).items) == 3


@pytest.mark.parametrize("correct", ["true", 1, 0, None, "yes", [True]])
def test_correct_must_be_a_json_boolean(review, session, student_id, correct, api_error):
    error = api_error(review("1", correct), 400, "invalid")
    assert "correct" in error["details"]
    assert repo.session_get(student_id, session["id"]).review_items_count == 0


@pytest.mark.parametrize("body", [{"correct": True}, {"word_id": 1, "correct": True}, {"word_id": "", "correct": True}])
def test_word_id_is_required_as_a_string(student_api, session, body, api_error):
    error = api_error(
        student_api.post(f"/api/study_sessions/{session['id']}/review", body, format="json"), 400, "invalid"
    )
    assert "word_id" in error["details"]


def test_unknown_word_is_404(review, session, student_id, api_error):
    api_error(review("999", True), 404, "word_not_found")
    assert repo.session_get(student_id, session["id"]).review_items_count == 0


def test_review_of_an_ended_session_is_409(student_api, review, session, student_id, api_error):
    student_api.post(f"/api/study_sessions/{session['id']}/end")
    api_error(review("1", True), 409, "session_ended")
    assert repo.session_get(student_id, session["id"]).review_items_count == 0


def test_review_of_an_ended_session_is_409_whatever_the_word(student_api, review, session, api_error):
    student_api.post(f"/api/study_sessions/{session['id']}/end")
    api_error(review("999", True), 409, "session_ended")


def test_review_of_another_students_session_is_404(make_api, session, student_id, api_error):
    other = make_api("other-student")
    response = other.post(
        f"/api/study_sessions/{session['id']}/review", {"word_id": "1", "correct": True}, format="json"
    )
    api_error(response, 404, "session_not_found")
    assert repo.session_get(student_id, session["id"]).review_items_count == 0


def test_same_idempotency_key_records_one_review_and_answers_the_same(review, session, student_id):
    first = review("1", True, key="attempt-7f3a")
    again = review("1", True, key="attempt-7f3a")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert repo.session_get(student_id, session["id"]).review_items_count == 1
    assert repo.student_get(student_id).reviews_count == 1


def test_a_key_reused_for_another_answer_is_409(review, session, student_id, api_error):
    review("1", True, key="k-1")
    api_error(review("2", True, key="k-1"), 409, "idempotency_key_reused")
    assert repo.session_get(student_id, session["id"]).review_items_count == 1


def test_different_keys_are_different_reviews(review, session, student_id):
    review("1", True, key="k-1")
    review("1", True, key="k-2")
    assert repo.session_get(student_id, session["id"]).review_items_count == 2


@pytest.mark.parametrize("key", ["x" * 256, "has space", "tab\there"])
def test_a_malformed_key_is_400(review, key, session, student_id, api_error):
    error = api_error(review("1", True, key=key), 400, "invalid")
    assert "Idempotency-Key" in error["details"]
    assert repo.session_get(student_id, session["id"]).review_items_count == 0


def test_throttled_review_is_503_and_writes_nothing(
    review, session, student_id, settings, strict_dynamodb, no_botocore_backoff
):
    strict_dynamodb.configure(throttle=Fault(1.0, operations=frozenset({"TransactWriteItems"})))
    response = review("1", True)
    strict_dynamodb.configure(throttle=Fault())
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert repo.session_get(student_id, session["id"]).review_items_count == 0
    assert repo.reviews_page(session["id"], limit=5).items == []
    assert repo.word_stat_get(student_id, "1") is None


def test_words_show_the_callers_own_counts(student_api, teacher_api, review, session):
    review("1", True)
    review("1", True)
    review("1", False)
    items = {item["id"]: item for item in student_api.get("/api/words").json()["items"]}
    assert (items["1"]["correct_count"], items["1"]["wrong_count"]) == (2, 1)
    assert (items["2"]["correct_count"], items["2"]["wrong_count"]) == (0, 0)
    assert student_api.get("/api/words/1").json()["correct_count"] == 2
    in_group = {item["id"]: item for item in student_api.get("/api/groups/1/words").json()["items"]}
    assert (in_group["1"]["correct_count"], in_group["1"]["wrong_count"]) == (2, 1)
    teachers_view = {item["id"]: item for item in teacher_api.get("/api/words").json()["items"]}
    assert teachers_view["1"]["correct_count"] == 0
