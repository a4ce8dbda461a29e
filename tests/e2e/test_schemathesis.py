"""schemathesis against the real server: every operation of docs/openapi.yaml, with
valid and invalid data, as a teacher and as a student. No 5xx but a 503 with Retry-After
(the stack's DynamoDB is as busy as AWS may be), no response that breaks the document, no
status it does not list.

It runs on a stack of its own, since a teacher's fuzzing deletes and renames things.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, Stack, clean_environment, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("schemathesis")]

CHECKS = ",".join(
    (
        "only_503_with_retry_after",  # ours (schemathesis_checks.py): the strict stack may be busy
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
    )
)
EXAMPLES_PER_OPERATION = 15
# Health checks of the data generator, not of the API. Negative values for a plain string
# path parameter (`/api/progress/{user_id}`) are mostly impossible (every path segment is
# a string), so the generator filters many, more or fewer from run to run; and a busy CI
# machine can make generation "too slow". Neither says anything about the server.
GENERATOR_HEALTH_CHECKS_OFF = "filter_too_much,too_slow"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("fuzzed"), free_port(), free_port()).start()
    yield stack
    stack.stop()


@pytest.mark.parametrize("user", ["teacher", "student"])
def test_the_api_keeps_its_document(fuzzed, user, tmp_path):
    token = fuzzed.tokens(user)["id_token"]
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(ROOT / "docs" / "openapi.yaml"),
            "--url",
            fuzzed.url,
            "--header",
            f"Authorization: Bearer {token}",
            "--phases",
            "examples,fuzzing",
            "--mode",
            "all",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "20261125",
            "--workers",
            "2",
            "--generation-database",
            "none",
            "--suppress-health-check",
            GENERATOR_HEALTH_CHECKS_OFF,
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(ROOT / "test-artifacts" / f"schemathesis-{user}"),
        ],
        cwd=tmp_path,
        env=clean_environment(SCHEMATHESIS_HOOKS="tests.e2e.schemathesis_checks", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout
