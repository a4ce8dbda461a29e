"""The xAPI store in the Django admin, for administrators only (teachers get a 403): the
Basic credentials of the tools that use it, and the rules forwarding its statements to
other stores. The data lives in DynamoDB, so these are admin views added to the site
(langportal.admin_site) with its look, sign-in and CSRF checks, calling xapi's services."""

from __future__ import annotations

from django.urls import path

from xapi.admin.credentials import credential_revoke, credentials_page


def urls(site) -> list:
    return [
        path("xapi/credentials/", site.admin_view(credentials_page), name="xapi_credentials"),
        path("xapi/credentials/<str:key>/revoke/", site.admin_view(credential_revoke), name="xapi_credential_revoke"),
    ]
