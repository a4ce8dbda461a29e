"""A deployment check: the store's IRI must be its public one before the first statement.

Our words' and groups' activity ids and our credentials' accounts are named under
XAPI_IRI, and statements are immutable: a store deployed with the local default names
its activities after a loopback address for the life of the data.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_public_iri(iri: str) -> bool:
    """An https IRI of a host that is neither a loopback name nor a loopback address."""
    parts = urlsplit(iri)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host in LOOPBACK_NAMES:
        return False
    try:
        return not ip_address(host).is_loopback
    except ValueError:  # a host name
        return True


@checks.register(checks.Tags.security, deploy=True)
def xapi_iri_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if is_public_iri(settings.XAPI_IRI):
        return []
    return [
        checks.Warning(
            f"XAPI_IRI is {settings.XAPI_IRI!r}, not a public https URL.",
            hint=(
                "Set XAPI_IRI to the public URL of /xapi (terraform sets the API's by default) "
                "before the first statement is stored, and keep it: activity ids are named under it."
            ),
            id="xapi.W001",
        )
    ]
