"""The attacks we know of on the xAPI store, each tried as a test that asserts the refusal
and that nothing changed (docs/security.md maps each to its defence).

- A teacher must not give a tool (or another store) access to the statements: only
  administrators make credentials and forwarding rules.
- A credential's secret must not be readable after the page that shows it once, nor from
  the credentials table; a revoked credential must be refused at once.
- A forwarding target's secret must never be shown back, and must never cross the network
  in clear (https only, but to this machine); a target that never answers must not hold
  the forwarder past its timeout.
- A student must not write a statement as someone else; a `more` link must not be forged,
  nor used by another credential.
- JSON nested deeper than the parser goes is a 400, in the store and in the API; a body
  past the store's limit is a 413 and stores nothing.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from django.test import Client

from xapi.models import CredentialModel
from xapi.repositories import forwarding as forwarding_repo
from xapi.services import credentials, forwarder, forwarding
from xapi.tests.target_lrs import a_statement

STATEMENT = {
    "actor": {"mbox": "mailto:someone@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
    "object": {"id": "http://example.com/activities/forged"},
}


def test_a_teacher_gives_no_tool_and_no_store_access_to_the_statements(teacher_browser, target, aws):
    made = teacher_browser.post("/admin/xapi/credentials/", {"name": "Mine", "scopes": ["all"]})
    fields = {"name": "Mine", "endpoint": target.url, "target_key": "k", "target_secret": "s", "version": "2.0.0"}
    forwarded = teacher_browser.post("/admin/xapi/forwarding/add/", fields)
    assert made.status_code == forwarded.status_code == 403
    assert credentials.credentials_list() == [] and forwarding.forwardings_list() == []


def test_a_credentials_secret_is_shown_once_and_a_revoked_one_is_refused_at_once(admin_browser):
    page = admin_browser.post("/admin/xapi/credentials/", {"name": "LMS", "scopes": ["all"]})
    secret = page.content.decode().split('<code id="credential-secret">')[1].split("<")[0]
    [made] = credentials.credentials_list()
    assert "no-store" in page["Cache-Control"] and secret not in made.secret_digest
    assert secret not in admin_browser.get("/admin/xapi/credentials/").content.decode()
    basic = "Basic " + base64.b64encode(f"{made.key}:{secret}".encode()).decode()
    statements = {"HTTP_AUTHORIZATION": basic, "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
    assert Client().get("/xapi/statements", **statements).status_code == 200
    admin_browser.post(f"/admin/xapi/credentials/{made.key}/revoke/")
    assert Client().get("/xapi/statements", **statements).status_code == 401


def test_a_forwarding_targets_secret_is_never_shown_back(admin_browser, make_rule, target):
    rule = make_rule(target_secret="the-targets-secret")
    again = admin_browser.post(
        "/admin/xapi/forwarding/add/",
        {"name": "", "endpoint": target.url, "target_key": "k", "target_secret": "another-secret", "version": "2.0.0"},
    )
    assert again.status_code == 400 and "another-secret" not in again.content.decode()
    assert rule.target_secret not in admin_browser.get("/admin/xapi/forwarding/").content.decode()


def test_statements_are_never_forwarded_in_clear_over_the_network(admin_browser, aws):
    fields = {"name": "S", "endpoint": "http://lrs.school.example/xapi", "target_key": "k", "target_secret": "s"}
    refused = admin_browser.post("/admin/xapi/forwarding/add/", {**fields, "version": "2.0.0"})
    assert refused.status_code == 400 and "must use https://" in refused.content.decode()
    assert forwarding.forwardings_list() == []


def test_a_target_that_never_answers_holds_the_forwarder_no_longer_than_its_timeout(make_rule, store, target, settings):
    settings.XAPI_FORWARDING_TIMEOUT_SECONDS = 0.3
    rule = make_rule()
    store(a_statement())
    target.delay = 5
    began = time.monotonic()
    assert forwarder.forwarding_run(seconds=60) == {"forwarded": 0, "failed": 1}
    assert time.monotonic() - began < 3
    assert "ReadTimeout" in forwarding_repo.forwarding_get(rule.rule_id).last_error


@pytest.mark.parametrize("path", ["/api/study_sessions", "/xapi/statements"])
def test_json_nested_deeper_than_the_parser_goes_is_400(student_api, xapi, path):
    body = "[" * 50_000
    if path.startswith("/xapi"):
        answer = xapi.post("statements", body.encode())
    else:
        answer = student_api.generic("POST", path, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] in ("parse_error", "invalid")


def test_a_student_cannot_write_a_statement_as_someone_else(make_xapi_user, xapi):
    student = make_xapi_user("aiko")
    assert student.post("statements", STATEMENT).status_code == 403
    assert (
        student.put("statements", STATEMENT, {"statementId": "0c4d1e52-0000-4000-8000-00000000f00d"}).status_code == 403
    )
    assert xapi.get("statements").json()["statements"] == []


def test_a_more_link_cannot_be_forged_or_used_by_another_credential(make_xapi_client, xapi):
    for _ in range(3):
        xapi.post("statements", STATEMENT)
    more = xapi.get("statements", {"limit": 1}).json()["more"]
    token = more.split("more=", 1)[1]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert xapi.get("statements", {"more": forged}).status_code == 400
    other = make_xapi_client("statements/read/mine", name="another tool")
    assert other.client.get(more, **other._headers({})).status_code == 403


def test_the_credentials_table_holds_no_secret(aws):
    made = credentials.credential_create(name="tool", scopes=["all"], created_by="tests")
    stored = [item.attribute_values for item in CredentialModel.scan()]
    assert stored and made.secret not in json.dumps(stored, default=str)


def test_a_body_past_the_limit_is_413_and_stores_nothing(xapi, settings):
    settings.XAPI_MAX_BYTES = 2_000
    answer = xapi.post("statements", [STATEMENT] * 30)
    assert answer.status_code == 413
    settings.XAPI_MAX_BYTES = 10_000_000
    assert xapi.get("statements").json()["statements"] == []
