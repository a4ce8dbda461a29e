"""Page-numbered results, shared by every listing (API, admin, scripts)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from langportal.errors import NotFound

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

    @property
    def offset(self) -> int:
        return offset(self.page, self.per_page)


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
