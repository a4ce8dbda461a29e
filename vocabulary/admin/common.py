"""What every vocabulary page of the admin shares: the site's context, pages and the
paginator, the history table, why a service refused a POST, and uploads held to the API's
size limits."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict

from django.conf import settings
from django.contrib import admin
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from langportal.admin_site import error_headers
from langportal.api.uploads import SizeLimitUploadHandler, check_content_length
from langportal.errors import DomainError, InvalidInput
from langportal.ids import is_ulid
from langportal.paging import PER_PAGE_MAX, Page
from vocabulary import services


def context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def history(request, read: Callable[..., list], summary: Callable[[dict], str]) -> dict:
    """A page of audit events as the history table shows them, newest first, each side of
    a change in a few words: PER_PAGE events older than `?history_before=` (an event's
    id), with the link to the older ones when there are more."""
    before = request.GET.get("history_before")
    if before is not None and not is_ulid(before):
        raise InvalidInput("history_before must be the id of a change.")
    events = read(limit=PER_PAGE + 1, before=before)
    query = request.GET.copy()
    query.pop("history_before", None)
    newest = f"?{query.urlencode()}#history" if before else None
    older = None
    if len(events) > PER_PAGE:
        query["history_before"] = events[PER_PAGE - 1].id
        older = f"?{query.urlencode()}#history"

    def describe(record: dict | None) -> str:
        return summary(record) if record else ""

    shown = [asdict(event) | {"before": describe(event.before), "after": describe(event.after)} for event in events]
    return {"events": shown[:PER_PAGE], "older": older, "newest": newest}


PER_PAGE = 50  # what a listing page of the admin shows
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def every_page(read: Callable[..., Page], **query) -> Iterator[Page]:
    """Every page of a `services.*_list` listing, from the first to the last, for what must
    hold all of it (choices, exports), however many pages that is."""
    number = 1
    while True:
        page = read(page=number, per_page=PER_PAGE_MAX, **query)
        yield page
        if number >= page.total_pages:
            return
        number += 1


def groups_all() -> list:
    return [group for page in every_page(services.groups_list) for group in page.items]


def page_number(request) -> int:
    """The page asked for (`?p=`, 1 when none); InvalidInput (400) when it is no page number."""
    number = request.GET.get("p") or "1"
    if not PAGE_NUMBER.fullmatch(number):
        raise InvalidInput("The page must be a positive whole number.")
    return int(number)


def page_links(request, page: Page | None) -> list[tuple[int | None, str | None]]:
    """The paginator: (number, link) for the first, the last and the pages around the
    current one, whose link is None; (None, None) where pages are left out. Each link
    keeps the rest of the query (order, filter)."""
    if page is None or page.total_pages <= 1:
        return []
    wanted = {1, page.total_pages, *range(page.page - 2, page.page + 3)}
    links, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= page.total_pages):
        if number - previous > 1:
            links.append((None, None))
        links.append((number, None if number == page.page else _page_url(request, number)))
        previous = number
    return links


def _page_url(request, number: int) -> str:
    query = request.GET.copy()
    query["p"] = str(number)
    return f"?{query.urlencode()}"


def refusal(error: DomainError | None) -> dict:
    """Status and headers of a page that shows why a service refused a POST (200 if none did)."""
    return {"status": error.status, "headers": error_headers(error)} if error else {}


def bounded_upload(limit: Callable[[], int], files: int = 1):
    """A view whose uploads are held to POST /api/words/upload's rule: a body that says it
    is larger than `files` files of `limit()` bytes is refused unread (413), and a file is
    cut off (413) as soon as its bytes, counted while they stream in, pass the limit."""

    def decorate(view):
        protected = csrf_protect(view)

        # The CSRF check reads the form, so it comes after the upload handlers are in place.
        @csrf_exempt
        @functools.wraps(view)
        def bounded(request, *args, **kwargs):
            if request.method == "POST":
                max_bytes = limit()
                check_content_length(request.META, max_bytes, files=files)
                request.upload_handlers.insert(0, SizeLimitUploadHandler(max_bytes, request))
            return protected(request, *args, **kwargs)

        return bounded

    return decorate


def media_limit() -> int:
    return settings.MEDIA_MAX_UPLOAD_BYTES


def import_limit() -> int:
    return settings.IMPORT_MAX_BYTES
