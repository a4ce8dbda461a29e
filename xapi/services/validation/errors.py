"""The one exception statement validation raises, and the helper that builds it."""

from __future__ import annotations

from typing import NoReturn

from langportal.errors import InvalidInput


class StatementInvalid(InvalidInput):
    """A statement breaks a rule of the xAPI standard; the message names the property."""

    code = "invalid_statement"
    default_message = "The statement is not valid xAPI."


def invalid(path: str, problem: str) -> NoReturn:
    """Reject the statement because of the property at `path` (e.g. "actor.mbox")."""
    raise StatementInvalid(f"{path or 'statement'}: {problem}", details={"property": path})
