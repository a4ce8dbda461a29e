"""What every vocabulary page of the admin shares: the site's context, the history table,
why a service refused a POST, and uploads held to the API's size limits."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict

from django.conf import settings
from django.contrib import admin
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from langportal.admin_site import error_headers
from langportal.api.uploads import SizeLimitUploadHandler, check_content_length
from langportal.errors import DomainError
from vocabulary import services


def context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def history(events: list, summary: Callable[[dict], str]) -> list[dict]:
    """Audit events as the history table shows them: each side of a change in a few words."""

    def describe(record: dict | None) -> str:
        return summary(record) if record else ""

    return [asdict(event) | {"before": describe(event.before), "after": describe(event.after)} for event in events]


def groups_all() -> list:
    return services.groups_list(page=1, per_page=100).items


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
