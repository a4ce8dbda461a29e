"""Cognito tokens on the API: every way a token can be wrong gets a 401 envelope."""

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
from moto.utilities.utils import load_resource
from rest_framework.test import APIClient

from accounts import authentication
from accounts.models import User

WORDS = "/api/words"


def pool_key():
    """The private key the emulator signs its tokens with."""
    return RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def claims(settings, **overrides) -> dict:
    now = int(time.time())
    return {
        "sub": "0c4d1e52-0000-4000-8000-000000000001",
        "iss": settings.COGNITO_ISSUER,
        "aud": settings.COGNITO_APP_CLIENT_IDS[0],
        "token_use": "id",
        "cognito:username": "forged",
        "cognito:groups": ["teachers"],
        "iat": now,
        "exp": now + 3600,
        **overrides,
    }


def sign(payload: dict, key=None, kid: str = "dummy", algorithm: str = "RS256") -> str:
    return jwt.encode(payload, key or pool_key(), algorithm=algorithm, headers={"kid": kid})


def get(token: str | None, path: str = WORDS):
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(path)


def assert_unauthorized(response, code: str = "authentication_failed") -> None:
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


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
def test_key_set_is_fetched_once_and_cached(make_tokens, monkeypatch):
    fetches = []
    original = authentication.KeySet._fetch
    monkeypatch.setattr(authentication.KeySet, "_fetch", lambda self: fetches.append(1) or original(self))
    token = make_tokens("akiko").id_token
    assert [get(token).status_code for _ in range(3)] == [200, 200, 200]
    assert len(fetches) == 1


@pytest.mark.django_db
def test_unknown_key_id_fetches_the_key_set_again_once(make_tokens, settings, monkeypatch):
    fetches = []
    original = authentication.KeySet._fetch
    monkeypatch.setattr(authentication.KeySet, "_fetch", lambda self: fetches.append(1) or original(self))
    monkeypatch.setattr(authentication, "REFETCH_INTERVAL", 0)
    assert get(make_tokens("akiko").id_token).status_code == 200
    assert_unauthorized(get(sign(claims(settings), kid="new-key")))
    assert len(fetches) == 2


def test_unreachable_key_set_is_503(aws, settings):
    settings.COGNITO_JWKS_URL = "http://127.0.0.1:9/jwks.json"
    response = get(sign(claims(settings)))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)


def test_schema_and_health_need_no_token(aws, client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_forget_key_sets_empties_the_cache(aws, settings):
    authentication.key_set()
    authentication.forget_key_sets()
    assert authentication._key_sets == {}
