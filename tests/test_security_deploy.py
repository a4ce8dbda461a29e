"""Attacks on the deployment, each refused with nothing changed.

- Plain HTTP must never be served in production, whatever proxy headers a client forges:
  it is redirected to HTTPS, and a write sent over it is not performed. The one header
  trusted, X-Forwarded-Proto, is set by the load balancer's HTTPS listener on every request.
- The redirect must not become a loop: what the HTTPS listener forwards is served, with HSTS.
- The health checks' exemption from the redirect must cover their two paths exactly.
- A redirect must never send a browser to a host the client chose.
- A Lambda, if compromised, must not be able to read the secret key: neither its
  environment nor its role gives it access.
- The load balancer must have no plain-HTTP listener, and API Gateway must check its
  certificate; the user pool must offer TOTP and run threat protection.

The settings are the production ones, made by langportal/settings.py from the
environment terraform gives the instances.
"""

import runpy
from pathlib import Path

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from vocabulary import repositories as vocabulary_repo

ROOT = Path(__file__).resolve().parents[1]
HOST = "api.example.com"
HSTS = "max-age=31536000; includeSubDomains"
THROUGH_THE_LOAD_BALANCER = {"HTTP_X_FORWARDED_PROTO": "https"}

TERRAFORM = [
    hcl2.load(path.open(), serialization_options=SerializationOptions(strip_string_quotes=True, with_comments=False))
    for path in sorted((ROOT / "terraform").glob("*.tf"))
]


def terraform(kind: str, type_: str) -> dict:
    """Every `kind` block ("resource", "data") of one type in terraform/*.tf, by name."""
    return {
        name: body
        for module in TERRAFORM
        for block in module.get(kind, [])
        for name, body in block.get(type_, {}).items()
    }


def terraform_variable(name: str) -> dict:
    return next(block[name] for module in TERRAFORM for block in module.get("variable", []) if name in block)


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


# --- HTTPS --------------------------------------------------------------------------


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
    before = vocabulary_repo.word_get("1")
    response = teacher_api.patch("/api/words/1", {"english": "hi"}, format="json", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/words/1"
    assert vocabulary_repo.word_get("1") == before


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


# --- the stack (terraform) ----------------------------------------------------------


def test_the_load_balancer_speaks_only_https_and_api_gateway_checks_its_certificate():
    listeners = terraform("resource", "aws_lb_listener")
    assert listeners and {listener["protocol"] for listener in listeners.values()} == {"HTTPS"}
    assert all(listener["ssl_policy"].startswith("ELBSecurityPolicy-TLS13-") for listener in listeners.values())
    integration = terraform("resource", "aws_apigatewayv2_integration")["alb"]
    assert integration["integration_uri"] == "${aws_lb_listener.https.arn}"
    assert integration["tls_config"][0]["server_name_to_verify"] == "${var.alb_server_name}"


def test_no_lambda_environment_holds_or_names_the_secret_key():
    functions = terraform("resource", "aws_lambda_function")
    locals_ = {
        name: value for module in TERRAFORM for block in module.get("locals", []) for name, value in block.items()
    }
    assert len(functions) == 2
    for function in functions.values():
        variables = function["environment"][0]["variables"]
        environment = locals_[variables.removeprefix("${local.").removesuffix("}")]
        assert not [name for name in environment if "SECRET" in name]
        assert not [value for value in environment.values() if "secret" in value.lower()]


@pytest.mark.parametrize("role", ["media_lambda", "streaks_lambda"])
def test_no_lambda_role_can_read_the_secret_key(role):
    statements = terraform("data", "aws_iam_policy_document")[role]["statement"]
    actions = [action for statement in statements for action in statement["actions"]]
    assert not [action for action in actions if action.startswith(("ssm:", "secretsmanager:"))]
    assert not [statement for statement in statements if "secret_key" in str(statement["resources"])]
    for statement in statements:  # KMS only on S3's behalf: the media bucket's key
        if any(action.startswith("kms:") for action in statement["actions"]):
            assert statement["condition"][0]["values"] == ["${local.kms_via_s3}"]


def test_the_user_pool_offers_totp_and_runs_threat_protection():
    pool = terraform("resource", "aws_cognito_user_pool")["main"]
    assert pool["mfa_configuration"] in ("OPTIONAL", "ON")
    assert pool["software_token_mfa_configuration"][0]["enabled"] is True
    assert pool["user_pool_add_ons"][0]["advanced_security_mode"] == "${var.advanced_security_mode}"
    assert terraform_variable("advanced_security_mode")["default"] == "ENFORCED"
