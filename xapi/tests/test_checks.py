"""`manage.py check --deploy` warns of a store named after a loopback or plain-http IRI."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from xapi.checks import xapi_iri_check


@pytest.mark.parametrize(
    "iri",
    [
        "http://127.0.0.1:8000/xapi",  # the local default
        "https://localhost/xapi",
        "https://[::1]/xapi",
        "http://lrs.school.example/xapi",  # public, but not https
        "not an IRI",
    ],
)
def test_a_store_named_after_a_local_or_plain_http_iri_fails_the_deployment_check(settings, iri):
    settings.XAPI_IRI = iri
    with pytest.raises(SystemCheckError, match=r"xapi\.W001"):
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")


@pytest.mark.parametrize("iri", ["https://lrs.school.example/xapi", "https://203.0.113.7/xapi"])
def test_a_public_https_iri_passes_it(settings, iri):
    settings.XAPI_IRI = iri
    assert xapi_iri_check(None) == []
