"""The attacks we know of that the stack itself must close, each checked as a test on
what terraform/*.tf deploys (docs/security.md maps each to its defence).

- A Lambda, if compromised, must not be able to read the secret key: neither its
  environment nor its role gives it access.
- The load balancer must have no plain-HTTP listener, and API Gateway must check its
  certificate; the user pool must offer TOTP and run threat protection.
"""

from __future__ import annotations

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from .conftest import ROOT

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
    assert len(functions) == 4
    for function in functions.values():
        variables = function["environment"][0]["variables"]
        environment = locals_[variables.removeprefix("${local.").removesuffix("}")]
        assert not [name for name in environment if "SECRET" in name]
        assert not [value for value in environment.values() if "secret" in value.lower()]


@pytest.mark.parametrize("role", ["media_lambda", "streaks_lambda", "jobs_lambda"])
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
