import pytest

from langportal.jobs.models import JobErrorModel, JobModel
from tests.fixtures.admin import export_downloaded
from vocabulary import services as vocabulary


@pytest.fixture
def vocabulary_words(aws):
    greetings = vocabulary.group_create(name="Greetings")
    for japanese, english in (("こんにちは", "hello"), ("ありがとう", "thank you"), ("さようなら", "goodbye")):
        vocabulary.word_create(japanese=japanese, english=english, group_ids=[greetings.id])
    return greetings


@pytest.fixture
def student_id(make_tokens) -> str:
    return make_tokens("student").user_id


@pytest.fixture
def session(student_api, vocabulary_words) -> dict:
    response = student_api.post(
        "/api/study_sessions", {"group_id": vocabulary_words.id, "activity": "flashcards"}, format="json"
    )
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def review(student_api, session):
    def answer(word_id: str = "1", correct=True, key: str | None = None):
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return student_api.post(
            f"/api/study_sessions/{session['id']}/review",
            {"word_id": word_id, "correct": correct},
            format="json",
            **headers,
        )

    return answer


@pytest.fixture
def meanwhile(monkeypatch):
    """meanwhile(module, name, competitor): the first call of `module.name` runs
    `competitor` (another request's real writes) before it goes on; later calls, the
    competitor's own among them, run as they are. Returns what the competitor returned."""

    def inject(module, name: str, competitor):
        real = getattr(module, name)
        outcome = {}

        def first(*args, **kwargs):
            monkeypatch.setattr(module, name, real)
            outcome["competitor"] = competitor()
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, first)
        return outcome

    return inject


@pytest.fixture
def studying(make_api, vocabulary_words):
    """studying(username, answers): a student of the pool who starts a session, answers
    (word id, correct) in it and asks for a hint, through the API, each write under an
    Idempotency-Key; their user id."""

    def studied(username: str, answers: list[tuple[str, bool]]) -> str:
        api = make_api(username)
        started = api.post(
            "/api/study_sessions",
            {"group_id": vocabulary_words.id, "activity": "quiz"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"{username}-start",
        )
        assert started.status_code == 201, started.content
        for number, (word_id, correct) in enumerate(answers):
            answered = api.post(
                f"/api/study_sessions/{started.json()['id']}/review",
                {"word_id": word_id, "correct": correct},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"{username}-review-{number}",
            )
            assert answered.status_code == 201, answered.content
        hinted = api.post("/api/ai/generate_hint", {"word": "こんにちは", "context": "Greetings"}, format="json")
        assert hinted.status_code == 200, hinted.content
        return started.json()["user_id"]

    return studied


@pytest.fixture
def stored():
    """stored(): every item of every table but the jobs' own, as plain dictionaries, by
    table ("stats", without the prefix); tests may scan."""
    from boto3.dynamodb.types import TypeDeserializer
    from django.conf import settings

    from langportal.storage.dynamo import table_models, transaction_connection

    kept = {JobModel.Meta.table_name, JobErrorModel.Meta.table_name}

    def read() -> dict[str, list[dict]]:
        client, plain = transaction_connection().client, TypeDeserializer()
        tables = {}
        for model in table_models():
            name = model.Meta.table_name
            if name not in kept:
                items = client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
                tables[name.removeprefix(settings.DYNAMODB_TABLE_PREFIX)] = [
                    {field: plain.deserialize(value) for field, value in item.items()}
                    for page in items
                    for item in page["Items"]
                ]
        return tables

    return read


class HistoryExport:
    """A review history exported in the admin as a teacher does it: the form on a
    student's page or a group's row posted, its job run, and the file downloaded from the
    job's page through its short-lived link."""

    def __init__(self, client):
        self.client = client

    def start(self, *, user_id: str | None = None, group_id: str | None = None, format: str = "csv"):
        """The answer to posting the form."""
        path = f"/admin/lrs/groups/{group_id}/export/" if group_id else f"/admin/lrs/students/{user_id}/export/"
        return self.client.post(path, {"format": format})

    def __call__(self, **scope) -> bytes:
        return export_downloaded(self.client, self.start(**scope))


@pytest.fixture
def history_export(teacher_browser) -> HistoryExport:
    return HistoryExport(teacher_browser)
