"""Teachers add a one-time code (TOTP) to their password; failed sign-ins are throttled."""

import base64
import re
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.conf import settings
from django.test import RequestFactory

from accounts import cognito, throttle
from accounts.models import AdminSessionModel
from langportal import ratelimit


@pytest.fixture
def codes_required(settings, monkeypatch):
    settings.ADMIN_MFA_REQUIRED = True
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")  # the emulator checks codes, as AWS does


@pytest.fixture
def teacher(make_tokens):
    make_tokens("sensei", "teachers")
    return cognito._remembered()["sensei"]


def sign_in(client, password: str, username: str = "sensei"):
    return client.post("/admin/login/?next=/admin/vocabulary/words/", {"username": username, "password": password})


def code(secret: str, *, offset: int = 0) -> str:
    """The authenticator's code now (`offset` seconds away), never one about to expire."""
    if 30 - time.time() % 30 < 1:
        time.sleep(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    authenticator = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 (RFC 6238's algorithm)
    return authenticator.generate(time.time() + offset).decode()


def set_up(client, password: str) -> str:
    """Sign in for the first time with codes required; returns the authenticator secret."""
    assert sign_in(client, password)["Location"] == "/admin/login/setup/"
    page = client.get("/admin/login/setup/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Za-z2-7]+)<', page)[1]
    assert client.post("/admin/login/setup/", {"code": code(secret)})["Location"] == "/admin/vocabulary/words/"
    return secret


def mfa_settings(pool_id: str) -> list[str]:
    user = boto3.client("cognito-idp", region_name=settings.AWS_REGION).admin_get_user(
        UserPoolId=pool_id, Username="sensei"
    )
    return user.get("UserMFASettingList", [])


@pytest.mark.django_db
def test_a_teacher_without_a_code_sets_one_up_before_being_signed_in(client, teacher, codes_required, aws):
    assert sign_in(client, teacher)["Location"] == "/admin/login/setup/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")  # the password alone signs no one in
    page = client.get("/admin/login/setup/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Za-z2-7]+)<', page)[1]
    assert f"otpauth://totp/langportal%3Asensei?secret={secret}&amp;issuer=langportal" in page
    wrong = client.post("/admin/login/setup/", {"code": code(secret, offset=-300)})
    assert "Wrong code." in wrong.content.decode() and mfa_settings(aws.pool_id) == []
    assert client.post("/admin/login/setup/", {"code": code(secret)})["Location"] == "/admin/vocabulary/words/"
    assert client.get("/admin/").status_code == 200
    assert mfa_settings(aws.pool_id) == ["SOFTWARE_TOKEN_MFA"]


@pytest.mark.django_db
def test_a_teacher_with_a_code_is_asked_for_it_after_the_password(client, teacher, codes_required):
    secret = set_up(client, teacher)
    client.post("/admin/logout/")
    assert sign_in(client, teacher)["Location"] == "/admin/login/code/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    wrong = client.post("/admin/login/code/", {"code": code(secret, offset=-300)})
    assert "Wrong code." in wrong.content.decode()
    not_digits = client.post("/admin/login/code/", {"code": "12ab56"})
    assert "Enter the 6 digits your authenticator app shows." in not_digits.content.decode()
    signed_in = client.post("/admin/login/code/", {"code": code(secret)})
    assert signed_in["Location"] == "/admin/vocabulary/words/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_code_pages_need_a_password_first(client, teacher, codes_required):
    assert client.get("/admin/login/code/")["Location"] == "/admin/login/"
    assert client.post("/admin/login/setup/", {"code": "123456"})["Location"] == "/admin/login/"
    assert list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_wrong_passwords_are_throttled_per_user_before_cognito_is_asked(client, teacher, settings):
    settings.ADMIN_SIGN_IN_FAILURES_PER_USER = 3
    for _ in range(3):
        assert "Wrong username or password." in sign_in(client, "Wrong-password-1").content.decode()
    refused = sign_in(client, teacher, username="SENSEI")  # the pool's usernames ignore case
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 2 * settings.ADMIN_SIGN_IN_WINDOW_SECONDS
    assert "Too many failed sign-ins." in refused.content.decode()
    assert client.get("/admin/").status_code == 302 and list(AdminSessionModel.scan()) == []


@pytest.mark.django_db
def test_wrong_passwords_are_throttled_per_address_whatever_the_username(client, teacher, settings):
    settings.ADMIN_SIGN_IN_FAILURES_PER_ADDRESS = 3
    for username in ("a", "b", "c"):
        sign_in(client, "Wrong-password-1", username=username)
    assert sign_in(client, teacher).status_code == 429
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_count_as_failed_sign_ins(client, teacher, codes_required, settings):
    set_up(client, teacher)
    client.post("/admin/logout/")
    settings.ADMIN_SIGN_IN_FAILURES_PER_USER = 2
    sign_in(client, teacher)
    for _ in range(2):
        assert "Wrong code." in client.post("/admin/login/code/", {"code": "000000"}).content.decode()
    assert client.post("/admin/login/code/", {"code": "000000"}).status_code == 429


@pytest.mark.parametrize(
    ("hops", "forwarded", "address"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy trusted: the header is anyone's to write
        (2, "198.51.100.7, 10.0.0.5", "198.51.100.7"),  # API Gateway wrote the client, the load balancer itself
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.5", "198.51.100.7"),  # a forged first entry is skipped
        (2, "10.0.0.5", "10.0.0.9"),  # fewer entries than proxies: the connection's address
    ],
)
def test_the_client_address_is_the_one_our_farthest_proxy_saw(settings, hops, forwarded, address):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.9")
    assert throttle.client_address(request) == address


@pytest.mark.django_db
def test_failures_of_this_window_alone_throttle_until_the_next_one_ends(client, teacher, settings):
    settings.ADMIN_SIGN_IN_FAILURES_PER_USER = 2
    for _ in range(2):
        sign_in(client, "Wrong-password-1")
    refused = sign_in(client, teacher)
    wait = int(refused["Retry-After"])
    assert settings.ADMIN_SIGN_IN_WINDOW_SECONDS < wait <= 2 * settings.ADMIN_SIGN_IN_WINDOW_SECONDS
    assert f"Try again in {round(wait / 60)} minutes." in refused.content.decode()


@pytest.mark.django_db
def test_failures_just_before_a_window_ended_still_count(client, teacher, settings):
    settings.ADMIN_SIGN_IN_FAILURES_PER_USER = 3
    last_window = datetime.now(UTC) - timedelta(seconds=settings.ADMIN_SIGN_IN_WINDOW_SECONDS)
    for _ in range(2):  # as the sign-in page counted them then
        ratelimit.count(ratelimit.Window("sign-in#user#sensei", settings.ADMIN_SIGN_IN_WINDOW_SECONDS, last_window))
    sign_in(client, "Wrong-password-1")
    refused = sign_in(client, teacher)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= settings.ADMIN_SIGN_IN_WINDOW_SECONDS
