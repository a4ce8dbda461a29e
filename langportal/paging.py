"""Page-numbered results, shared by every listing (API, admin, scripts)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core import signing

from langportal.errors import InvalidInput, NotFound

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100


class PageOutOfRange(NotFound):
    code = "page_out_of_range"
    default_message = "There is no such page."


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)


def offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def page_of(items: list, *, page: int, per_page: int, total: int) -> Page:
    """A page of results; pages past the last one do not exist (page 1 always does)."""
    result = Page(items, page, per_page, total)
    if page > max(result.total_pages, 1):
        raise PageOutOfRange(
            f"Page {page} is past the last page ({result.total_pages}).",
            details={"total_pages": result.total_pages},
        )
    return result


# --- cursors: where a query-backed listing goes on -----------------------------------

CURSOR_SALT = "langportal.paging.cursor"


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    default_message = "The cursor is not one this listing gave out."


def cursor_encode(key: dict | None, *, scope: str) -> str | None:
    """An opaque, signed token for DynamoDB's LastEvaluatedKey, bound to one listing."""
    return signing.dumps({"scope": scope, "key": key}, salt=CURSOR_SALT, compress=True) if key else None


def cursor_decode(value: str | None, *, scope: str) -> dict | None:
    if not value:
        return None
    try:
        data = signing.loads(value, salt=CURSOR_SALT)
    except signing.BadSignature as error:
        raise InvalidCursor(details={"cursor": ["Invalid cursor."]}) from error
    if data.get("scope") != scope:
        raise InvalidCursor(details={"cursor": ["This cursor belongs to another listing."]})
    return data["key"]
