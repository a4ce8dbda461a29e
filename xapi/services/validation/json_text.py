"""JSON a client sends (a body, a part, a parameter, a document), read once, the same way
everywhere: anything unreadable is a 400, JSON nested too deep for Python's parser too."""

from __future__ import annotations

import json
from typing import Any

from langportal.errors import InvalidInput


def json_parsed(text: str | bytes, what: str) -> Any:
    """The JSON value of `text` (InvalidInput naming `what` when there is none)."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(f"{what} is not JSON.") from None
    except RecursionError:
        raise InvalidInput(f"{what} is nested too deep.") from None
