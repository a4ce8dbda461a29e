"""What the authentication tests (test_authentication.py, test_key_set.py) share: tokens
signed with the emulator's key from chosen claims, an API request carrying one, and the
401 envelope a refused token gets."""

import json
import time

import jwt
from jwt.algorithms import RSAAlgorithm
from moto.utilities.utils import load_resource
from rest_framework.test import APIClient

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
