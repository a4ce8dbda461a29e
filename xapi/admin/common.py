"""What the xAPI store's admin pages share: the site's context and the administrators' check."""

from __future__ import annotations

import functools

from django.contrib import admin

from xapi.services.access import require_administrator


def context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def administrators_only(view):
    """The view for administrators; a teacher gets the admin's 403 page."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        require_administrator(request.user)
        return view(request, *args, **kwargs)

    return checked
