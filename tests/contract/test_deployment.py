"""The deployment description against the code: tables, Lambda handlers, settings, image."""

import importlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest

from langportal.storage.dynamo import table_models
from langportal.terraform import OUTPUT, resource_name, tables_json

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"


def unquoted(value):
    """python-hcl2 keeps the quotes of labels and strings; drop them."""
    if isinstance(value, dict):
        return {unquoted(key): unquoted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unquoted(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parsed(path: Path) -> dict:
    with path.open() as handle:
        return unquoted(hcl2.load(handle))


def blocks(kind: str) -> dict:
    """Every resource of one type across terraform/*.tf, by name."""
    found = {}
    for path in TERRAFORM.glob("*.tf"):
        for resource in parsed(path).get("resource", []):
            found.update(resource.get(kind, {}))
    return found


def test_the_tables_are_generated_from_the_models():
    assert OUTPUT.read_text() == tables_json(), "Run `make tables` and commit terraform/dynamodb.tf.json."


def test_every_table_matches_its_model():
    tables = json.loads(OUTPUT.read_text())["resource"]["aws_dynamodb_table"]
    assert set(tables) == {resource_name(model) for model in table_models()}
    for model in table_models():
        table, schema = tables[resource_name(model)], model._get_schema()
        key = {part["KeyType"]: part["AttributeName"] for part in schema["key_schema"]}
        assert (table["hash_key"], table.get("range_key")) == (key["HASH"], key.get("RANGE"))
        declared = {
            (attribute["AttributeName"], attribute["AttributeType"]) for attribute in schema["attribute_definitions"]
        }
        assert {(attribute["name"], attribute["type"]) for attribute in table["attribute"]} == declared
        indexes = {index["name"] for index in table.get("global_secondary_index", [])}
        assert indexes == {index["index_name"] for index in schema["global_secondary_indexes"]}
        assert table["billing_mode"] == "PAY_PER_REQUEST" and table["point_in_time_recovery"] == {"enabled": True}


def test_every_lambda_handler_named_in_terraform_exists():
    functions = blocks("aws_lambda_function")
    assert len(functions) == 4
    for function in functions.values():
        config = function["image_config"]
        command = (config[0] if isinstance(config, list) else config)["command"]
        module, name = command[0].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name)), command


def test_the_jobs_queue_feeds_the_jobs_lambda_one_job_at_a_time():
    """A run that is cut re-sends its message and reports a held job as a failed item:
    the mapping must pass the handler's answer on, and a message must stay hidden for as
    long as a run may last, or a second run would find the job held and fail it."""
    (mapping,) = blocks("aws_lambda_event_source_mapping").values()
    function, queue = blocks("aws_lambda_function")["run_jobs"], blocks("aws_sqs_queue")["jobs"]
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"] and mapping["batch_size"] == 1
    assert queue["visibility_timeout_seconds"] > function["timeout"]


def test_exports_expire_after_their_days():
    """An export's file lies in S3 after its job; the lifecycle rule removes it."""
    (lifecycle,) = blocks("aws_s3_bucket_lifecycle_configuration").values()
    rules = [rule for rule in lifecycle["rule"] if rule.get("filter") and rule["filter"][0].get("prefix") == "exports/"]
    assert len(rules) == 1 and rules[0]["status"] == "Enabled"
    assert rules[0]["expiration"][0]["days"] == "${var.exports_expiration_days}"


def test_every_file_parses_and_every_variable_is_described():
    for path in TERRAFORM.glob("*.tf"):
        for variable in parsed(path).get("variable", []):
            for name, body in variable.items():
                assert body.get("description"), f"variable {name} in {path.name} has no description"


def test_no_account_ids_keys_or_secrets_in_terraform():
    for path in [*TERRAFORM.glob("*.tf"), TERRAFORM / "terraform.tfvars.example"]:
        text = path.read_text()
        assert not re.search(r"\b\d{12}\b", text), f"an account id in {path.name}?"
        assert not re.search(r"AKIA[0-9A-Z]{16}", text), f"an access key in {path.name}?"


