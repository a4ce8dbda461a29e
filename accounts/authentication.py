"""Cognito bearer tokens for the API, on top of django-cognito-jwt.

The library's validator fetches the key set from the AWS URL on every instance, checks
`aud` only and ignores `token_use`. Ours reads the key set from a configurable URL
(so the local emulator works), caches it with a TTL, fetches it again once when a
token names an unknown key, and accepts both token kinds: ID tokens with an allowed
`aud`, access tokens with an allowed `client_id`.

AWS is not always kind: fetches are single-flight (one at a time per process, and
readers the cache can answer never wait for one), a failed refetch keeps the cached
keys in service for `COGNITO_JWKS_STALE_SECONDS` past their TTL, and token times get
`COGNITO_CLOCK_LEEWAY` seconds of leeway for clocks that disagree a little.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property

import jwt
import requests
from django.conf import settings
from django_cognito_jwt.backend import JSONWebTokenAuthentication
from django_cognito_jwt.validator import TokenError, TokenValidator
from jwt.algorithms import RSAAlgorithm
from rest_framework import exceptions

from langportal.errors import Unavailable

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
UNAVAILABLE = "The sign-in service is unavailable. Please retry shortly."
REFETCH_INTERVAL = 30  # at most one fetch this often, for unknown key ids and while the URL fails


class KeySet:
    """A user pool's public keys (JWKS), cached for `ttl` seconds, `stale` more if refetches fail."""

    def __init__(self, url: str, *, ttl: int, stale: int, clock: Callable[[], float] = time.monotonic):
        self.url, self.ttl, self.stale = url, ttl, stale
        self._clock = clock
        self._keys: dict[str, str] = {}
        self._fetched_at = float("-inf")  # the last fetch that succeeded
        self._tried_at = float("-inf")  # the last fetch, whatever came of it
        self._error: Unavailable | None = None  # why the last fetch failed
        self._fetching = False
        self._changed = threading.Condition()

    def get(self, kid: str) -> str | None:
        """The JWK named `kid`, or None if the pool has no such key; Unavailable without usable keys."""
        with self._changed:
            if not self._fetch_due(kid):
                while self._fetching and not self._usable(kid):
                    self._changed.wait()
                return self._cached(kid)
            self._fetching, self._tried_at = True, self._clock()
        self._refresh()
        with self._changed:
            return self._cached(kid)

    def _fetch_due(self, kid: str) -> bool:
        now = self._clock()
        wanted = now - self._fetched_at > self.ttl or kid not in self._keys
        return wanted and not self._fetching and now - self._tried_at >= REFETCH_INTERVAL

    def _in_service(self) -> bool:
        return self._clock() - self._fetched_at <= self.ttl + self.stale

    def _usable(self, kid: str) -> bool:
        return kid in self._keys and self._in_service()

    def _cached(self, kid: str) -> str | None:
        if not self._in_service():
            raise Unavailable(UNAVAILABLE) from self._error
        return self._keys.get(kid)

    def _refresh(self) -> None:
        """Fetch the keys without holding the lock, then wake the readers waiting for them."""
        keys, error = None, None
        try:
            keys = self._fetch()
        except Unavailable as failure:
            error = failure
        finally:
            with self._changed:
                if keys is not None:
                    self._keys, self._fetched_at = keys, self._clock()
                self._error, self._fetching = error, False
                age, in_service = self._clock() - self._fetched_at, self._in_service()
                self._changed.notify_all()
        if error is None:
            return
        if in_service:
            logger.warning(
                "Could not fetch the JWKS from %s (%s); serving the keys fetched %d s ago (TTL %d s, stale bound %d s)",
                self.url,
                error.__cause__,
                age,
                self.ttl,
                self.stale,
            )
        else:
            logger.warning("Could not fetch the JWKS from %s (%s); no usable keys", self.url, error.__cause__)

    def _fetch(self) -> dict[str, str]:
        timeout = (settings.AWS_CONNECT_TIMEOUT, settings.AWS_READ_TIMEOUT)
        try:
            response = requests.get(self.url, timeout=timeout)
            response.raise_for_status()
            return {key["kid"]: json.dumps(key) for key in response.json()["keys"]}
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise Unavailable(UNAVAILABLE) from error


_key_sets: dict[str, KeySet] = {}
_key_sets_lock = threading.Lock()


def forget_key_sets() -> None:
    """Drop cached key sets, and the tokens they checked (tests switch user pools)."""
    with _key_sets_lock:
        _key_sets.clear()
    _checked_tokens.clear()


def key_set() -> KeySet:
    """The shared key set for the configured URL (one per process)."""
    url = settings.COGNITO_JWKS_URL
    with _key_sets_lock:
        if url not in _key_sets:
            _key_sets[url] = KeySet(url, ttl=settings.COGNITO_JWKS_TTL, stale=settings.COGNITO_JWKS_STALE_SECONDS)
        return _key_sets[url]


# Tokens whose signature and claims were checked, until they expire.
CHECKED_TOKENS = 10_000
_checked_tokens: dict[str, tuple[str, dict]] = {}  # token: (its key id, its claims)


class CognitoTokenValidator(TokenValidator):
    def __init__(self):
        super().__init__(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_APP_CLIENT_IDS)

    @cached_property
    def pool_url(self) -> str:
        return settings.COGNITO_ISSUER

    def _get_public_key(self, token):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:  # unreadable, or a header PyJWT refuses (a kid not a string)
            raise TokenError(str(error)) from error
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise TokenError("Unexpected token header.")
        jwk = key_set().get(header["kid"])
        return RSAAlgorithm.from_jwk(jwk) if jwk else None

    def validate(self, token):
        """The claims of a token that holds. A token this process checked before is not
        decoded and verified again (its signature cannot change) while it has not
        expired and the key set still serves its key."""
        known = _checked_tokens.get(token)
        if known is not None:
            kid, claims = known
            if claims["exp"] + settings.COGNITO_CLOCK_LEEWAY > time.time() and key_set().get(kid) is not None:
                return claims
        claims = self._checked(token)
        if len(_checked_tokens) >= CHECKED_TOKENS:
            _checked_tokens.clear()  # rarely reached: a process sees a few thousand tokens an hour
        _checked_tokens[token] = (jwt.get_unverified_header(token)["kid"], claims)
        return claims

    def _checked(self, token):
        public_key = self._get_public_key(token)
        if public_key is None:
            raise TokenError("No key found for this token.")
        try:
            claims = jwt.decode(
                token,
                public_key,
                algorithms=[ALGORITHM],
                issuer=self.pool_url,
                leeway=settings.COGNITO_CLOCK_LEEWAY,
                options={"verify_aud": False, "require": ["exp", "iat", "iss", "sub", "token_use"]},
            )
        except jwt.InvalidTokenError as error:
            raise TokenError(str(error)) from error
        client = {"id": claims.get("aud"), "access": claims.get("client_id")}.get(claims["token_use"])
        if client is None or client not in self.audience:
            raise TokenError("The token is not for this application.")
        return claims


class CognitoAuthentication(JSONWebTokenAuthentication):
    """`Authorization: Bearer <Cognito ID or access token>`."""

    def get_token_validator(self, request):
        return CognitoTokenValidator()

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as error:
            if error.detail == exceptions.AuthenticationFailed.default_detail:
                raise exceptions.AuthenticationFailed("The token is invalid or has expired.") from error
            raise

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
