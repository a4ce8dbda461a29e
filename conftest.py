"""Fixtures shared by every app's unit tests: an AWS account in moto, users, API clients."""

from __future__ import annotations

import pytest
from moto import mock_aws
from rest_framework.test import APIClient

from accounts import authentication, cognito
from langportal.local import provision


@pytest.fixture
def aws(settings, tmp_path):
    """A fresh AWS account in moto, provisioned like the local stack."""
    settings.LOCAL_USERS_FILE = tmp_path / "local-users.json"
    with mock_aws():
        provision.tables_create()
        provision.bucket_create()
        pool = provision.user_pool_create()
        settings.COGNITO_USER_POOL_ID = pool.pool_id
        settings.COGNITO_APP_CLIENT_IDS = [pool.client_id]
        settings.COGNITO_ISSUER = f"https://cognito-idp.{settings.AWS_REGION}.amazonaws.com/{pool.pool_id}"
        settings.COGNITO_JWKS_URL = f"{settings.COGNITO_ISSUER}/.well-known/jwks.json"
        yield pool
    authentication.forget_key_sets()


@pytest.fixture
def make_tokens(aws):
    """Real Cognito tokens for a user of the pool, created on first use."""

    def make(username: str, group: str = "students") -> cognito.Tokens:
        cognito.user_upsert(username=username, group=group)
        return cognito.user_tokens(username=username)

    return make


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def student_api(make_tokens, db) -> APIClient:
    return _client(make_tokens("student").id_token)


@pytest.fixture
def teacher_api(make_tokens, db) -> APIClient:
    return _client(make_tokens("teacher", "teachers").id_token)
