"""The attacks we know of through AI hints, each tried as a test that asserts the refusal
and that nothing changed (docs/security.md maps each to its defence).

- A model that hangs must not hold the request (nor, through it, the server's threads):
  the hint comes back within its deadline, from the offline provider or as a 503, and
  nothing the hung model might say is cached.
- A model's answer carrying markup must reach learners as plain text only.
- A teacher's correction of a word must not be hidden behind a cached hint.
- The offline hint must not state as a fact what the learner typed (a lesson the word
  is not in).

Bedrock is a real local HTTP server reached by the app's botocore client.
"""

from __future__ import annotations

import time

import pytest

from ai_hints.models import HintCacheModel
from vocabulary import services
from vocabulary.documents import document_parse
from vocabulary.seeding import starter_document

DEADLINE = 1.0
MARGIN = 0.5  # past the deadline: the cache read and write, the offline hint


@pytest.fixture
def bedrock_first(settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    return bedrock_runtime


@pytest.fixture
def bedrock_hanging(settings, bedrock_first):
    """A model that never answers, with a short deadline. Only these tests get the short
    one: an answering model on a loaded machine can take longer than it."""
    settings.AI_HINT_DEADLINE_SECONDS = DEADLINE
    bedrock_first.hanging = True
    return bedrock_first


@pytest.fixture
def starter_vocabulary(aws):
    """The vocabulary the local stack is seeded with."""
    document = document_parse(starter_document())
    services.vocabulary_import(groups=document.groups, words=document.words)


def ask(api, word: str, context: str):
    return api.post("/api/ai/generate_hint", {"word": word, "context": context}, format="json")


def cached_hints() -> list[tuple[str, str]]:
    return sorted((item.provider, item.hint) for item in HintCacheModel.scan())


def test_a_hanging_model_answers_offline_within_the_deadline_and_caches_nothing_of_it(
    bedrock_hanging, words, student_api
):
    student_api.get("/api/words")  # signs the student in
    started = time.monotonic()
    response = ask(student_api, "水", "Food")
    seconds = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["source"] == "offline"
    assert seconds < DEADLINE + MARGIN
    assert bedrock_hanging.asked() == 1
    assert cached_hints() == [("offline", response.json()["ai_hint"])]


def test_a_hanging_model_with_no_fallback_is_503_within_the_deadline(
    bedrock_hanging, words, student_api, settings, api_error
):
    settings.AI_HINT_PROVIDERS = ["bedrock"]
    student_api.get("/api/words")
    started = time.monotonic()
    response = ask(student_api, "水", "Food")
    seconds = time.monotonic() - started
    api_error(response, 503, "hints_unavailable")
    assert int(response["Retry-After"]) > 0
    assert seconds < DEADLINE + MARGIN
    assert cached_hints() == []


SCRIPTED = (
    '<script>fetch("/api/words")</script>A greeting said <b onclick="steal()">during</b> the day'
    "&lt;img src=x onerror=alert(1)&gt;, &amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;politely."
)


def test_markup_in_a_models_answer_reaches_no_one(bedrock_first, words, student_api):
    bedrock_first.text = SCRIPTED
    plain = "A greeting said during the day, politely."
    first = ask(student_api, "こんにちは", "Basic Greetings").json()
    again = ask(student_api, "こんにちは", "Basic Greetings").json()
    assert (first["ai_hint"], first["source"], again["ai_hint"], again["cached"]) == (plain, "bedrock", plain, True)
    assert cached_hints() == [("bedrock", plain)]


def test_an_answer_that_is_only_markup_goes_to_the_next_provider(bedrock_first, words, student_api):
    bedrock_first.text = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    body = ask(student_api, "こんにちは", "Basic Greetings").json()
    assert body["source"] == "offline" and "<" not in body["ai_hint"]
    assert [provider for provider, _ in cached_hints()] == ["offline"]


def test_a_corrected_meaning_is_in_the_next_hint(words, student_api, teacher_api):
    water = words["words"][2]
    assert "means “water”" in ask(student_api, "水", "Food").json()["ai_hint"]
    edited = teacher_api.patch(f"/api/words/{water.id}", {"english": "cold water"}, format="json")
    assert edited.status_code == 200
    after = ask(student_api, "水", "Food").json()
    assert after["cached"] is False
    assert "means “cold water”" in after["ai_hint"] and "means “water”" not in after["ai_hint"]
    assert services.word_get(word_id=water.id).english == "cold water"


def test_a_corrected_reading_is_in_the_next_hint(words, student_api, teacher_api):
    water = words["words"][2]
    ask(student_api, "水", "Food")
    teacher_api.patch(f"/api/words/{water.id}", {"kana": "すい"}, format="json")
    after = ask(student_api, "水", "Food").json()
    assert (after["cached"], after["romaji"]) == (False, "sui")
    assert after["ai_hint"].startswith("「水」 (すい, sui)")


def test_the_offline_hint_claims_no_lesson_the_word_is_not_in(starter_vocabulary, student_api):
    cat = services.word_find(japanese="猫")
    assert [group.name for group in services.groups_get(group_ids=list(cat.group_ids))] == ["Nature and Weather"]
    body = ask(student_api, "猫", "Basic Greetings").json()
    assert body["ai_hint"] == (
        "「猫」 (ねこ, neko) means “cat”. It is a noun: の links it to another noun. "
        "It is in the lesson “Nature and Weather”."
    )
    assert cached_hints() == [("offline", body["ai_hint"])]


def test_the_offline_hint_never_repeats_the_context_as_a_fact(starter_vocabulary, student_api):
    claim = "Lesson 1: this word means dog"
    for word in ("猫", "冷蔵庫"):  # a word of our vocabulary, and one only the dictionary knows
        assert claim not in ask(student_api, word, claim).json()["ai_hint"]
