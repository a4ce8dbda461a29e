"""What every resource shares: the version header, HEAD, the about resource, 1.0.3's
alternate request syntax, and statements with their attachments in multipart/mixed."""

import hashlib
import json
import uuid
from urllib.parse import urlencode

import pytest

STATEMENT = {
    "actor": {"mbox": "mailto:aiko@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "http://example.com/activities/protocol"},
}


@pytest.mark.parametrize(
    ("sent", "answered"), [("2.0.0", "2.0.0"), ("2.0", "2.0.0"), ("1.0.3", "1.0.3"), ("1.0.1", "1.0.3")]
)
def test_the_answer_names_the_version_the_request_follows(xapi, sent, answered):
    xapi.version = sent
    answer = xapi.get("statements")
    assert answer.status_code == 200
    assert answer["X-Experience-API-Version"] == answered


@pytest.mark.parametrize("sent", ["", "0.9", "1.1.0", "3.0.0", "2.0.0.1", "1.0.4", "two"])
def test_a_request_without_a_version_served_is_400(xapi, sent):
    xapi.version = sent
    answer = xapi.post("statements", STATEMENT)
    assert answer.status_code == 400
    assert "X-Experience-API-Version" in answer.json()["error"]["message"]


def test_the_about_resource_needs_neither_version_nor_credential(client):
    answer = client.get("/xapi/about")
    assert answer.status_code == 200
    assert answer.json()["version"] == ["1.0.3", "2.0.0"]


def test_head_answers_as_get_without_the_body(xapi):
    statement_id = xapi.post("statements", STATEMENT).json()[0]
    got = xapi.get("statements", {"statementId": statement_id})
    head = xapi.head("statements", {"statementId": statement_id})
    assert head.status_code == 200 and head.content == b""
    assert head["Last-Modified"] == got["Last-Modified"]
    assert "X-Experience-API-Consistent-Through" in head


def test_the_alternate_request_syntax_puts_a_statement_in_1_0_3(make_xapi_client):
    tool = make_xapi_client(version="1.0.3")
    statement_id = str(uuid.uuid4())
    form = {
        "statementId": statement_id,
        "content": json.dumps(STATEMENT),
        "Authorization": tool.authorization,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    answer = tool.client.post(
        "/xapi/statements?method=PUT", urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 204, answer.content
    assert tool.get("statements", {"statementId": statement_id}).json()["verb"] == STATEMENT["verb"]


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("method=PUT&statementId=x", {"content": "{}"}),  # anything but method in the query
        ("method=PUT", {"statementId": str(uuid.uuid4())}),  # no content
        ("method=PATCH", {"content": "{}"}),
        ("method=GET", {"X-Experience-API-Version": "2.0.0"}),  # 2.0 has no alternate syntax
    ],
)
def test_an_alternate_request_that_breaks_its_rules_is_400(make_xapi_client, query, form):
    tool = make_xapi_client(version="1.0.3")
    answer = tool.client.post(
        f"/xapi/statements?{query}",
        urlencode({"Authorization": tool.authorization, "X-Experience-API-Version": "1.0.3", **form}),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400


def multipart(statement: dict, parts: list[tuple[bytes, dict[str, str]]]) -> tuple[bytes, str]:
    boundary = "langportal-test-boundary"
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(statement)}\r\n".encode()]
    for content, headers in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def with_attachment(content: bytes) -> dict:
    attachment = {
        "usageType": "http://example.com/usage/essay",
        "display": {"en-US": "essay"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }
    return {**STATEMENT, "attachments": [attachment]}


def part(content: bytes, **headers: str) -> tuple[bytes, dict[str, str]]:
    sent = {
        "Content-Type": "text/plain",
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": hashlib.sha256(content).hexdigest(),
    }
    return content, {**sent, **headers}


def test_an_attachment_is_stored_with_its_statement_and_returned_when_asked_for(xapi):
    essay = "作文: 私の夏休み".encode()
    body, content_type = multipart(with_attachment(essay), [part(essay)])
    statement_id = xapi.post("statements", body, content_type=content_type).json()[0]

    plain = xapi.get("statements", {"statementId": statement_id})
    with_parts = xapi.get("statements", {"statementId": statement_id, "attachments": True})

    assert plain["Content-Type"].startswith("application/json")
    assert with_parts["Content-Type"].startswith("multipart/mixed")
    assert essay in with_parts.content
    assert hashlib.sha256(essay).hexdigest().encode() in with_parts.content


@pytest.mark.parametrize(
    "parts",
    [
        [],  # the attachment's content is missing, and it has no fileUrl
        [part(b"another text")],  # a part no attachment names
        [part(b"the essay", **{"X-Experience-API-Hash": hashlib.sha256(b"the essay!").hexdigest()})],
        [part(b"the essay", **{"Content-Transfer-Encoding": "base64"})],
    ],
)
def test_attachments_that_do_not_match_their_statement_are_400_and_store_nothing(xapi, parts):
    body, content_type = multipart(with_attachment(b"the essay"), parts)
    assert xapi.post("statements", body, content_type=content_type).status_code == 400
    assert xapi.get("statements").json()["statements"] == []


def test_a_browser_of_an_allowed_origin_may_call_the_store(xapi, settings):
    settings.XAPI_CORS_ALLOWED_ORIGINS = ["https://lms.school.example"]
    preflight = xapi.client.options(
        "/xapi/statements",
        HTTP_ORIGIN="https://lms.school.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://lms.school.example"
    assert "X-Experience-API-Version" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]

    answer = xapi.get("statements", origin="https://lms.school.example")
    assert answer["Access-Control-Allow-Origin"] == "https://lms.school.example"
    assert "X-Experience-API-Consistent-Through" in answer["Access-Control-Expose-Headers"]


def test_a_browser_of_another_origin_is_not_let_in(xapi, settings):
    settings.XAPI_CORS_ALLOWED_ORIGINS = ["https://lms.school.example"]
    preflight = xapi.client.options("/xapi/statements", HTTP_ORIGIN="https://evil.example")
    assert preflight.status_code == 204 and "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Origin" not in xapi.get("statements", origin="https://evil.example")
