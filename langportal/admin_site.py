"""The admin site: Django's, signing teachers in with Cognito, with our own pages added.

Vocabulary and study records live in DynamoDB, not in Django models, so their pages
are admin views (each app's admin.urls) listed on the index like models would be.
"""

from __future__ import annotations

import functools
import logging
from http import HTTPStatus

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts import admin_access, second_factor
from accounts.forms import CognitoLoginForm
from langportal.errors import DomainError

logger = logging.getLogger(__name__)


def error_headers(error: DomainError) -> dict[str, str]:
    """The headers an answer to `error` carries: Retry-After when it says when to retry."""
    return {"Retry-After": str(error.retry_after)} if error.retry_after else {}


def _entry(name: str, url: str, add_url: str | None = None) -> dict:
    return {
        "name": name,
        "object_name": name.replace(" ", ""),
        "admin_url": url,
        "add_url": add_url,
        "view_only": add_url is None,
        "perms": {"add": add_url is not None, "change": True, "delete": True, "view": True},
    }


class AdminSite(admin.AdminSite):
    site_header = "langportal"
    site_title = "langportal admin"
    index_title = "Vocabulary and study records"
    login_form = CognitoLoginForm

    def admin_view(self, view, cacheable=False):
        """Django's wrapper (sign-in, CSRF, no caching), answering our errors with the error
        page: those of the view, and those of the sign-in check (a session or Cognito down)."""
        wrapped = super().admin_view(view, cacheable)

        @functools.wraps(wrapped)
        def answering_errors(request, *args, **kwargs):
            try:
                return wrapped(request, *args, **kwargs)
            except DomainError as error:
                return self.error_page(request, error)

        return answering_errors

    def login(self, request, extra_context=None):
        """Django's sign-in page, going on to a one-time code when the password was right."""
        return self._signing_in(super().login, request, extra_context)

    def login_code(self, request):
        return self._signing_in(second_factor.code, request, self)

    def login_setup(self, request):
        return self._signing_in(second_factor.setup, request, self)

    def _signing_in(self, view, request, *args):
        try:
            return view(request, *args)
        except second_factor.Needed as needed:
            return second_factor.begin(request, needed)
        except DomainError as error:  # too many failures (429), Cognito or the sessions down (503)
            admin_access.drawn_for_nobody(request)
            return self.error_page(request, error)

    def has_permission(self, request) -> bool:
        """A teacher whom Cognito still knows as one (asked again when it is due)."""
        return admin_access.still_staff(request)

    def error_page(self, request, error: DomainError) -> TemplateResponse:
        """The admin's page for an error a service raised, with its status."""
        if error.status >= 500:
            logger.warning(
                "%s %s answered %d: %s (cause: %r)",
                request.method,
                request.path,
                error.status,
                error.message,
                error.__cause__,
            )
        return TemplateResponse(
            request,
            "admin/error.html",
            {**self.each_context(request), "title": HTTPStatus(error.status).phrase, "error": error},
            status=error.status,
            headers=error_headers(error),
        )

    def get_urls(self):
        from langportal.jobs import admin as jobs_admin
        from lrs import admin as lrs_admin
        from vocabulary import admin as vocabulary_admin
        from xapi import admin as xapi_admin

        sign_in = [
            path("login/code/", csrf_protect(never_cache(self.login_code)), name="login_code"),
            path("login/setup/", csrf_protect(never_cache(self.login_setup)), name="login_setup"),
        ]
        # Ours first: Django's list ends in a catch-all that answers 404.
        ours = vocabulary_admin.urls(self) + lrs_admin.urls(self) + jobs_admin.urls(self) + xapi_admin.urls(self)
        return sign_in + ours + super().get_urls()

    def get_app_list(self, request, app_label=None):
        ours = [
            {
                "name": "Vocabulary",
                "app_label": "vocabulary",
                "app_url": reverse("admin:vocabulary_words"),
                "has_module_perms": True,
                "models": [
                    _entry("Words", reverse("admin:vocabulary_words"), reverse("admin:vocabulary_word_add")),
                    _entry("Groups", reverse("admin:vocabulary_groups")),
                    _entry("Import words", reverse("admin:vocabulary_import")),
                ],
            },
            {
                "name": "Study records",
                "app_label": "lrs",
                "app_url": reverse("admin:lrs_dashboard"),
                "has_module_perms": True,
                "models": [
                    _entry("Statistics", reverse("admin:lrs_dashboard")),
                    _entry("Students", reverse("admin:lrs_students")),
                ],
            },
            {
                "name": "Jobs",
                "app_label": "jobs",
                "app_url": reverse("admin:jobs"),
                "has_module_perms": True,
                "models": [_entry("Imports, exports and erasures", reverse("admin:jobs"))],
            },
        ]
        if request.user.is_superuser:  # the xAPI store's pages are for administrators only
            ours.append(
                {
                    "name": "xAPI store",
                    "app_label": "xapi",
                    "app_url": reverse("admin:xapi_credentials"),
                    "has_module_perms": True,
                    "models": [
                        _entry("Credentials", reverse("admin:xapi_credentials")),
                        _entry("Forwarding", reverse("admin:xapi_forwarding"), reverse("admin:xapi_forwarding_add")),
                    ],
                }
            )
        apps = [app for app in ours if app_label in (None, app["app_label"])]
        return apps + super().get_app_list(request, app_label)
