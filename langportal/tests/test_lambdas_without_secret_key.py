"""The Lambda handlers run with the environment terraform gives them: no secret key;
the web server alone refuses to start without one.

Each handler runs in a process of its own, started as Lambda starts it (the settings
module of the Dockerfile's lambda stage, no DJANGO_SECRET_KEY, no
DJANGO_SECRET_KEY_PARAMETER), against moto's server over the `aws` fixture's account.
"""

import io
import json
import os
import runpy
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from langportal.local.emulator import Emulator
from langportal.secrets import secret_from_ssm
from lrs import repositories as lrs_repo
from lrs import services as lrs
from vocabulary import repositories as vocabulary_repo
from vocabulary.tests import samples
from xapi.tests.target_lrs import a_statement

ROOT = Path(__file__).resolve().parents[2]

# Imports the handler, then calls it with the event and a context that gives the time
# left (a minute): what Lambda's Python runtime does.
INVOKE = """
import importlib, json, sys
class Context:
    def get_remaining_time_in_millis(self):
        return 60_000
module, name = sys.argv[1].rsplit(".", 1)
print(json.dumps(getattr(importlib.import_module(module), name)(json.loads(sys.argv[2]), Context())))
"""


@pytest.fixture
def emulator(aws):
    """moto's server, sharing the in-process backends of `aws`: another process sees its data."""
    server = Emulator(port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def invoke(emulator, tmp_path):
    """Run a handler in a fresh interpreter with a Lambda's environment; its answer, decoded."""

    def run(handler: str, event: dict, **variables: str):
        environment = {
            "PATH": os.environ["PATH"],
            "LANGPORTAL_ENV_FILE": "",
            # The Dockerfile's lambda stage.
            "DJANGO_SETTINGS_MODULE": "langportal.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_PROCESSING": "lambda",
            # Lambda's own: the region and the role's credentials.
            "AWS_REGION": settings.AWS_REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": emulator.endpoint,
            **variables,  # terraform's
        }
        result = subprocess.run(
            [sys.executable, "-c", INVOKE, handler, json.dumps(event)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.splitlines()[-1])

    return run


def test_no_parameter_means_no_key_and_no_call():
    assert secret_from_ssm("", region="us-east-1") == ""


def test_media_lambda_processes_an_upload_without_a_secret_key(invoke, teacher_api, words, settings):
    settings.MEDIA_PROCESSING = "lambda"
    file = io.BytesIO(samples.image("PNG", (300, 100)))
    file.name = "a.png"
    assert teacher_api.post("/api/words/upload", {"file": file, "word_id": "1"}, format="multipart").status_code == 201
    key = vocabulary_repo.word_get("1").image_key
    event = {"Records": [{"s3": {"bucket": {"name": settings.MEDIA_BUCKET}, "object": {"key": key}}}]}

    answer = invoke(
        "vocabulary.lambdas.process_media",
        event,
        DYNAMODB_TABLE_PREFIX=settings.DYNAMODB_TABLE_PREFIX,
        MEDIA_BUCKET=settings.MEDIA_BUCKET,
    )

    assert answer == {key: "processed"}
    word = vocabulary_repo.word_get("1")
    assert (word.image_width, word.image_height) == (300, 100)
    assert word.thumbnail_key is not None


def test_streak_lambda_resets_a_broken_streak_without_a_secret_key(invoke, words, settings):
    caller = SimpleNamespace(sub="lapsed", is_teacher=False)
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    session = lrs.session_start(caller=caller, group_id=words["greetings"].id, activity="quiz", now=three_days_ago)
    lrs.review_record(caller=caller, session_id=session.id, word_id="1", correct=True, now=three_days_ago)
    assert lrs_repo.student_get("lapsed").current_streak == 1

    answer = invoke(
        "lrs.lambdas.reset_streaks", {"source": "aws.events"}, DYNAMODB_TABLE_PREFIX=settings.DYNAMODB_TABLE_PREFIX
    )

    assert answer == {"reset": 1}
    assert lrs_repo.student_get("lapsed").current_streak == 0


def test_periodic_lambda_forwards_statements_without_a_secret_key(invoke, make_rule, store, target, settings):
    make_rule()
    [sent] = store(a_statement())

    answer = invoke(
        "langportal.jobs.lambdas.run_periodic",
        {"source": "aws.events", "detail-type": "Scheduled Event"},
        DYNAMODB_TABLE_PREFIX=settings.DYNAMODB_TABLE_PREFIX,
        MEDIA_BUCKET=settings.MEDIA_BUCKET,
    )

    assert answer == {"xapi_forwarding": {"forwarded": 1, "failed": 0}}
    assert target.batches == [[sent]]


def test_the_web_server_refuses_to_start_without_a_secret_key(settings):
    """The web app signs sessions and CSRF tokens: gunicorn stops before serving."""
    settings.SECRET_KEY = ""
    on_starting = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["on_starting"]
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        on_starting(None)
