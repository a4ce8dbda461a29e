"""The Bedrock provider: the exact request it sends, the answer it reads, and every
failure passing to the next provider."""

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from ai_hints.backends import bedrock
from vocabulary import services as vocabulary

ANSWER = "A friendly daytime greeting, said from late morning to early evening."


def bedrock_answer(text: str) -> dict:
    payload = json.dumps({"outputs": [{"text": text, "stop_reason": "stop"}]}).encode()
    return {"body": StreamingBody(io.BytesIO(payload), len(payload)), "contentType": "application/json"}


@pytest.fixture
def stub(settings):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    bedrock.client.cache_clear()
    with Stubber(bedrock.client()) as stubber:
        yield stubber
    bedrock.client.cache_clear()


MISTRAL_7B = "mistral.mistral-7b-instruct-v0:2"


def test_the_model_is_asked_with_the_words_facts_and_the_user_reads_its_answer(hint, words, settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    bedrock_runtime.text = f"  {ANSWER}\n"
    body = hint().json()
    assert (body["ai_hint"], body["source"], body["model"], body["english"]) == (ANSWER, "bedrock", MISTRAL_7B, "hello")
    [request] = bedrock_runtime.requests
    assert request["path"] == "/model/mistral.mistral-7b-instruct-v0%3A2/invoke"
    sent = request["body"]
    assert {key: value for key, value in sent.items() if key != "prompt"} == {
        "max_tokens": settings.AI_MAX_TOKENS,
        "temperature": 0.3,
        "top_p": 0.9,
        "stop": ["</s>", "[INST]", "\n\n"],
    }
    assert sent["prompt"].startswith("<s>[INST] ")
    grounding = sent["prompt"].split("\n")[1:]
    assert grounding == [
        "<word>こんにちは</word>",
        "<reading>こんにちは (konnichiwa)</reading>",
        "<meaning>hello</meaning>",
        "<part_of_speech>unknown</part_of_speech>",
        "<lessons>Greetings</lessons>",
        "<context>Basic Greetings</context> [/INST]",
    ]


def test_a_cached_bedrock_hint_calls_no_model(stub, hint, words):
    stub.add_response(
        "invoke_model", bedrock_answer(ANSWER), {"modelId": ANY, "body": ANY, "contentType": ANY, "accept": ANY}
    )
    hint()
    again = hint().json()  # the stubber has no second answer: a model call would fail
    assert (again["source"], again["cached"], again["ai_hint"]) == ("bedrock", True, ANSWER)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 429),
        ("AccessDeniedException", 403),
        ("ModelTimeoutException", 408),
        ("ServiceUnavailableException", 503),
    ],
)
def test_errors_fall_through_to_the_next_provider(stub, hint, words, settings, code, status):
    for _ in range(settings.AI_MAX_ATTEMPTS):
        stub.add_client_error("invoke_model", code, http_status_code=status)
    body = hint().json()
    assert body["source"] == "offline"
    assert body["cached"] is False


@pytest.mark.parametrize(
    "text",
    ["", "See https://example.com.", "First paragraph.\n\nSecond paragraph.", "word " * 80],
)
def test_bad_output_falls_through(stub, hint, words, text):
    stub.add_response(
        "invoke_model", bedrock_answer(text), {"modelId": ANY, "body": ANY, "contentType": ANY, "accept": ANY}
    )
    assert hint().json()["source"] == "offline"


def test_an_answer_in_another_shape_falls_through(stub, hint, words):
    payload = b'{"completion": "no outputs here"}'
    stub.add_response(
        "invoke_model",
        {"body": StreamingBody(io.BytesIO(payload), len(payload)), "contentType": "application/json"},
        {"modelId": ANY, "body": ANY, "contentType": ANY, "accept": ANY},
    )
    assert hint().json()["source"] == "offline"


def test_when_no_provider_answers_it_is_503(stub, hint, words, settings):
    settings.AI_HINT_PROVIDERS = ["bedrock"]
    for _ in range(settings.AI_MAX_ATTEMPTS):
        stub.add_client_error("invoke_model", "ThrottlingException", http_status_code=429)
    response = hint()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "hints_unavailable"
    assert response["Retry-After"]


def test_an_edited_meaning_is_asked_of_the_model_again(hint, words, settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    hint()
    vocabulary.word_update(word_id=words["words"][0].id, english="good afternoon")
    assert hint().json()["cached"] is False
    assert ["<meaning>hello</meaning>" in text for text in bedrock_runtime.prompts] == [True, False]
    assert "<meaning>good afternoon</meaning>" in bedrock_runtime.prompts[1]


def test_a_timeout_falls_through(hint, words, settings, bedrock_runtime):
    settings.AI_HINT_PROVIDERS = ["bedrock", "offline"]
    settings.AI_HINT_DEADLINE_SECONDS = 0.5
    bedrock_runtime.hanging = True
    assert hint().json()["source"] == "offline"
    assert bedrock_runtime.asked() == 1
