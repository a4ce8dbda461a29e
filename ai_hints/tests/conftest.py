import pytest

from ai_hints import backends


@pytest.fixture(autouse=True)
def fresh_backends():
    """Backends are made once per process; tests change their settings."""
    backends._chain.cache_clear()
    yield
    backends._chain.cache_clear()


@pytest.fixture
def hint(student_api):
    def ask(word: str = "こんにちは", context: str = "Basic Greetings", api=None):
        return (api or student_api).post("/api/ai/generate_hint", {"word": word, "context": context}, format="json")

    return ask
