"""Cognito tokens on the API: every way a token can be wrong gets a 401 envelope."""

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import jwt
import pytest
import requests
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


def verify(token: str) -> dict:
    """What the API's authentication does with a token, without a request (for threads)."""
    return authentication.CognitoTokenValidator().validate(token)


@pytest.fixture
def clock(aws, settings, hand_clock):
    """The process's key set, reading a clock the test moves."""
    authentication._key_sets[settings.COGNITO_JWKS_URL] = authentication.KeySet(
        settings.COGNITO_JWKS_URL,
        ttl=settings.COGNITO_JWKS_TTL,
        stale=settings.COGNITO_JWKS_STALE_SECONDS,
        clock=hand_clock,
    )
    return hand_clock


@pytest.fixture
def fetches(monkeypatch) -> list[int]:
    """One entry per fetch of the key set attempted, whatever came of it."""
    attempts = []
    original = authentication.KeySet._fetch
    monkeypatch.setattr(authentication.KeySet, "_fetch", lambda self: attempts.append(1) or original(self))
    return attempts


@pytest.fixture
def jwks_down(monkeypatch):
    """Make the key set URL fail from now on: `raise` a connection error, or answer `500`."""

    def down(how: str) -> None:
        def get(url, **kwargs):
            if how == "raise":
                raise requests.ConnectionError(f"cannot reach {url}")
            response = requests.Response()
            response.status_code, response.url = 500, url
            return response

        monkeypatch.setattr(authentication.requests, "get", get)

    return down


class SlowFetch:
    """A fetch of the key set that starts, then waits for `release` before it fetches."""

    def __init__(self):
        self.started, self.release, self.done = threading.Event(), threading.Event(), threading.Event()


@pytest.fixture
def slow_fetch(fetches, monkeypatch):
    """Make fetches of the key set slow from now on (they are still counted in `fetches`)."""

    def slow() -> SlowFetch:
        fetch = SlowFetch()
        counted = authentication.KeySet._fetch

        def wait_then_fetch(self):
            fetch.started.set()
            fetch.release.wait(timeout=5)
            try:
                return counted(self)
            finally:
                fetch.done.set()

        monkeypatch.setattr(authentication.KeySet, "_fetch", wait_then_fetch)
        return fetch

    return slow


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
def test_key_set_is_fetched_once_and_cached(make_tokens, fetches):
    token = make_tokens("akiko").id_token
    assert [get(token).status_code for _ in range(3)] == [200, 200, 200]
    assert len(fetches) == 1


@pytest.mark.django_db
def test_unknown_key_id_fetches_the_key_set_again_once(make_tokens, settings, monkeypatch, fetches):
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


def test_unreachable_key_set_is_not_fetched_for_every_request(aws, settings, fetches):
    settings.COGNITO_JWKS_URL = "http://127.0.0.1:9/jwks.json"
    assert [get(sign(claims(settings))).status_code for _ in range(3)] == [503, 503, 503]
    assert len(fetches) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["raise", "500"])
def test_cached_keys_are_served_past_their_ttl_while_the_url_fails(clock, fetches, jwks_down, settings, caplog, how):
    token = sign(claims(settings))
    assert get(token).status_code == 200
    jwks_down(how)
    clock.advance(settings.COGNITO_JWKS_TTL + 1)
    with caplog.at_level(logging.WARNING, logger="accounts.authentication"):
        assert [get(token).status_code for _ in range(5)] == [200] * 5
    assert len(fetches) == 2
    assert "serving the keys fetched" in caplog.text


@pytest.mark.django_db
def test_failing_refetch_is_tried_again_once_per_interval(clock, fetches, jwks_down, settings):
    token = sign(claims(settings))
    get(token)
    jwks_down("raise")
    clock.advance(settings.COGNITO_JWKS_TTL + 1)
    for _ in range(3):
        assert get(token).status_code == 200
        clock.advance(authentication.REFETCH_INTERVAL - 1)
        assert get(token).status_code == 200
        clock.advance(1)
    assert len(fetches) == 1 + 3


