"""xAPI clients for every test: Django test clients that send a Basic credential of the
store (or a langportal token) and the X-Experience-API-Version header."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from xapi.repositories import documents as document_storage
from xapi.services import access, credentials


@dataclass
class XapiClient:
    """One caller of /xapi/, with the version its requests follow."""

    client: Client
    authorization: str
    version: str = "2.0.0"
    agent: dict[str, Any] | None = None  # a langportal user's own Agent

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        sent = {"HTTP_AUTHORIZATION": self.authorization, "HTTP_X_EXPERIENCE_API_VERSION": self.version}
        sent.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
        return sent

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.get(f"/xapi/{path}", _query(params), **self._headers(headers))

    def head(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.head(f"/xapi/{path}", _query(params), **self._headers(headers))

    def delete(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.delete(f"/xapi/{path}?{_encoded(params)}", **self._headers(headers))

    def post(self, path: str, body: Any, params=None, content_type: str = "application/json", **headers: str):
        return self.client.generic(
            "POST", f"/xapi/{path}?{_encoded(params)}", _body(body), content_type, **self._headers(headers)
        )

    def put(self, path: str, body: Any, params=None, content_type: str = "application/json", **headers: str):
        return self.client.generic(
            "PUT", f"/xapi/{path}?{_encoded(params)}", _body(body), content_type, **self._headers(headers)
        )


def _query(params: dict[str, Any] | None) -> dict[str, str]:
    """Parameters as xAPI sends them: agents as JSON, booleans as true or false."""
    return {name: _value(value) for name, value in (params or {}).items()}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _encoded(params: dict[str, Any] | None) -> str:
    return urlencode(_query(params))


def _body(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return json.dumps(body).encode()


@pytest.fixture
def make_xapi_client(aws, db):
    """A client with a new Basic credential of these scopes (all by default)."""

    def make(*scopes: str, version: str = "2.0.0", name: str = "test tool") -> XapiClient:
        made = credentials.credential_create(name=name, scopes=list(scopes or ["all"]), created_by="tests")
        secret = base64.b64encode(f"{made.credential.key}:{made.secret}".encode()).decode()
        return XapiClient(Client(), f"Basic {secret}", version)

    return make


@pytest.fixture
def xapi(make_xapi_client) -> XapiClient:
    """A tool with every scope, speaking xAPI 2.0.0."""
    return make_xapi_client()


@pytest.fixture
def make_xapi_user(make_tokens, db):
    """A langportal user's client of /xapi/, with their Cognito ID token."""

    def make(username: str, group: str = "students", version: str = "2.0.0") -> XapiClient:
        tokens = make_tokens(username, group)
        return XapiClient(Client(), f"Bearer {tokens.id_token}", version, access.student_agent(tokens.user_id))

    return make


@pytest.fixture
def race(monkeypatch):
    """race(write): `write` (another client's request) runs once, right after the next read
    of a document: a writer that comes between a request's read and its write."""

    def arm(write) -> None:
        read, pending = document_storage.document_get, [write]

        def read_then_race(*args, **kwargs):
            found = read(*args, **kwargs)
            if pending:
                pending.pop()()
            return found

        monkeypatch.setattr(document_storage, "document_get", read_then_race)

    return arm