def instance_environment() -> dict[str, str]:
    """The app's environment on the instances (terraform's app_environment), where it does
    not depend on AWS: literal values and variables' defaults."""
    defaults = {
        name: body.get("default")
        for path in TERRAFORM.glob("*.tf")
        for variable in parsed(path).get("variable", [])
        for name, body in variable.items()
    }
    environment = {}
    for name, value in parsed(TERRAFORM / "locals.tf")["locals"][0]["app_environment"].items():
        variable = re.fullmatch(r"\$\{(?:tostring\()?var\.(\w+)\)?\}", value)
        if "${" not in value:
            environment[name] = value
        elif variable and defaults.get(variable[1]) is not None:
            environment[name] = str(defaults[variable[1]])
    return environment


def test_check_deploy_with_the_instances_environment_is_clean():
    environment = {
        **instance_environment(),
        "PATH": os.environ["PATH"],
        "LANGPORTAL_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # from SSM, at boot
        "DJANGO_ALLOWED_HOSTS": "api.example.com",  # the API's host, known once applied
        "XAPI_IRI": "https://api.example.com/xapi",  # the API's URL, known once applied
        "DATABASE_URL": "sqlite:////tmp/langportal-check.sqlite3",
    }
    assert {"DJANGO_SECURE_COOKIES", "DJANGO_SSL_REDIRECT", "DJANGO_HSTS_SECONDS"} <= set(environment)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_xapi_store_is_named_after_the_apis_url_unless_an_iri_is_given():
    environment = parsed(TERRAFORM / "locals.tf")["locals"][0]["app_environment"]
    assert environment["XAPI_IRI"] == '${coalesce(var.xapi_iri, "${aws_apigatewayv2_api.main.api_endpoint}/xapi")}'
    assert environment["XAPI_CORS_ALLOWED_ORIGINS"] == '${join(",", var.xapi_cors_allowed_origins)}'


def test_the_lambdas_environments_hold_no_secret():
    environments = parsed(TERRAFORM / "locals.tf")["locals"][0]
    for name, function in blocks("aws_lambda_function").items():
        reference = function["environment"][0]["variables"]
        environment = environments[reference.removeprefix("${local.").removesuffix("}")]
        assert environment, name
        assert not [variable for variable in environment if variable.startswith("DJANGO_SECRET_KEY")], name


@pytest.mark.parametrize("path", [".venv", "var", ".env", "test-artifacts"])
def test_the_image_leaves_out_local_state(path):
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert path in ignored


def policy_statements(document: str) -> dict[str, dict]:
    """The statements of one aws_iam_policy_document in terraform/iam.tf, by sid."""
    for block in parsed(TERRAFORM / "iam.tf")["data"]:
        documents = block.get("aws_iam_policy_document", {})
        if document in documents:
            return {statement["sid"]: statement for statement in documents[document]["statement"]}
    raise KeyError(document)


def local_tables(name: str) -> set[str]:
    """The resource names of a list of tables in terraform/locals.tf."""
    listed = parsed(TERRAFORM / "locals.tf")["locals"][0][name]
    return {reference.removeprefix("${aws_dynamodb_table.").removesuffix("}") for reference in listed}


