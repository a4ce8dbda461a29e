"""Cognito tokens on the API: every way a token can be wrong gets a 401 envelope; a good
one is accepted, makes or updates its user, and is not decoded again until it expires.
Fetching and caching the pool's key set, which checks the signatures, is test_key_set.py."""

import base64
import hashlib
import hmac
import json
import time

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from rest_framework.test import APIClient

from accounts import authentication
from accounts.models import User

from .conftest import WORDS, assert_unauthorized, claims, get, pool_key, sign


@pytest.mark.django_db
def test_id_token_of_the_pool_is_accepted(make_tokens):
    tokens = make_tokens("akiko")
    response = get(tokens.id_token)
    assert response.status_code == 200
    assert response.json()["pagination"]["total_items"] == 0


@pytest.mark.django_db
def test_access_token_of_the_pool_is_accepted(make_tokens):
    assert get(make_tokens("akiko").access_token).status_code == 200


@pytest.mark.django_db
def test_first_request_creates_the_user_from_claims(make_tokens):
    tokens = make_tokens("sensei", "teachers")
    get(tokens.id_token)
    user = User.objects.get(sub=tokens.user_id)
    assert (user.username, user.is_staff, user.is_superuser) == ("sensei", True, False)
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_group_change_in_cognito_updates_the_user(make_tokens):
    student = make_tokens("hiro")
    get(student.id_token)
    promoted = make_tokens("hiro", "admins")
    get(promoted.id_token)
    user = User.objects.get(sub=student.user_id)
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert User.objects.filter(username="hiro").count() == 1


def test_missing_token_is_401(aws):
    assert_unauthorized(get(None), "not_authenticated")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-jwt"])
def test_malformed_authorization_header_is_401(aws, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_unauthorized(client.get(WORDS))


def test_expired_token_is_401(aws, settings):
    assert_unauthorized(get(sign(claims(settings, exp=int(time.time()) - 60))))


@pytest.mark.django_db
def test_tampered_token_is_401(make_tokens):
    header, payload, signature = make_tokens("akiko").id_token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data["cognito:groups"] = ["admins"]
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    assert_unauthorized(get(f"{header}.{forged}.{signature}"))


def test_token_signed_by_another_key_is_401(aws, settings):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_unauthorized(get(sign(claims(settings), key=other)))


def test_unsigned_token_is_401(aws, settings):
    assert_unauthorized(get(jwt.encode(claims(settings), None, algorithm="none", headers={"kid": "dummy"})))


def test_hs256_token_keyed_with_the_public_key_is_401(aws, settings):
    """The classic confusion attack: HMAC with the pool's public key as the secret."""
    public_pem = (
        pool_key()
        .public_key()
        .public_bytes(encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': 'dummy'})}.{part(claims(settings))}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert_unauthorized(get(f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"))


def test_token_of_another_user_pool_is_401(aws, settings):
    """The emulator signs every pool's tokens with one key: only `iss` tells them apart."""
    cognito = boto3.client("cognito-idp", region_name=settings.AWS_REGION)
    pool = cognito.create_user_pool(PoolName="elsewhere")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="elsewhere", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="mallory", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="mallory", Password="Passw0rd!Passw0rd", Permanent=True)
    tokens = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "mallory", "PASSWORD": "Passw0rd!Passw0rd"},
    )["AuthenticationResult"]
    assert_unauthorized(get(tokens["IdToken"]))
    assert_unauthorized(get(tokens["AccessToken"]))


@pytest.mark.django_db
def test_token_for_another_app_client_is_401(make_tokens, aws, settings):
    cognito = boto3.client("cognito-idp", region_name=settings.AWS_REGION)
    other = cognito.create_user_pool_client(
        UserPoolId=aws.pool_id, ClientName="other-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    make_tokens("akiko")
    password = json.loads(settings.LOCAL_USERS_FILE.read_text())["akiko"]
    tokens = cognito.initiate_auth(
        ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "akiko", "PASSWORD": password}
    )["AuthenticationResult"]
    assert_unauthorized(get(tokens["IdToken"]))
    assert_unauthorized(get(tokens["AccessToken"]))


def test_unknown_key_id_is_401(aws, settings):
    assert_unauthorized(get(sign(claims(settings), kid="rotated-away")))


@pytest.mark.parametrize("token_use", ["refresh", None])
def test_token_of_another_use_is_401(aws, settings, token_use):
    payload = claims(settings, token_use=token_use)
    if token_use is None:
        del payload["token_use"]
    assert_unauthorized(get(sign(payload)))


@pytest.mark.django_db
@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_token_2_seconds_ahead_of_our_clock_is_accepted(aws, settings, claim):
    assert get(sign(claims(settings, **{claim: int(time.time()) + 2}))).status_code == 200


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_token_2_seconds_ahead_is_401_without_leeway(aws, settings, claim):
    settings.COGNITO_CLOCK_LEEWAY = 0
    assert_unauthorized(get(sign(claims(settings, **{claim: int(time.time()) + 2}))))


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_token_a_minute_ahead_of_our_clock_is_401(aws, settings, claim):
    assert_unauthorized(get(sign(claims(settings, **{claim: int(time.time()) + 60}))))


def test_schema_and_health_need_no_token(aws, client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_token_without_a_required_claim_is_401(aws, settings, claim):
    payload = claims(settings)
    del payload[claim]
    assert_unauthorized(get(sign(payload)))


def test_a_refused_token_is_explained(aws, settings):
    response = get(sign(claims(settings, exp=int(time.time()) - 60)))
    assert response.json()["error"]["message"] == "The token is invalid or has expired."


@pytest.mark.parametrize("kid", [["dummy"], {"kid": "dummy"}, 7])
def test_token_whose_key_id_is_not_a_string_is_401(aws, settings, kid):
    """Signed by the pool's key, so only the header's shape is wrong (PyJWT will not write it)."""

    def part(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'RS256', 'typ': 'JWT', 'kid': kid})}.{part(claims(settings))}"
    signature = RSAAlgorithm(RSAAlgorithm.SHA256).sign(signing_input.encode(), pool_key())
    assert_unauthorized(get(f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"))


@pytest.fixture
def decodes(monkeypatch) -> list[int]:
    """One entry per token decoded and verified (jwt.decode)."""
    made = []
    original = jwt.decode
    monkeypatch.setattr(
        authentication.jwt, "decode", lambda *args, **kwargs: made.append(1) or original(*args, **kwargs)
    )
    return made


def test_a_token_checked_once_is_not_decoded_again(make_tokens, decodes, db):
    token = make_tokens("student").id_token
    for _ in range(3):
        assert get(token).status_code == 200
    assert len(decodes) == 1


def test_a_checked_token_is_refused_once_it_expires(aws, settings, decodes, db):
    settings.COGNITO_CLOCK_LEEWAY = 0
    expires = int(time.time()) + 2
    token = sign(claims(settings, exp=expires))
    assert get(token).status_code == 200
    time.sleep(expires - time.time() + 0.5)
    assert_unauthorized(get(token))
    assert len(decodes) == 2  # checked again, and refused
