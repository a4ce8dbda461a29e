"""Ids as the server gives them out: one rule for the API, the admin and scripts."""

from __future__ import annotations

import re

# A positive whole number of at most 12 digits, as a string. Written for the OpenAPI
# schema too (IdField), so it uses ^...$; is_id matches it against the whole value.
ID_PATTERN = r"^[1-9][0-9]{0,11}$"
_ID = re.compile(ID_PATTERN)


def is_id(value: object) -> bool:
    """True when `value` is an id as the server gives them out."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


# A Cognito user's `sub` is a UUID; a little room for other pools' forms, never more
# than DynamoDB takes in a key.
USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
_USER_ID = re.compile(USER_ID_PATTERN)
# Study sessions and reviews are named by ULIDs (26 characters of Crockford's base 32).
ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
_ULID = re.compile(ULID_PATTERN)


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


def is_ulid(value: object) -> bool:
    return isinstance(value, str) and _ULID.fullmatch(value) is not None
