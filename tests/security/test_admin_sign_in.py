"""The attacks we know of on the admin's sign-in and sessions, each tried as a test that
asserts the refusal and that nothing changed (docs/security.md maps each to its defence).

- A cookie copied before sign-out, a forged one, or a session key planted before sign-in
  must sign no one in.
- A teacher demoted or disabled in Cognito must change nothing at once, and see nothing
  once the re-check is due; a disabled user must not sign in.
- Guessed passwords are cut off before Cognito is asked; a password alone signs no
  teacher in when codes are required; a sign-in never redirects off-site.
- A broken page link is a 400, never a 500.
"""

from __future__ import annotations

import boto3
import pytest
from django.conf import settings
from django.test import Client

from accounts import cognito
from accounts.models import AdminSessionModel
from vocabulary import services

GROUPS = "/admin/vocabulary/groups/"


@pytest.fixture
def teacher(make_tokens) -> None:
    make_tokens("sensei", "teachers")


def password(username: str = "sensei") -> str:
    return cognito._remembered()[username]


def sign_in(client, username: str = "sensei", secret: str | None = None, *, next_url: str = "/admin/"):
    return client.post(f"/admin/login/?next={next_url}", {"username": username, "password": secret or password()})


def idp():
    return boto3.client("cognito-idp", region_name=settings.AWS_REGION)


def group_names() -> set[str]:
    return {group.name for group in services.groups_list(page=1, per_page=100).items}


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_cookie_copied_before_sign_out_is_refused_after_it(teacher_browser, browser_copy, make_tokens):
    tokens = make_tokens("sensei", "teachers")  # another sign-in of the same teacher, elsewhere
    stolen = browser_copy(teacher_browser)
    teacher_browser.post("/admin/logout/")
    assert signed_out(stolen.post(GROUPS, {"name": "Made with a stolen cookie"}))
    assert signed_out(stolen.get("/admin/"))
    assert "Made with a stolen cookie" not in group_names() and list(AdminSessionModel.scan()) == []
    with pytest.raises(idp().exceptions.NotAuthorizedException):  # the sign-in's tokens are revoked too
        idp().initiate_auth(
            ClientId=settings.COGNITO_APP_CLIENT_IDS[0],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens.refresh_token},
        )


@pytest.mark.django_db
def test_a_forged_session_cookie_signs_no_one_in(teacher_browser):
    forged = Client()
    forged.cookies[settings.SESSION_COOKIE_NAME] = "0123456789abcdefghijklmnopqrstuv"
    assert signed_out(forged.post(GROUPS, {"name": "Made with a forged cookie"}))
    assert "Made with a forged cookie" not in group_names() and len(list(AdminSessionModel.scan())) == 1


@pytest.mark.django_db
def test_a_session_key_planted_before_sign_in_is_not_the_one_signed_in(client, teacher):
    client.get("/admin/login/")
    client.session.save()  # a session the attacker knows the key of...
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value
    sign_in(client)  # ...the victim signs in with it
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert signed_out(attacker.get("/admin/"))


@pytest.mark.django_db
def test_a_demoted_teacher_changes_nothing_and_is_signed_out(teacher_browser, make_tokens):
    make_tokens("sensei", "students")  # moved out of teachers in Cognito
    assert signed_out(teacher_browser.post(GROUPS, {"name": "Made after demotion"}))
    assert "Made after demotion" not in group_names()
    assert signed_out(teacher_browser.get("/admin/")) and list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_a_disabled_teacher_is_signed_out_once_the_check_is_due_and_cannot_sign_in_again(
    teacher_browser, aws, settings
):
    idp().admin_disable_user(UserPoolId=aws.pool_id, Username="sensei")
    settings.ADMIN_COGNITO_RECHECK_SECONDS = 0
    assert signed_out(teacher_browser.get("/admin/"))
    again = sign_in(Client())
    assert again.status_code == 200 and "Wrong username or password." in again.content.decode()
    assert list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_guessing_passwords_is_cut_off_before_cognito_is_asked(client, teacher, settings):
    for attempt in range(settings.ADMIN_SIGN_IN_FAILURES_PER_USER):
        assert sign_in(client, secret=f"Guess-{attempt}-aA1").status_code == 200
    refused = sign_in(client)  # even the right password, until the window ends
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert signed_out(client.get("/admin/")) and list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_a_password_alone_signs_no_teacher_in_when_codes_are_required(client, teacher, settings):
    settings.ADMIN_MFA_REQUIRED = True
    assert sign_in(client)["Location"] == "/admin/login/setup/"
    assert signed_out(client.get("/admin/"))
    assert signed_out(client.post(GROUPS, {"name": "Made with a password alone"}))
    assert "Made with a password alone" not in group_names()


@pytest.mark.django_db
def test_a_sign_in_never_redirects_to_another_site(client, teacher, settings):
    assert sign_in(client, next_url="https://evil.example/")["Location"] == "/admin/"
    client.post("/admin/logout/")
    settings.ADMIN_MFA_REQUIRED = True
    sign_in(client, next_url="https://evil.example/")
    secret = cognito.totp_secret(access_token=client.session["second_factor"]["access_token"])
    assert secret  # the emulator takes any code here: what matters is where it sends the browser
    assert client.post("/admin/login/setup/", {"code": "123456"})["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_broken_page_link_on_the_students_page_is_a_400(teacher_browser):
    response = teacher_browser.get("/admin/lrs/students/?next=not-a-token")
    assert response.status_code == 400
    assert "start again from the first page" in response.content.decode()
