"""A model that hangs holds neither the hint nor the server: each hint waits for models
at most AI_HINT_DEADLINE_SECONDS in all, and each process runs at most
AI_MAX_CONCURRENT_CALLS model calls at once. Bedrock here is a real local HTTP server
that reads the request and never answers."""

import contextlib
import threading
import time

import pytest

from ai_hints import calls, checks, services
from ai_hints.models import HintCacheModel

DEADLINE = 1.0
MARGIN = 0.5  # seconds past the deadline a hint may take: the cache, the offline hint, slow CI


@pytest.fixture
def hanging_bedrock(settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    settings.AI_HINT_DEADLINE_SECONDS = DEADLINE
    bedrock_runtime.hanging = True
    return bedrock_runtime


def timed(ask):
    started = time.monotonic()
    answer = ask()
    return answer, time.monotonic() - started


def test_a_hanging_model_gives_the_offline_hint_within_the_deadline(hint, words, hanging_bedrock, student_api):
    student_api.get("/api/words")  # signs the student in: the hint's time is the hint's own
    response, seconds = timed(hint)
    print(f"hint with Bedrock hanging: {seconds:.2f} s (deadline {DEADLINE} s)")
    assert response.status_code == 200
    assert response.json()["source"] == "offline"
    assert DEADLINE <= seconds < DEADLINE + MARGIN
    assert hanging_bedrock.asked() == 1
    assert [item.provider for item in HintCacheModel.scan()] == ["offline"]


def test_with_no_other_provider_a_hanging_model_is_503_within_the_deadline(
    hint, words, hanging_bedrock, settings, student_api, api_error
):
    settings.AI_HINT_PROVIDERS = ["bedrock"]
    student_api.get("/api/words")
    response, seconds = timed(hint)
    api_error(response, 503, "hints_unavailable")
    assert int(response["Retry-After"]) == settings.AWS_RETRY_AFTER
    assert seconds < DEADLINE + MARGIN
    assert list(HintCacheModel.scan()) == []


def test_the_provider_skipped_and_why_are_logged(hint, words, hanging_bedrock, caplog):
    hint()
    assert "Hint provider bedrock skipped: no answer within the" in caplog.text


def test_with_every_slot_taken_the_model_is_skipped_at_once(words, hanging_bedrock, settings, caplog):
    settings.AI_MAX_CONCURRENT_CALLS = 1
    first = threading.Thread(target=services.hint_generate, kwargs={"user_id": "amy", "word": "水", "context": "x"})
    first.start()
    while not hanging_bedrock.requests:  # amy's hint holds the only slot, waiting for Bedrock
        time.sleep(0.01)
    hint, seconds = timed(lambda: services.hint_generate(user_id="ben", word="水", context="y"))
    first.join()
    assert hint.source == "offline"
    assert seconds < calls.SLOT_WAIT + MARGIN
    assert len(hanging_bedrock.requests) == 1  # ben's hint never reached Bedrock
    assert "Hint provider bedrock skipped: all 1 model call slots of this process are busy" in caplog.text


def test_a_call_given_up_on_keeps_its_slot_until_it_ends():
    model_calls = calls.ModelCalls(1)
    release = threading.Event()
    with pytest.raises(calls.OutOfTime):
        model_calls.run(release.wait, deadline=calls.Deadline(0.1))
    with pytest.raises(calls.NoSlot):
        model_calls.run(lambda: "a hint", deadline=calls.Deadline(1))
    release.set()
    for _ in range(100):  # the slot comes back once the call's thread has finished it
        with contextlib.suppress(calls.NoSlot):
            assert model_calls.run(lambda: "a hint", deadline=calls.Deadline(1)) == "a hint"
            return
    pytest.fail("the slot never came back")


def test_the_deadline_is_shared_by_every_provider(hand_clock):
    deadline = calls.Deadline(2, clock=hand_clock)
    hand_clock.advance(1.5)
    assert deadline.left() == 0.5
    hand_clock.advance(1)
    assert deadline.left() == 0.0  # spent, never negative: waits are given what is left
    with pytest.raises(calls.OutOfTime, match="spent before this provider's turn"):
        calls.ModelCalls(1).run(lambda: "a hint", deadline=deadline)


def test_a_call_that_cannot_be_started_gives_its_slot_back():
    model_calls = calls.ModelCalls(1)
    model_calls._pool.shutdown()  # as at interpreter exit: submit refuses
    for _ in range(2):  # the second would find no slot if the first kept it
        with pytest.raises(RuntimeError):
            model_calls.run(lambda: "a hint", deadline=calls.Deadline(1))


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [("AI_HINT_DEADLINE_SECONDS", 0, "ai_hints.E002"), ("AI_MAX_CONCURRENT_CALLS", 0, "ai_hints.E003")],
)
def test_bounds_that_would_stop_every_model_are_refused_at_start_up(settings, setting, value, problem):
    setattr(settings, setting, value)
    assert [error.id for error in checks.hint_bounds(None)] == [problem]