@pytest.mark.django_db
def test_keys_stale_beyond_the_bound_are_503(clock, jwks_down, settings):
    token = sign(claims(settings))
    assert get(token).status_code == 200
    jwks_down("500")
    clock.advance(settings.COGNITO_JWKS_TTL + settings.COGNITO_JWKS_STALE_SECONDS + 1)
    response = get(token)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)


def test_concurrent_requests_without_keys_share_one_fetch(aws, settings, fetches, slow_fetch, monkeypatch):
    monkeypatch.setattr(authentication, "REFETCH_INTERVAL", 0)  # only the single flight holds the others back
    token, threads = sign(claims(settings)), 8
    fetch, ready = slow_fetch(), threading.Barrier(threads)

    def verify_when_all_are_ready() -> dict:
        ready.wait(timeout=5)
        return verify(token)

    with ThreadPoolExecutor(threads) as pool:
        verified = [pool.submit(verify_when_all_are_ready) for _ in range(threads)]
        assert fetch.started.wait(timeout=5)
        time.sleep(0.2)  # every thread reaches the key set while the first fetch waits
        fetch.release.set()
        assert [future.result(timeout=10)["sub"] for future in verified] == [claims(settings)["sub"]] * threads
    assert len(fetches) == 1


def test_cached_keys_answer_while_a_refetch_is_in_progress(clock, settings, fetches, slow_fetch):
    token = sign(claims(settings))
    verify(token)
    fetch = slow_fetch()
    clock.advance(settings.COGNITO_JWKS_TTL + 1)
    with ThreadPoolExecutor(1) as pool:
        refetching = pool.submit(verify, token)
        assert fetch.started.wait(timeout=5)
        assert verify(token)["sub"] == claims(settings)["sub"]
        assert not fetch.done.is_set()
        fetch.release.set()
        assert refetching.result(timeout=10)["sub"] == claims(settings)["sub"]
    assert len(fetches) == 2


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


def test_forget_key_sets_empties_the_cache(aws, settings):
    authentication.key_set()
    authentication.forget_key_sets()
    assert authentication._key_sets == {}


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_token_without_a_required_claim_is_401(aws, settings, claim):
    payload = claims(settings)
    del payload[claim]
    assert_unauthorized(get(sign(payload)))


def test_a_refused_token_is_explained(aws, settings):
    response = get(sign(claims(settings, exp=int(time.time()) - 60)))
    assert response.json()["error"]["message"] == "The token is invalid or has expired."


@pytest.mark.parametrize("body", ["<html>maintenance</html>", "{}", "[]", '{"keys": [{"n": "no key id"}]}'])
def test_a_key_set_url_answering_something_else_is_503(aws, settings, monkeypatch, body):
    def get_something_else(url, **kwargs):
        response = requests.Response()
        response.status_code, response.url, response._content = 200, url, body.encode()
        return response

    monkeypatch.setattr(authentication.requests, "get", get_something_else)
    response = get(sign(claims(settings)))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.django_db
def test_the_key_set_is_fetched_again_once_its_ttl_has_passed(aws, settings, monkeypatch, fetches):
    settings.COGNITO_JWKS_TTL = 0
    monkeypatch.setattr(authentication, "REFETCH_INTERVAL", 0)
    token = sign(claims(settings))
    assert [get(token).status_code for _ in range(3)] == [200, 200, 200]
    assert len(fetches) == 3


@pytest.mark.django_db
def test_keys_exactly_at_the_stale_bound_are_still_served(clock, jwks_down, settings):
    token = sign(claims(settings))
    assert get(token).status_code == 200
    jwks_down("raise")
    clock.advance(settings.COGNITO_JWKS_TTL + settings.COGNITO_JWKS_STALE_SECONDS)
    assert get(token).status_code == 200


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
