"""The study records as xAPI statements: an xAPI client reading a session's registration
sees it as it happened, each record once, however often it was sent."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from ulid import ULID

from lrs import services
from lrs.services.statements import extension, group_activity_id, word_activity_id
from xapi.services.access import student_agent


def registration_of(session: dict) -> str:
    return str(ULID.from_str(session["id"]).to_uuid())


def statements_of(reader, session: dict) -> list[dict]:
    answer = reader.get("statements", {"registration": registration_of(session), "ascending": True})
    assert answer.status_code == 200, answer.content
    return answer.json()["statements"]


def test_a_session_reads_as_attempted_answered_completed(student_api, session, review, student_id, xapi):
    assert review("1", True).status_code == 201
    assert review("2", False).status_code == 201
    assert student_api.post(f"/api/study_sessions/{session['id']}/end").status_code == 200

    attempted, right, wrong, completed = statements_of(xapi, session)

    assert [entry["verb"]["id"].rsplit("/", 1)[1] for entry in (attempted, right, wrong, completed)] == [
        "attempted",
        "answered",
        "answered",
        "completed",
    ]
    for entry in (attempted, right, wrong, completed):
        assert entry["actor"] == student_agent(student_id)
        assert entry["authority"]["account"] == {"homePage": settings.XAPI_IRI, "name": "langportal"}
        assert entry["context"]["registration"] == registration_of(session)
        assert entry["context"]["language"] == "ja"
    assert attempted["object"]["id"] == group_activity_id(session["group_id"])
    assert right["object"]["id"] == word_activity_id("1")
    assert right["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert right["object"]["definition"]["name"] == {"ja": "こんにちは", "en": "hello"}
    assert right["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": group_activity_id(session["group_id"])}
    ]
    assert (right["result"]["success"], wrong["result"]["success"]) == (True, False)
    rating = extension("fsrs-rating")
    assert (right["result"]["extensions"][rating], wrong["result"]["extensions"][rating]) == (3, 1)
    assert completed["result"]["completion"] is True
    assert completed["result"]["score"] == {"raw": 1, "min": 0, "max": 2}


def test_a_review_sent_again_under_its_key_is_one_statement(session, review, xapi):
    key = str(uuid.uuid4())
    assert review("1", True, key=key).status_code == 201
    assert review("1", True, key=key).status_code == 201

    answered = [entry for entry in statements_of(xapi, session) if entry["verb"]["id"].endswith("answered")]

    assert len(answered) == 1


def test_a_student_reads_their_own_session_with_their_token(session, review, make_xapi_user, student_id):
    assert review("3", True).status_code == 201
    student = make_xapi_user("student")  # the user of student_api

    statements = statements_of(student, session)

    assert [entry["actor"] for entry in statements] == [student_agent(student_id)] * 2


@pytest.mark.parametrize(
    ("seconds", "duration"),
    [(0.25, "PT0.25S"), (-1.5, "PT0.00S")],  # ended on an instance whose clock runs behind: no negative time
)
def test_a_completed_session_lasts_from_its_start_to_its_end(vocabulary_words, make_caller, xapi, seconds, duration):
    student = make_caller("student-sub")
    began = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    started = services.session_start(caller=student, group_id="1", activity="quiz", now=began)
    services.session_end(caller=student, session_id=started.id, now=began + timedelta(seconds=seconds))

    [completed] = [
        entry for entry in statements_of(xapi, {"id": started.id}) if entry["verb"]["id"].endswith("/completed")
    ]

    assert completed["result"]["duration"] == duration
