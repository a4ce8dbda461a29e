"""The attacks we know of on the deployment's HTTPS, each tried as a test that asserts the
refusal and that nothing changed (docs/security.md maps each to its defence).

- Plain HTTP must never be served in production, whatever proxy headers a client forges:
  it is redirected to HTTPS, and a write sent over it is not performed. The one header
  trusted, X-Forwarded-Proto, is set by the load balancer's HTTPS listener on every request.
- The redirect must not become a loop: what the HTTPS listener forwards is served, with HSTS.
- The health checks' exemption from the redirect must cover their two paths exactly.
- A redirect must never send a browser to a host the client chose.

The settings are the production ones, made by langportal/settings.py from the
environment terraform gives the instances.
"""

from __future__ import annotations

import runpy

import pytest

from vocabulary import repositories as repo

from .conftest import ROOT

HOST = "api.example.com"
HSTS = "max-age=31536000; includeSubDomains"
THROUGH_THE_LOAD_BALANCER = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def production(settings, monkeypatch):
    """The HTTPS settings langportal/settings.py makes of the instances' environment."""
    for name, value in {
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_COOKIES": "true",
        "DJANGO_SSL_REDIRECT": "true",
        "DJANGO_HSTS_SECONDS": "31536000",
    }.items():
        monkeypatch.setenv(name, value)
    made = runpy.run_path(str(ROOT / "langportal" / "settings.py"))
    for name in [name for name in made if name.startswith("SECURE_")] + ["ALLOWED_HOSTS"]:
        setattr(settings, name, made[name])
    return settings


def test_a_request_through_the_https_listener_is_served_with_hsts(production, client):
    response = client.get("/api/schema/", HTTP_HOST=HOST, **THROUGH_THE_LOAD_BALANCER)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == HSTS


def test_plain_http_is_redirected_to_https_and_the_redirect_is_served(production, client):
    response = client.get("/api/schema/?lang=en", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/schema/?lang=en"
    assert "Strict-Transport-Security" not in response

    followed = client.get(response["Location"], HTTP_HOST=HOST, **THROUGH_THE_LOAD_BALANCER)
    assert followed.status_code == 200  # not another redirect: no loop
    assert followed["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize(
    "forged",
    [
        {"HTTP_X_FORWARDED_PROTO": "http"},
        {"HTTP_X_FORWARDED_PROTO": "HTTPS"},
        {"HTTP_X_FORWARDED_PROTO": "http, https"},
        {"HTTP_X_FORWARDED_SSL": "on"},
        {"HTTP_X_FORWARDED_SCHEME": "https"},
        {"HTTP_X_FORWARDED_PROTOCOL": "https"},
        {"HTTP_FORWARDED": "proto=https"},
        {"HTTP_FRONT_END_HTTPS": "on"},
        {"HTTP_X_URL_SCHEME": "https"},
        {"HTTP_X_FORWARDED_PORT": "443"},
    ],
)
def test_forged_proxy_headers_do_not_pass_plain_http_for_https(production, client, forged):
    response = client.get("/api/schema/", HTTP_HOST=HOST, **forged)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/schema/"


def test_a_write_over_plain_http_is_redirected_and_not_performed(production, teacher_api, words):
    before = repo.word_get("1")
    response = teacher_api.patch("/api/words/1", {"english": "hi"}, format="json", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/words/1"
    assert repo.word_get("1") == before


def test_health_checks_over_plain_http_are_answered(production, client, aws):
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 200, path


@pytest.mark.parametrize("path", ["/healthz/", "/healthzz", "/api/healthz", "/healthz%0A", "/readyz%0A"])
def test_the_health_check_exemption_covers_nothing_else(production, client, path):
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"].startswith(f"https://{HOST}/")


def test_a_redirect_never_leads_to_a_host_the_client_chose(production, client):
    response = client.get("/api/schema/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Location" not in response
