"""Study sessions: start, list (the spec's shape, newest first, paged), detail, end; ownership."""

import pytest
from rest_framework import serializers

from lrs import repositories as repo
from lrs.serializers import SessionOutput

SPEC_SESSION_KEYS = {"id", "group_name", "start_time", "end_time", "review_items_count", "success_rate"}


def test_starting_a_session(student_api, vocabulary_words, student_id):
    response = student_api.post(
        "/api/study_sessions", {"group_id": vocabulary_words.id, "activity": "flashcards"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        **body,
        "user_id": student_id,
        "group_id": vocabulary_words.id,
        "group_name": "Greetings",
        "activity": "flashcards",
        "end_time": None,
        "review_items_count": 0,
        "success_rate": 0.0,
    }
    assert len(body["id"]) == 26
    stored = repo.session_get(student_id, body["id"])
    assert (stored.group_name, stored.ended_at) == ("Greetings", None)
    assert repo.student_get(student_id).sessions_count == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"activity": "flashcards"}, "group_id"),
        ({"group_id": "1"}, "activity"),
        ({"group_id": "1", "activity": "napping"}, "activity"),
        ({"group_id": 1, "activity": "flashcards"}, "group_id"),
        ({"group_id": "1", "activity": "flashcards", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_bad_session_input_is_400(student_api, vocabulary_words, student_id, body, field, api_error):
    error = api_error(student_api.post("/api/study_sessions", body, format="json"), 400, "invalid")
    assert field in error["details"]
    assert repo.student_get(student_id) is None


def test_session_for_an_unknown_group_is_404(student_api, vocabulary_words, api_error):
    response = student_api.post("/api/study_sessions", {"group_id": "99", "activity": "quiz"}, format="json")
    api_error(response, 404, "group_not_found")


def test_listing_has_the_spec_shape_newest_first(student_api, vocabulary_words, student_id, review, session):
    review("1", True)
    review("2", False)
    review("3", True)
    newer = student_api.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}, format="json").json()
    body = student_api.get(f"/api/study_sessions/{student_id}").json()
    assert set(body) == {"user_id", "study_sessions", "next_cursor"}
    assert body["user_id"] == student_id
    assert body["next_cursor"] is None
    assert [item["id"] for item in body["study_sessions"]] == [newer["id"], session["id"]]
    older = body["study_sessions"][1]
    assert set(older) >= SPEC_SESSION_KEYS
    assert (older["review_items_count"], older["success_rate"]) == (3, 66.7)
    assert older["end_time"] is not None  # the last review, since it was never ended
    assert older["ended"] is False
    assert older["start_time"].endswith("Z")


def test_listing_pages_with_a_cursor(student_api, vocabulary_words, student_id):
    ids = [
        student_api.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}, format="json").json()["id"]
        for _ in range(5)
    ]
    first = student_api.get(f"/api/study_sessions/{student_id}?limit=2").json()
    second = student_api.get(f"/api/study_sessions/{student_id}?limit=2&cursor={first['next_cursor']}").json()
    third = student_api.get(f"/api/study_sessions/{student_id}?limit=2&cursor={second['next_cursor']}").json()
    listed = [item["id"] for page in (first, second, third) for item in page["study_sessions"]]
    assert listed == ids[::-1]
    assert third["next_cursor"] is None or third["study_sessions"] == []


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "cursor=forged"])
def test_bad_listing_parameters_are_400(student_api, student_id, aws, query):
    response = student_api.get(f"/api/study_sessions/{student_id}?{query}")
    assert response.status_code == 400


def test_a_cursor_from_another_listing_is_refused(
    student_api, teacher_api, vocabulary_words, student_id, make_tokens, api_error
):
    for _ in range(3):
        student_api.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}, format="json")
    cursor = student_api.get(f"/api/study_sessions/{student_id}?limit=1").json()["next_cursor"]
    teacher_id = make_tokens("teacher", "teachers").user_id
    error = api_error(teacher_api.get(f"/api/study_sessions/{teacher_id}?cursor={cursor}"), 400, "invalid_cursor")
    assert "cursor" in error["details"]


def test_students_cannot_read_each_others_sessions(student_api, make_tokens, vocabulary_words, session, api_error):
    other = make_tokens("other-student").user_id
    api_error(student_api.get(f"/api/study_sessions/{other}"), 403, "permission_denied")
    api_error(student_api.get(f"/api/progress/{other}"), 403, "permission_denied")
    api_error(student_api.get(f"/api/study_sessions/{other}/{session['id']}"), 403, "permission_denied")


def test_teachers_read_every_students_sessions(teacher_api, student_id, session):
    body = teacher_api.get(f"/api/study_sessions/{student_id}").json()
    assert [item["id"] for item in body["study_sessions"]] == [session["id"]]


def test_session_detail_lists_its_reviews(student_api, student_id, session, review):
    first = review("1", True).json()
    second = review("2", False).json()
    body = student_api.get(f"/api/study_sessions/{student_id}/{session['id']}").json()
    assert [(item["id"], item["word_id"], item["correct"]) for item in body["reviews"]] == [
        (first["review_id"], "1", True),
        (second["review_id"], "2", False),
    ]
    assert (body["review_items_count"], body["success_rate"]) == (2, 50.0)
    paged = student_api.get(f"/api/study_sessions/{student_id}/{session['id']}?limit=1").json()
    rest = student_api.get(f"/api/study_sessions/{student_id}/{session['id']}?limit=1&cursor={paged['next_cursor']}")
    assert [item["word_id"] for item in rest.json()["reviews"]] == ["2"]


def test_unknown_session_detail_is_404(student_api, student_id, aws, api_error):
    api_error(student_api.get(f"/api/study_sessions/{student_id}/01HZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "session_not_found")


def test_ending_a_session(student_api, student_id, session):
    response = student_api.post(f"/api/study_sessions/{session['id']}/end")
    assert response.status_code == 200
    assert response.json()["ended"] is True
    assert response.json()["end_time"] is not None
    assert repo.session_get(student_id, session["id"]).ended_at is not None


def test_ending_twice_is_409(student_api, session, api_error):
    student_api.post(f"/api/study_sessions/{session['id']}/end")
    api_error(student_api.post(f"/api/study_sessions/{session['id']}/end"), 409, "session_ended")


def test_ending_another_students_session_is_404(make_api, session, student_id, api_error):
    other = make_api("other-student")
    api_error(other.post(f"/api/study_sessions/{session['id']}/end"), 404, "session_not_found")
    assert repo.session_get(student_id, session["id"]).ended_at is None


def test_a_session_never_ended_keeps_end_time_empty_in_storage(student_id, session, review):
    review("1", True)
    assert repo.session_get(student_id, session["id"]).ended_at is None


def test_a_session_is_written_as_its_fields_declare(student_api, session, review, student_id):
    """SessionOutput builds its answer at once; DRF's field by field way must agree, for a
    session just started, one with a review, and one ended."""
    states = [repo.session_get(student_id, session["id"])]
    assert review("1", True).status_code == 201
    states.append(repo.session_get(student_id, session["id"]))
    assert student_api.post(f"/api/study_sessions/{session['id']}/end").status_code == 200
    states.append(repo.session_get(student_id, session["id"]))
    for stored in states:
        declared = serializers.Serializer.to_representation(SessionOutput(), stored)
        assert SessionOutput(stored).data == declared
        assert list(SessionOutput(stored).data) == list(declared)
