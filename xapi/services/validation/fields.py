"""Checks of one JSON value at a named place in a statement: its type, its format, its keys.

Each takes the value and its path ("context.instructor.mbox") and either returns the value
or raises StatementInvalid naming that path. The checks of whole xAPI objects are built
from these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

from . import values
from .errors import invalid
from .versions import XAPI_2_0


def child(path: str, key: str) -> str:
    """The path of property `key` of the object at `path`."""
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    """The path of element `index` of the array at `path`."""
    return f"{path}[{index}]"


def properties(
    value: Any, path: str, *, of: str, required: Collection[str] = (), optional: Collection[str] = ()
) -> dict[str, Any]:
    """The object at `path` (`of` names it: "an Agent"), once it has every required property,
    no property the standard does not list, and no null (nulls belong only in extensions)."""
    if not isinstance(value, dict):
        invalid(path, f"must be {of} (a JSON object)")
    for key, property_value in value.items():
        if key not in required and key not in optional:
            invalid(child(path, key), f"is not a property of {of}")
        if property_value is None:
            invalid(child(path, key), "must not be null")
    for key in required:
        if key not in value:
            invalid(child(path, key), f"is required in {of}")
    return value


def string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        invalid(path, "must be a string")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        invalid(path, "must be true or false")
    return value


def number(value: Any, path: str) -> float:
    # JSON has no booleans among its numbers, but Python counts True as 1.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        invalid(path, "must be a number")
    return value


def integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        invalid(path, "must be an integer")
    return value


def array(value: Any, path: str, *, non_empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        invalid(path, "must be an array")
    if non_empty and not value:
        invalid(path, "must not be empty")
    return value


def formatted(value: Any, path: str, has_format: Callable[[str], bool], what: str) -> str:
    """The string at `path`, once it has the format `has_format` checks (`what` names it)."""
    if not has_format(string(value, path)):
        invalid(path, f"must be {what}")
    return value


def iri(value: Any, path: str) -> str:
    return formatted(value, path, values.is_iri, "an IRI with a scheme (e.g. http://example.com/thing)")


def irl(value: Any, path: str) -> str:
    return formatted(value, path, values.is_irl, "an IRL (e.g. http://example.com/page)")


def uuid(value: Any, path: str) -> str:
    return formatted(value, path, values.is_uuid, "a UUID in standard form (8-4-4-4-12 hex digits)")


def language_map(value: Any, path: str) -> dict[str, str]:
    """A Language Map: RFC 5646 language tags, each to a string."""
    if not isinstance(value, dict):
        invalid(path, "must be a language map (a JSON object of language tag to string)")
    for tag, text in value.items():
        if not values.is_language_tag(tag):
            invalid(path, f"{tag!r} is not an RFC 5646 language tag")
        if text is None:
            invalid(child(path, tag), "must not be null")
        string(text, child(path, tag))
    return value


def extensions(value: Any, path: str) -> dict[str, Any]:
    """An Extensions object: IRI keys, any JSON (null too) as values."""
    if not isinstance(value, dict):
        invalid(path, "must be an extensions object (a JSON object keyed by IRI)")
    for key in value:
        if not values.is_iri(key):
            invalid(path, f"key {key!r} must be an IRI with a scheme")
    return value


def timestamp(value: Any, path: str, *, version: str) -> str:
    """A Timestamp as the request's xAPI version wants it, written as it is to be stored.

    xAPI 2.0 wants RFC 3339, stored in UTC; 1.0.3 wants ISO 8601 and keeps what was sent.
    """
    text = string(value, path)
    if version == XAPI_2_0:
        in_utc = values.rfc3339_in_utc(text)
        if in_utc is None:
            invalid(path, "must be an RFC 3339 timestamp with a time zone (e.g. 2024-05-01T12:00:00.000Z)")
        return in_utc
    if not values.is_iso8601_timestamp(text):
        invalid(path, "must be an ISO 8601 timestamp (e.g. 2024-05-01T12:00:00.000Z)")
    return text
