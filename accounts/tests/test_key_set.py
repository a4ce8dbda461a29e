"""The user pool's key set (JWKS), which checks the signatures of Cognito tokens on the API:
fetched once and cached, fetched again past its TTL or for an unknown key id (at most once
per interval), served stale within a bound while its URL fails and a 503 past it or when
it cannot be had, and one fetch shared by concurrent requests."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accounts import authentication

from .conftest import assert_unauthorized, claims, get, sign


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


def test_forget_key_sets_empties_the_cache(aws, settings):
    authentication.key_set()
    authentication.forget_key_sets()
    assert authentication._key_sets == {}


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
