"""Statement validation (provisional: the shape only, until the full rules land)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from langportal.errors import InvalidInput


class StatementInvalid(InvalidInput):
    code = "invalid_statement"


def statements_checked(data: Any, *, version: str) -> list[dict]:
    statements = data if isinstance(data, list) else [data]
    for statement in statements:
        if not isinstance(statement, dict) or not {"actor", "verb", "object"} <= set(statement):
            raise StatementInvalid("A statement has an actor, a verb and an object.")
    return statements


def agent_checked(data: Any, *, version: str) -> dict:
    if not isinstance(data, dict) or sum(name in data for name in ("mbox", "mbox_sha1sum", "openid", "account")) != 1:
        raise InvalidInput("An Agent has exactly one identifier.")
    return data


def iri_checked(value: str, name: str) -> str:
    if ":" not in value:
        raise InvalidInput(f"{name} is an IRI.")
    return value


def uuid_checked(value: str, name: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{name} is a UUID.") from None
    return value


def timestamp_parsed(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} is a timestamp.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def signature_checked(statement: dict, jws: bytes) -> None:
    return None
