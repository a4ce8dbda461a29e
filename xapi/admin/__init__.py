"""The xAPI store in the Django admin, for administrators only (teachers get a 403): the
Basic credentials of the tools that use it, and the rules forwarding its statements to
other stores. The data lives in DynamoDB, so these are admin views added to the site
(langportal.admin_site) with its look, sign-in and CSRF checks, calling xapi's services."""

from __future__ import annotations

from django.urls import path

from xapi.admin.credentials import credential_revoke, credentials_page
from xapi.admin.forwarding import (
    forwarding_add,
    forwarding_delete,
    forwarding_list,
    forwarding_pause,
    forwarding_resume,
)


def urls(site) -> list:
    return [
        path("xapi/credentials/", site.admin_view(credentials_page), name="xapi_credentials"),
        path("xapi/credentials/<str:key>/revoke/", site.admin_view(credential_revoke), name="xapi_credential_revoke"),
        path("xapi/forwarding/", site.admin_view(forwarding_list), name="xapi_forwarding"),
        path("xapi/forwarding/add/", site.admin_view(forwarding_add), name="xapi_forwarding_add"),
        path("xapi/forwarding/<str:rule_id>/pause/", site.admin_view(forwarding_pause), name="xapi_forwarding_pause"),
        path(
            "xapi/forwarding/<str:rule_id>/resume/", site.admin_view(forwarding_resume), name="xapi_forwarding_resume"
        ),
        path(
            "xapi/forwarding/<str:rule_id>/delete/", site.admin_view(forwarding_delete), name="xapi_forwarding_delete"
        ),
    ]
