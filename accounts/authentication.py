"""Cognito bearer tokens for the API, on top of django-cognito-jwt.

The library's validator fetches the key set from the AWS URL on every instance, checks
`aud` only and ignores `token_use`. Ours reads the key set from a configurable URL
(so the local emulator works), caches it with a TTL, fetches it again once when a
token names an unknown key, and accepts both token kinds: ID tokens with an allowed
`aud`, access tokens with an allowed `client_id`.
"""

from __future__ import annotations

import json
import threading
import time
from functools import cached_property

import jwt
import requests
from django.conf import settings
from django_cognito_jwt.backend import JSONWebTokenAuthentication
from django_cognito_jwt.validator import TokenError, TokenValidator
from jwt.algorithms import RSAAlgorithm
from rest_framework import exceptions

from langportal.errors import Unavailable

ALGORITHM = "RS256"
REFETCH_INTERVAL = 30  # at most one fetch this often for unknown key ids


class KeySet:
    """A user pool's public keys (JWKS), cached for `ttl` seconds."""

    def __init__(self, url: str, ttl: int):
        self.url, self.ttl = url, ttl
        self._keys: dict[str, str] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def get(self, kid: str) -> str | None:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self.ttl or (kid not in self._keys and age > REFETCH_INTERVAL):
                self._keys = self._fetch()
                self._fetched_at = time.monotonic()
            return self._keys.get(kid)

    def _fetch(self) -> dict[str, str]:
        timeout = (settings.AWS_CONNECT_TIMEOUT, settings.AWS_READ_TIMEOUT)
        try:
            response = requests.get(self.url, timeout=timeout)
            response.raise_for_status()
            return {key["kid"]: json.dumps(key) for key in response.json()["keys"]}
        except (requests.RequestException, ValueError, KeyError) as error:
            raise Unavailable("The sign-in service is unavailable. Please retry shortly.") from error


_key_sets: dict[str, KeySet] = {}
_key_sets_lock = threading.Lock()


def forget_key_sets() -> None:
    """Drop cached key sets (tests switch user pools)."""
    with _key_sets_lock:
        _key_sets.clear()


def key_set() -> KeySet:
    """The shared key set for the configured URL (one per process)."""
    url = settings.COGNITO_JWKS_URL
    with _key_sets_lock:
        if url not in _key_sets:
            _key_sets[url] = KeySet(url, settings.COGNITO_JWKS_TTL)
        return _key_sets[url]


class CognitoTokenValidator(TokenValidator):
    def __init__(self):
        super().__init__(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_APP_CLIENT_IDS)

    @cached_property
    def pool_url(self) -> str:
        return settings.COGNITO_ISSUER

    def _get_public_key(self, token):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise TokenError(str(error)) from error
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise TokenError("Unexpected token header.")
        jwk = key_set().get(header["kid"])
        return RSAAlgorithm.from_jwk(jwk) if jwk else None

    def validate(self, token):
        public_key = self._get_public_key(token)
        if public_key is None:
            raise TokenError("No key found for this token.")
        try:
            claims = jwt.decode(
                token,
                public_key,
                algorithms=[ALGORITHM],
                issuer=self.pool_url,
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
