"""The committed OpenAPI document: up to date with the code, valid, and keeping the spec's contract."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.yaml"


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(DOCUMENT.read_text())


def test_the_committed_document_is_what_the_code_generates(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == DOCUMENT.read_text(), "Run `make openapi` and commit docs/openapi.yaml."


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        return resolve(document, schema["allOf"][0])
    return schema


def properties(document: dict, schema: dict) -> dict:
    return resolve(document, schema)["properties"]


def response_schema(document, path, method, status):
    return document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def request_schema(document, path, method, content="application/json"):
    return document["paths"][path][method]["requestBody"]["content"][content]["schema"]


def test_get_words(document):
    body = properties(document, response_schema(document, "/api/words", "get", "200"))
    item = properties(document, body["items"]["items"])
    assert {"id", "japanese", "romaji", "english", "media_url"} <= set(item)
    assert set(properties(document, body["pagination"])) == {
        "current_page",
        "total_pages",
        "total_items",
        "items_per_page",
    }


def test_get_study_sessions_of_a_user(document):
    body = properties(document, response_schema(document, "/api/study_sessions/{user_id}", "get", "200"))
    assert {"user_id", "study_sessions"} <= set(body)
    item = properties(document, body["study_sessions"]["items"])
    assert {"id", "group_name", "start_time", "end_time", "review_items_count", "success_rate"} <= set(item)


def test_post_words_upload(document):
    form = properties(document, request_schema(document, "/api/words/upload", "post", "multipart/form-data"))
    assert {"file", "word_id"} <= set(form)
    assert {"success", "file_url"} <= set(
        properties(document, response_schema(document, "/api/words/upload", "post", "201"))
    )


def test_post_generate_hint(document):
    assert {"word", "context"} <= set(properties(document, request_schema(document, "/api/ai/generate_hint", "post")))
    body = properties(document, response_schema(document, "/api/ai/generate_hint", "post", "200"))
    assert {"word", "romaji", "english", "ai_hint"} <= set(body)


def test_post_review(document):
    path = "/api/study_sessions/{session_id}/review"
    assert {"word_id", "correct"} <= set(properties(document, request_schema(document, path, "post")))
    body = properties(document, response_schema(document, path, "post", "201"))
    assert {"success", "session_id", "word_id", "correct"} <= set(body)


def test_every_operation_documents_its_errors_in_the_envelope(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "503"} <= statuses, (method, path)
            for status in statuses - {"200", "201", "204"}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, status)


def test_operation_ids_are_readable(document):
    ids = [operation["operationId"] for operations in document["paths"].values() for operation in operations.values()]
    assert len(ids) == len(set(ids))
    assert all(
        not any(char.isdigit() for char in operation_id) and not operation_id.startswith("api_") for operation_id in ids
    )
