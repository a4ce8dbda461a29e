"""The suite's root: an AWS account in moto provisioned like the local stack, a few words,
a hand-moved clock, and the run's hooks. The fixtures of each other concern live in
tests/fixtures/ and xapi/tests/, loaded here as plugins."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id
from moto import mock_aws

from accounts import authentication
from accounts.models import forget_users_seen
from langportal.local import indexes, provision, transactions
from vocabulary import services as vocabulary

pytest_plugins = [
    "tests.fixtures.admin",  # imports and exports made in the admin
    "tests.fixtures.bedrock",  # Bedrock's runtime on a local port
    "tests.fixtures.clients",  # users, their API clients and admin browsers
    "tests.fixtures.dynamodb",  # DynamoDB calls counted; the strict emulator layer
    "xapi.tests.fixtures",  # xAPI clients, for the study records' statements too
    "xapi.tests.target_lrs",  # another LRS to forward statements to
]

transactions.install()  # moto's decorators, like the local stack, undo a transaction item by item
indexes.install()  # and read only the items a query's key matches


@pytest.fixture
def aws(settings, tmp_path):
    """A fresh AWS account in moto, provisioned like the local stack."""
    settings.LOCAL_USERS_FILE = tmp_path / "local-users.json"
    with mock_aws():
        provision.tables_create()
        provision.bucket_create()
        provision.queue_create()
        pool = provision.user_pool_create()
        settings.COGNITO_USER_POOL_ID = pool.pool_id
        settings.COGNITO_APP_CLIENT_IDS = [pool.client_id]
        settings.COGNITO_ISSUER = f"https://cognito-idp.{settings.AWS_REGION}.amazonaws.com/{pool.pool_id}"
        settings.COGNITO_JWKS_URL = f"{settings.COGNITO_ISSUER}/.well-known/jwks.json"
        yield pool
    authentication.forget_key_sets()
    forget_users_seen()


@pytest.fixture
def words(aws):
    """Five words in two groups, created through the services as a teacher would."""
    greetings = vocabulary.group_create(name="Greetings")
    food = vocabulary.group_create(name="Food")
    created = [
        vocabulary.word_create(japanese="こんにちは", english="hello", group_ids=[greetings.id]),
        vocabulary.word_create(japanese="ありがとう", english="thank you", group_ids=[greetings.id]),
        vocabulary.word_create(japanese="水", kana="みず", english="water", group_ids=[food.id]),
        vocabulary.word_create(japanese="寿司", kana="すし", english="sushi", group_ids=[food.id, greetings.id]),
        vocabulary.word_create(japanese="学校", english="school"),
    ]
    return {"greetings": greetings, "food": food, "words": created}


class HandClock:
    """A monotonic clock that moves only when a test moves it: waits without sleeping."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def hand_clock() -> HandClock:
    return HandClock()


# --- the faults strict DynamoDB injected into the end-to-end stacks, in the run's summary ---

FAULTS_DIR = Path(__file__).resolve().parent / "test-artifacts" / "strict-faults"


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the run's controller, not an xdist worker
        shutil.rmtree(FAULTS_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    stacks = sorted(FAULTS_DIR.glob("*.json")) if FAULTS_DIR.is_dir() else []
    if not stacks:
        return
    total: Counter[str] = Counter()
    for stack in stacks:
        total.update(json.loads(stack.read_text()))
    terminalreporter.section("strict DynamoDB")
    injected = ", ".join(f"{kind} {count}" for kind, count in sorted(total.items()) if count)
    terminalreporter.write_line(f"faults injected into {len(stacks)} end-to-end stacks: {injected}")


# --- xdist groups ------------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep each `xdist_group` on one worker (`--dist loadgroup`). pytest-xdist 3.8 marks
    a test's group by appending "@group" to `item._nodeid`, which pytest 9 no longer reads
    (a node's id lives in `item._id`): without this, a group's tests spread over both
    workers, each building the group's module fixtures (a 100,000-word table, say) again."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        marks = item.iter_markers("xdist_group")
        groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) for mark in marks})
        if groups and not item.nodeid.endswith(f"@{'_'.join(groups)}"):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")
