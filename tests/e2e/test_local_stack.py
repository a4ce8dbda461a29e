"""What `make run` gives a developer: the app, its docs, demo users, tokens, probes."""

import json
import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_banner_shows_urls_logins_and_how_to_get_a_token(stack):
    banner = stack.log.read_text()
    assert f"langportal is running at {stack.url}" in banner
    assert f"{stack.url}/api/docs/" in banner
    passwords = json.loads((stack.data_dir / "local-users.json").read_text())
    assert f"teacher  password {passwords['teacher']}" in banner
    assert f"student  password {passwords['student']}" in banner
    assert "manage.py local_token student" in banner


def test_probes(anonymous):
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    assert anonymous.get("/readyz").json() == {"status": "ok", "checks": {"dynamodb": "ok", "s3": "ok"}}


def test_starter_vocabulary_is_served(student, starter):
    body = student.get("/api/words").json()
    assert body["pagination"] == {
        "current_page": 1,
        "total_pages": -(-starter.words // 20),
        "total_items": starter.words,
        "items_per_page": 20,
    }
    assert body["items"][0]["japanese"] == "こんにちは"
    assert student.get("/api/groups").json()["pagination"]["total_items"] == starter.groups


def test_local_token_prints_both_tokens_and_the_user_id(stack, student_tokens):
    assert set(student_tokens) == {"id_token", "access_token", "user_id"}
    attributes = stack.cognito().get_user(AccessToken=student_tokens["access_token"])["UserAttributes"]
    assert {"Name": "sub", "Value": student_tokens["user_id"]} in attributes


def test_local_token_without_json_prints_an_id_token(stack, anonymous):
    token = stack.manage("local_token", "teacher").stdout.strip()
    response = anonymous.session.get(f"{stack.url}/api/groups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_local_user_creates_a_user_who_can_sign_in(stack):
    created = stack.manage("local_user", "mika", "--group", "teachers")
    assert created.returncode == 0, created.stderr
    assert "password: " in created.stdout
    token = stack.tokens("mika")["id_token"]
    from .conftest import Api

    response = Api(stack.url, token).post("/api/groups", json={"name": "Mika's words"})
    assert response.status_code == 201


def test_local_user_with_a_chosen_password_and_a_new_group(stack):
    assert stack.manage("local_user", "ken", "--group", "teachers", "--password", "Ken-password-1").returncode == 0
    moved = stack.manage("local_user", "ken", "--group", "students")
    assert moved.returncode == 0
    assert moved.stdout.strip() == "ken is in group students."
    groups = stack.cognito().admin_list_groups_for_user(
        UserPoolId=stack.settings()["COGNITO_USER_POOL_ID"], Username="ken"
    )["Groups"]
    assert [group["GroupName"] for group in groups] == ["students"]


def test_local_user_rejects_an_unknown_group(stack):
    result = stack.manage("local_user", "eve", "--group", "owners")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr


def test_local_token_for_an_unknown_user_fails_clearly(stack):
    result = stack.manage("local_token", "nobody")
    assert result.returncode == 1
    assert "No password is known for 'nobody'" in result.stderr


def test_openapi_document_and_docs_are_served_offline(anonymous):
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 200
    assert "/api/words" in schema.text
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    bundle = re.search(r'src="([^"]*swagger-ui-bundle[^"]*\.js)"', docs.text).group(1)
    assert anonymous.get(bundle).status_code == 200


def test_admin_login_page_has_its_styles(anonymous):
    page = anonymous.get("/admin/login/")
    assert page.status_code == 200
    stylesheet = re.search(r'href="([^"]*admin/css/base[^"]*\.css)"', page.text).group(1)
    assert anonymous.get(stylesheet).status_code == 200
