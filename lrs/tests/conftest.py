import pytest

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
