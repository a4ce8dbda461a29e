"""Basic credentials for xAPI clients: made by administrators (in the admin or with
`manage.py xapi_credential`), each with scopes, revoked but never deleted, so that the
authority of the statements a credential stored keeps its name.

A secret is 32 random bytes, shown once and stored as its SHA-256: a secret that
random cannot be guessed from its digest, so a slow password hash would only cost every
request its time. A checked credential is trusted for XAPI_CREDENTIAL_CACHE_SECONDS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from langportal.errors import Conflict, InvalidInput, NotFound
from langportal.storage.retry import retrying
from xapi.repositories import credentials as repo
from xapi.repositories.credentials import Credential
from xapi.services.access import SCOPES, Principal

NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class NewCredential:
    """A credential as it is made: its secret, shown this once."""

    credential: Credential
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def credential_create(*, name: str, scopes: list[str], created_by: str) -> NewCredential:
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX_LENGTH:
        raise InvalidInput(f"A credential's name has 1 to {NAME_MAX_LENGTH} characters.")
    unknown = set(scopes) - set(SCOPES)
    if not scopes or unknown:
        raise InvalidInput(f"Scopes are some of: {', '.join(SCOPES)}.")
    secret = secrets.token_urlsafe(32)
    credential = Credential(
        key=secrets.token_hex(10),
        name=name,
        secret_digest=_digest(secret),
        scopes=frozenset(scopes),
        created=datetime.now(UTC).isoformat(),
        created_by=created_by,
    )
    retrying(lambda: _stored(credential))
    return NewCredential(credential, secret)


def _stored(credential: Credential) -> None:
    try:
        repo.credential_create(credential)
    except Conflict:
        # The key is new, so only this write can have taken it: its answer was lost.
        if repo.credential_get(credential.key) != credential:
            raise


def credential_get(key: str) -> Credential:
    credential = repo.credential_get(key) if key else None
    if credential is None:
        raise NotFound("No such credential.")
    return credential


def credential_revoke(key: str) -> Credential:
    """Refuse the credential from now on; revoking it again keeps when it first was. The
    credential as it was."""
    credential = credential_get(key)
    if credential.revoked is None:
        retrying(lambda: repo.credential_revoke(key, revoked=datetime.now(UTC).isoformat()))
    _checked.pop(key, None)
    return credential


def credentials_list() -> list[Credential]:
    return repo.credentials_all()


def credential_authority(credential: Credential) -> dict[str, Any]:
    """The Agent a credential's statements name as their authority."""
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": settings.XAPI_IRI, "name": credential.key},
    }


_checked: dict[str, tuple[float, Credential]] = {}
_lock = threading.Lock()


def basic_principal(header_value: str) -> Principal | None:
    """The caller a `Basic` Authorization value names, or None when it names none (a
    malformed value, an unknown key, a wrong secret, a revoked credential)."""
    try:
        key, _, secret = base64.b64decode(header_value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    credential = _credential(key)
    if credential is None or credential.revoked or not hmac.compare_digest(credential.secret_digest, _digest(secret)):
        return None
    return Principal(credential.name, credential_authority(credential), credential.scopes)


def _credential(key: str) -> Credential | None:
    now = time.monotonic()
    with _lock:
        cached = _checked.get(key)
    if cached and now - cached[0] < settings.XAPI_CREDENTIAL_CACHE_SECONDS:
        return cached[1]
    credential = repo.credential_get(key) if key else None
    if credential is not None:
        with _lock:
            _checked[key] = (now, credential)
    return credential
