"""The API through gunicorn with tokens from the local user pool."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from moto.utilities.utils import load_resource

from .conftest import Api

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def emulator_key():
    return RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))


def forged(stack, key=None, kid="dummy", algorithm="RS256", **overrides) -> str:
    settings = stack.settings()
    pool = settings["COGNITO_USER_POOL_ID"]
    now = int(time.time())
    claims = {
        "sub": "forged-sub",
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool}",
        "aud": settings["COGNITO_APP_CLIENT_IDS"],
        "token_use": "id",
        "cognito:groups": ["teachers"],
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return jwt.encode(claims, key if key is not None else emulator_key(), algorithm=algorithm, headers={"kid": kid})


def assert_401(stack, token) -> None:
    response = Api(stack.url, token).get("/api/words")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}
    assert response.headers["Content-Type"] == "application/json"


def test_both_token_kinds_work(student, teacher):
    assert student.get("/api/words?per_page=1").status_code == 200  # an ID token
    assert teacher.get("/api/words?per_page=1").status_code == 200  # an access token


def test_the_forging_helper_makes_tokens_the_server_accepts(stack):
    """So that each rejection below is caused by the one thing it changes."""
    assert Api(stack.url, forged(stack)).get("/api/words?per_page=1").status_code == 200


def test_expired_token(stack):
    assert_401(stack, forged(stack, exp=int(time.time()) - 5))


def test_tampered_token(stack, student_tokens):
    header, payload, signature = student_tokens["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["cognito:groups"] = ["teachers"]
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert_401(stack, f"{header}.{changed}.{signature}")


def test_token_signed_by_another_key(stack):
    assert_401(stack, forged(stack, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)))


def test_alg_none_token(stack):
    assert_401(stack, forged(stack, key="", algorithm="none"))


def test_hs256_token(stack):
    assert_401(stack, forged(stack, key="a-shared-secret-of-32-bytes-long!", algorithm="HS256"))


def test_token_for_another_pool(stack):
    assert_401(stack, forged(stack, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))


def test_token_for_another_client(stack):
    assert_401(stack, forged(stack, aud="another-app-client"))


def test_token_with_an_unknown_key_id(stack):
    assert_401(stack, forged(stack, kid="not-a-key-of-this-pool"))


def test_no_token(anonymous):
    response = anonymous.get("/api/words")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_teacher_adds_a_word_and_a_student_finds_it(teacher, student):
    created = teacher.post("/api/words", json={"japanese": "自転車", "kana": "じてんしゃ", "english": "bicycle"})
    assert created.status_code == 201
    word = created.json()
    assert word["romaji"] == "jitensha"
    found = student.get(f"/api/words/{word['id']}")
    assert found.json()["english"] == "bicycle"
    by_english = student.get("/api/words?sort_by=english&per_page=100").json()["items"]
    assert word["id"] in [item["id"] for item in by_english]
    assert teacher.delete(f"/api/words/{word['id']}").status_code == 204


def test_student_is_refused_writes(student):
    response = student.post("/api/words", json={"japanese": "猫", "english": "cat"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_bad_paging_is_a_4xx_envelope(student):
    for query, status in (("page=0", 400), ("page=abc", 400), ("per_page=1000", 400), ("page=999", 404)):
        response = student.get(f"/api/words?{query}")
        assert response.status_code == status
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_group_words_over_http(student, starter):
    body = student.get("/api/groups/2/words?per_page=5&sort_by=romaji").json()
    assert [item["romaji"] for item in body["items"]] == ["futatsu", "go", "hachi", "hanbun", "happyaku"]
    assert body["pagination"]["total_items"] == starter.words_in("2")