def test_the_jobs_lambda_may_do_what_an_erasure_does(words, make_caller, dynamodb_requests):
    """An erasure run as the jobs Lambda runs it: every table it names is one of the jobs'
    tables, every table it scans may be scanned, and its plan's file may be written, read
    and deleted."""
    from ai_hints import services as hints
    from langportal.idempotency import Idempotency
    from langportal.jobs import services as jobs
    from lrs import services as lrs
    from lrs.jobs import erasure
    from vocabulary import services as vocabulary
    from xapi.repositories import documents as xapi_documents

    student = make_caller("student-sub", username="aiko")
    key = Idempotency.of(user_id=student.sub, key="start-1", operation="session_start", arguments={})
    session = lrs.session_start(caller=student, group_id=words["greetings"].id, activity="quiz", idempotency=key)
    lrs.review_record(caller=student, session_id=session.id, word_id=words["words"][0].id, correct=False)
    hints.rate_check(user_id=student.sub, now=session.started_at)
    vocabulary.word_create(japanese="猫", english="cat", actor="aiko")
    dynamodb_requests.sent.clear()
    job = erasure.erasure_job_start(caller=make_caller("teacher-sub", is_teacher=True), user_id=student.sub, actor="t")
    assert jobs.job_run(job.id, seconds=60).counts["audit entries anonymised"] == 1
    by_table = {resource_name(model): dynamodb_requests.naming(model.Meta.table_name) for model in table_models()}
    assert {table for table, operations in by_table.items() if operations} <= local_tables("jobs_tables")
    scanned = {table for table, operations in by_table.items() if "Scan" in operations}
    assert scanned == local_tables("erasure_scanned_tables") == {"audit", "idempotency_keys", "rate_counters"}
    for document in ("jobs_lambda", "app"):
        scans = policy_statements(document)["ErasureScans"]
        assert scans["actions"] == ["dynamodb:Scan"] and "local.erasure_scanned_tables" in scans["resources"]
    files = policy_statements("jobs_lambda")["ErasureFiles"]
    assert set(files["actions"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert files["resources"] == ["${aws_s3_bucket.media.arn}/erasures/*"]
    documents = policy_statements("jobs_lambda")["ErasureXapiDocuments"]
    assert documents["actions"] == ["s3:DeleteObject"]
    assert documents["resources"] == [f"${{aws_s3_bucket.media.arn}}/{xapi_documents.PREFIX}*"]


def test_an_eventbridge_schedule_runs_the_periodic_tasks_every_minute():
    function = blocks("aws_lambda_function")["run_periodic"]
    (command,) = function["image_config"][0]["command"]
    assert command == "langportal.jobs.lambdas.run_periodic"
    assert blocks("aws_cloudwatch_event_rule")["run_periodic"]["schedule_expression"] == "rate(1 minute)"
    target = blocks("aws_cloudwatch_event_target")["run_periodic"]
    assert target["arn"] == "${aws_lambda_function.run_periodic.arn}"
    permission = blocks("aws_lambda_permission")["periodic_from_events"]
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.run_periodic.arn}"
    assert function["role"] == "${aws_iam_role.jobs_lambda.arn}"
    logs = policy_statements("jobs_lambda")["Logs"]["resources"]
    assert '${aws_cloudwatch_log_group.main["periodic"].arn}:*' in logs


def test_the_periodic_lambda_may_do_what_the_forwarder_does(make_rule, store, target, dynamodb_requests):
    """A forwarding run, with a statement carrying an attachment: every table it names is
    one of the jobs' tables (the role the periodic function runs with), it scans none, and
    it reads attachments where the role may."""
    import hashlib
    from datetime import UTC, datetime, timedelta

    from xapi.services import forwarder, statements
    from xapi.services.attachments import PREFIX, Attachment
    from xapi.tests.target_lrs import TOOL, a_statement

    make_rule()
    content = b"a certificate"
    sha2 = hashlib.sha256(content).hexdigest()
    attachment = {"usageType": "https://example.com/c", "display": {"en": "c"}, "contentType": "text/plain"}
    statements.statements_store(
        [a_statement(attachments=[{**attachment, "length": len(content), "sha2": sha2}])],
        principal=TOOL,
        version="2.0.0",
        parts={sha2: Attachment(sha2, "text/plain", content)},
        now=datetime.now(UTC) - timedelta(seconds=5),
    )
    dynamodb_requests.sent.clear()
    assert forwarder.forwarding_run(seconds=30) == {"forwarded": 1, "failed": 0}
    by_table = {resource_name(model): dynamodb_requests.naming(model.Meta.table_name) for model in table_models()}
    assert {table for table, operations in by_table.items() if operations} <= local_tables("jobs_tables")
    assert not [table for table, operations in by_table.items() if "Scan" in operations]
    assert policy_statements("jobs_lambda")["ForwardedAttachments"]["resources"] == [
        f"${{aws_s3_bucket.media.arn}}/{PREFIX}*"
    ]
    assert (
        "local.periodic_lambda_environment"
        in blocks("aws_lambda_function")["run_periodic"]["environment"][0]["variables"]
    )


def test_the_app_may_scan_the_xapi_credentials_that_the_admin_lists(admin_browser, dynamodb_requests):
    assert admin_browser.get("/admin/xapi/credentials/").status_code == 200
    scanned = {
        resource_name(model) for model in table_models() if "Scan" in dynamodb_requests.naming(model.Meta.table_name)
    }
    assert scanned == {"xapi_credentials"}
    scans = policy_statements("app")["CredentialScans"]
    assert scans["actions"] == ["dynamodb:Scan"] and scans["resources"] == [
        "${aws_dynamodb_table.xapi_credentials.arn}"
    ]
