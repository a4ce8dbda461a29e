"""The parameters of the xAPI resources that carry statement values (an agent, an IRI,
a UUID, a time), checked by the same rules as statements, and refused as parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import aniso8601

from langportal.errors import InvalidInput
from xapi.services.validation import fields, values
from xapi.services.validation.actors import check_agent_or_group
from xapi.services.validation.errors import StatementInvalid

T = TypeVar("T")


class ParameterInvalid(InvalidInput):
    """A parameter breaks the rule of the statement value it carries (400, `invalid`, as
    any other bad parameter)."""

    default_message = "A parameter is not valid."


def _as_parameter(check: Callable[[], T]) -> T:
    try:
        return check()
    except StatementInvalid as error:
        raise ParameterInvalid(error.message, details=error.details) from None


def agent_checked(data: Any, *, version: str, name: str = "agent") -> dict[str, Any]:
    """An Agent or identified Group given as a parameter."""
    _as_parameter(lambda: check_agent_or_group(data, name))
    return data


def iri_checked(value: str, name: str) -> str:
    return _as_parameter(lambda: fields.iri(value, name))


def uuid_checked(value: str, name: str) -> str:
    return _as_parameter(lambda: fields.uuid(value, name))


def timestamp_parsed(value: str, name: str) -> datetime:
    """A time given as a parameter (`since`, `until`): RFC 3339, or ISO 8601 with a zone."""
    in_utc = values.rfc3339_in_utc(value)
    try:
        moment = datetime.fromisoformat(in_utc.replace("Z", "+00:00")) if in_utc else aniso8601.parse_datetime(value)
    except (ValueError, NotImplementedError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ParameterInvalid(f"{name}: must be a timestamp with a time zone (e.g. 2024-05-01T12:00:00Z)")
    return moment
