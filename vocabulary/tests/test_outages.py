"""DynamoDB throttling us past botocore's attempts: a 503 with Retry-After, never a 500,
and nothing half-written."""

from langportal.local.strict import Fault
from vocabulary import repositories as repo


def throttle(strict, operation: str) -> None:
    strict.configure(throttle=Fault(1.0, operations=frozenset({operation})))


def test_throttled_listing_is_503_with_retry_after(student_api, words, settings, strict_dynamodb, no_botocore_backoff):
    throttle(strict_dynamodb, "BatchGetItem")
    response = student_api.get("/api/words")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert strict_dynamodb.faults["throttle"] == settings.AWS_MAX_ATTEMPTS  # botocore's attempts, then us


def test_throttled_write_is_503_and_stores_nothing(teacher_api, words, strict_dynamodb, no_botocore_backoff):
    throttle(strict_dynamodb, "TransactWriteItems")
    response = teacher_api.post("/api/words", {"japanese": "雲", "english": "cloud"}, format="json")
    assert response.status_code == 503
    strict_dynamodb.configure(throttle=Fault())
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 5
    assert repo.word_get("6") is None
