"""DynamoDB throttling us: a 503 with Retry-After, never a 500, and nothing half-written."""

from contextlib import contextmanager

from botocore.stub import Stubber

from langportal.dynamo import transaction_connection
from langportal.models import OrderNodeModel
from vocabulary import repositories as repo


@contextmanager
def throttled(client, operation: str, times: int = 5):
    """Answer `operation` with DynamoDB's throttling error, as often as the client retries."""
    with Stubber(client) as stub:
        for _ in range(times):
            stub.add_client_error(operation, "ProvisionedThroughputExceededException", http_status_code=400)
        yield


def test_throttled_listing_is_503_with_retry_after(student_api, words, settings):
    with throttled(OrderNodeModel._get_connection().connection.client, "BatchGetItem"):
        response = student_api.get("/api/words")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)


def test_throttled_write_is_503_and_stores_nothing(teacher_api, words):
    with throttled(transaction_connection().client, "TransactWriteItems"):
        response = teacher_api.post("/api/words", {"japanese": "雲", "english": "cloud"}, format="json")
    assert response.status_code == 503
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 5
    assert repo.word_get("6") is None
