"""Basic credentials of xAPI clients, one item each by key."""

from __future__ import annotations

from dataclasses import dataclass

from langportal.storage.dynamo import dynamodb_errors
from xapi.models import CredentialModel


@dataclass(frozen=True)
class Credential:
    key: str
    name: str
    secret_digest: str
    scopes: frozenset[str]
    created: str
    created_by: str
    revoked: str | None = None


def _credential(item: CredentialModel) -> Credential:
    return Credential(
        item.key, item.name, item.secret_digest, frozenset(item.scopes), item.created, item.created_by, item.revoked
    )


def credential_get(key: str) -> Credential | None:
    with dynamodb_errors():
        try:
            return _credential(CredentialModel.get(key, consistent_read=True))
        except CredentialModel.DoesNotExist:
            return None


def credential_create(credential: Credential) -> None:
    item = CredentialModel(
        credential.key,
        name=credential.name,
        secret_digest=credential.secret_digest,
        scopes=set(credential.scopes),
        created=credential.created,
        created_by=credential.created_by,
    )
    with dynamodb_errors():
        item.save(condition=CredentialModel.key.does_not_exist())


def credential_revoke(key: str, *, revoked: str) -> None:
    with dynamodb_errors():
        CredentialModel(key).update([CredentialModel.revoked.set(revoked)], condition=CredentialModel.key.exists())


def credentials_all() -> list[Credential]:
    """Every credential: an administrator's few dozen, read whole."""
    with dynamodb_errors():
        return sorted(map(_credential, CredentialModel.scan()), key=lambda credential: credential.created)
