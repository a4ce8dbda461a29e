"""Hints and recommendations through gunicorn and the local stack."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from vocabulary.seeding import starter_document

from .conftest import app_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_offline_hints_grounded_and_cached(make_learner):
    api, _ = make_learner()
    first = api.post("/api/ai/generate_hint", json={"word": "こんにちは", "context": "Basic Greetings"})
    assert first.status_code == 200
    body = first.json()
    assert (body["word"], body["romaji"], body["english"], body["source"]) == (
        "こんにちは",
        "konnichiwa",
        "hello",
        "offline",
    )
    again = api.post("/api/ai/generate_hint", json={"word": "こんにちは", "context": "Basic Greetings"}).json()
    assert again["cached"] is True and again["ai_hint"] == body["ai_hint"]
    # A word of the dictionary that neither the starter vocabulary nor any other test adds.
    unknown = api.post("/api/ai/generate_hint", json={"word": "冷蔵庫", "context": "Kitchen"}).json()
    assert (unknown["romaji"], unknown["english"]) == ("reizouko", "refrigerator, fridge")


def test_an_offline_hint_names_the_lesson_the_word_is_really_in(make_learner):
    api, _ = make_learner()
    body = api.post("/api/ai/generate_hint", json={"word": "猫", "context": "Basic Greetings"}).json()
    assert body["ai_hint"].endswith("It is in the lesson “Nature and Weather”.")
    assert "Basic Greetings" not in body["ai_hint"]


def test_recommendations_follow_reviews(make_learner, start_session):
    api, user_id = make_learner()
    session = start_session(api, group_id="1")
    api.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": False})
    body = api.get(f"/api/recommendations/{user_id}?limit=3").json()
    assert [item["reason"] for item in body["recommendations"]] == ["new", "new", "new"]
    assert "1" not in [item["word_id"] for item in body["recommendations"]]  # due again in a minute, not yet


# --- a hanging model ------------------------------------------------------------------

THREADS = 4  # gunicorn threads of the one worker; half of them may wait for models
DEADLINE = 4.0
HINTS = 3 * THREADS  # at once: more than the server has threads
# The other requests wait only in gunicorn's queue, behind the hints that skip the model
# at once (measured on a shared two-core machine: at most 0.8 to 1.7 s); were every
# thread let wait for the model, they would wait a whole deadline (measured: 4.3 s).
HINT_BOUND = DEADLINE + 1.5  # the deadline, then the queue of a busy server
PROBE_BOUND = DEADLINE - 1


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_hanging_model_holds_no_thread_other_requests_need(stack, bedrock_runtime):
    words = [word["japanese"] for word in starter_document()["words"][: HINTS + 1]]
    with app_server(
        stack,
        AI_HINT_PROVIDERS="bedrock,offline",
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME=bedrock_runtime.url,
        GUNICORN_THREADS=str(THREADS),
        AI_HINT_DEADLINE_SECONDS=str(DEADLINE),
    ) as (url, log):
        headers = {"Authorization": f"Bearer {stack.user_signed_in(f'storm-{uuid.uuid4().hex[:8]}')}"}

        def hint(word: str):
            return timed(
                lambda: requests.post(
                    f"{url}/api/ai/generate_hint", json={"word": word, "context": "x"}, headers=headers, timeout=60
                )
            )

        def probe(path: str):
            return timed(lambda: requests.get(f"{url}{path}", headers=headers, timeout=60))

        assert hint(words.pop())[0].status_code == 200  # a new process loads its dictionaries on its first hint
        bedrock_runtime.hanging = True
        with ThreadPoolExecutor(max_workers=HINTS) as pool:
            storm = [pool.submit(hint, word) for word in words]
            probes = []
            while not all(request.done() for request in storm):
                probes += [probe("/healthz"), probe("/api/words?per_page=5")]
            hints = [request.result() for request in storm]
        server_log = log.read_text()
    print(
        f"hints: max {max(seconds for _, seconds in hints):.2f} s; probes: {len(probes)}, "
        f"max {max(seconds for _, seconds in probes):.2f} s"
    )
    for response, seconds in hints:
        assert response.status_code in (200, 503), response.text
        if response.status_code == 200:
            assert response.json()["source"] == "offline"
        else:
            assert response.json()["error"]["code"] == "hints_unavailable" and response.headers["Retry-After"]
        assert seconds < HINT_BOUND
    assert probes and all(response.status_code == 200 for response, _ in probes)
    assert max(seconds for _, seconds in probes) < PROBE_BOUND
    assert "Hint provider bedrock skipped: no answer within" in server_log
    assert "Hint provider bedrock skipped: all 2 model call slots of this process are busy" in server_log
