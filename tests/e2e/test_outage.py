"""DynamoDB unreachable: 503 with Retry-After in the envelope, and nothing half-written."""

import pytest
import requests

from .conftest import Api, app_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def cut_off(stack):
    """A second app server sharing the stack's user pool and bucket, whose DynamoDB is gone."""
    with app_server(stack, AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{free_port()}") as (url, _):
        yield url


def assert_503(response) -> None:
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_reading_words_is_503(cut_off, student_tokens):
    assert_503(Api(cut_off, student_tokens["id_token"], retries=0).get("/api/words"))


def test_writing_a_word_is_503_and_writes_nothing(cut_off, teacher_tokens, student):
    before = student.get("/api/words").json()["pagination"]["total_items"]
    response = Api(cut_off, teacher_tokens["id_token"], retries=0).post(
        "/api/words", json={"japanese": "雲", "english": "cloud"}
    )
    assert_503(response)
    assert student.get("/api/words").json()["pagination"]["total_items"] == before


def test_readiness_names_what_is_down(cut_off):
    response = requests.get(f"{cut_off}/readyz", timeout=30)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"dynamodb": "unavailable", "s3": "ok"}}
    assert requests.get(f"{cut_off}/healthz", timeout=5).status_code == 200


def test_a_review_is_503_and_leaves_nothing_half_written(cut_off, student, student_tokens):
    session = student.post("/api/study_sessions", json={"group_id": "1", "activity": "quiz"}).json()
    response = Api(cut_off, student_tokens["id_token"], retries=0).post(
        f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": True}
    )
    assert_503(response)
    detail = student.get(f"/api/study_sessions/{student_tokens['user_id']}/{session['id']}").json()
    assert (detail["review_items_count"], detail["reviews"]) == (0, [])
