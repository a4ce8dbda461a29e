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
