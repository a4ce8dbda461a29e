"""Fixtures shared by every app's unit tests: an AWS account in moto, users, API clients."""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import threading
import time
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from _pytest.nodeid import coerce_node_id
from botocore.retries.standard import ExponentialBackoff
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws
from rest_framework.test import APIClient

from accounts import authentication, cognito
from accounts.models import forget_users_seen
from langportal.aws import client as aws_client
from langportal.local import indexes, provision, transactions
from langportal.local.emulator import Emulator
from langportal.local.strict import StrictConfig
from langportal.storage.dynamo import dynamodb_clients, table_models, transaction_connection
from vocabulary import services as vocabulary

# xAPI clients, for the study records' statements too; another LRS to forward statements to.
pytest_plugins = ["xapi.tests.fixtures", "xapi.tests.target_lrs"]

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
def make_tokens(aws):
    """Real Cognito tokens for a user of the pool, created on first use."""

    def make(username: str, group: str = "students") -> cognito.Tokens:
        cognito.user_upsert(username=username, group=group)
        return cognito.user_tokens(username=username)

    return make


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


def _admin_signed_in(make_tokens, username: str, group: str):
    from django.test import Client

    make_tokens(username, group)
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": cognito._remembered()[username]})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def teacher_browser(make_tokens, db):
    """A Django test client signed in to the admin as a teacher, through Cognito."""
    return _admin_signed_in(make_tokens, "sensei", "teachers")


@pytest.fixture
def admin_browser(make_tokens, db):
    """A Django test client signed in to the admin as an administrator (Cognito's admins)."""
    return _admin_signed_in(make_tokens, "root", "admins")


@pytest.fixture
def browser_copy():
    """copy(client): another browser holding a copy of `client`'s cookies (a stolen session)."""
    from django.test import Client

    def copy(client):
        other = Client()
        for name, morsel in client.cookies.items():
            other.cookies[name] = morsel.value
        return other

    return copy


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def make_api(make_tokens, db):
    """An API client signed in as a user of the pool (created on first use)."""

    def make(username: str, group: str = "students") -> APIClient:
        return _client(make_tokens(username, group).id_token)

    return make


@pytest.fixture
def student_api(make_api) -> APIClient:
    return make_api("student")


@pytest.fixture
def teacher_api(make_api) -> APIClient:
    return make_api("teacher", "teachers")


@dataclass(frozen=True)
class Caller:
    """Who calls a service directly in a test; through the API it is the signed-in user."""

    sub: str
    is_teacher: bool = False
    username: str = ""


@pytest.fixture
def make_caller():
    """make_caller(sub, is_teacher=False): the caller a service is given, without signing in."""
    return Caller


class DynamoDBReads:
    """Counts what DynamoDB answered (items, not requests), by operation."""

    def __init__(self):
        self.items = 0
        self.calls: dict[str, int] = {}

    def __call__(self, parsed, model, **kwargs) -> None:
        operation = model.name
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif operation in ("Query", "Scan"):
            self.items += parsed.get("ScannedCount", 0)
        elif operation == "BatchGetItem":
            self.items += sum(len(found) for found in parsed.get("Responses", {}).values())
        elif operation == "TransactGetItems":
            self.items += sum(1 for response in parsed.get("Responses", []) if response.get("Item"))


@contextmanager
def counting_dynamodb_reads():
    """Count the items every DynamoDB client of ours reads inside the block."""
    counter = DynamoDBReads()
    clients = {model._get_connection().connection.client for model in table_models()}
    clients.add(transaction_connection().client)
    for client in clients:
        client.meta.events.register("after-call.dynamodb", counter)
    try:
        yield counter
    finally:
        for client in clients:
            client.meta.events.unregister("after-call.dynamodb", counter)


@pytest.fixture
def dynamodb_reads():
    with counting_dynamodb_reads() as counter:
        yield counter


@contextmanager
def _fresh_dynamodb_clients(patch: pytest.MonkeyPatch):
    """Inside the block the app makes its DynamoDB clients anew, from the environment as it is
    then; afterwards it has back the clients it had. Making a client costs a quarter second,
    so langportal.aws.client's cached S3 and Cognito clients are set aside, not dropped."""
    models = table_models()  # langportal.models' tables among them: langportal is an installed app
    kept = {model: model._connection for model in models}
    for model in models:
        model._connection = None
    transaction_connection.cache_clear()
    patch.setattr("langportal.aws.client", functools.cache(aws_client.__wrapped__))  # callers look it up there
    try:
        yield
    finally:
        for model, connection in kept.items():
            model._connection = connection
        transaction_connection.cache_clear()


class DynamoDBRoundTrips:
    """Every DynamoDB call made inside the block, with when it began and ended."""

    def __init__(self):
        self.calls: list[tuple[str, float, float]] = []  # (operation, began, ended)
        self._began = threading.local()

    def began(self, model, **kwargs) -> None:
        self._began.at = time.perf_counter()

    def ended(self, model, **kwargs) -> None:
        self.calls.append((model.name, self._began.at, time.perf_counter()))

    @property
    def sequential(self) -> int:
        """The longest chain of calls each begun after the one before ended: what a request
        waits on, however many calls overlap with it."""
        chain, free_at = 0, float("-inf")
        for _, began, ended in sorted(self.calls, key=lambda call: call[2]):
            if began >= free_at:
                chain, free_at = chain + 1, ended
        return chain


@pytest.fixture
def dynamodb_round_trips():
    trips = DynamoDBRoundTrips()
    clients = dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", trips.began)
        client.meta.events.register("after-call.dynamodb", trips.ended)
    yield trips
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb", trips.began)
        client.meta.events.unregister("after-call.dynamodb", trips.ended)


class DynamoDBRequests:
    """Every DynamoDB request made inside the block, as it was about to be sent."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []  # (operation, JSON body)

    def __call__(self, model, params, **kwargs) -> None:
        body = params.get("body") or b""
        self.sent.append((model.name, body.decode() if isinstance(body, bytes) else body))

    def naming(self, table: str) -> list[str]:
        """The operations of the requests that name `table` (alone, in a batch or a transaction)."""
        return [operation for operation, body in self.sent if f'"{table}"' in body]


@pytest.fixture
def dynamodb_requests(aws):
    requests = DynamoDBRequests()
    clients = {model._get_connection().connection.client for model in table_models()}
    clients.add(transaction_connection().client)
    for client in clients:
        client.meta.events.register("before-call.dynamodb", requests)
    yield requests
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb", requests)


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


@pytest.fixture
def no_botocore_backoff(monkeypatch):
    """botocore waits up to a second, then two, between throttled attempts: tests of what is
    retried, and how often, need not wait."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


class BedrockStandIn:
    """bedrock-runtime on a local port, over real HTTP, for the app's real botocore client:
    it reads each InvokeModel request whole, then answers `text` as Mistral's output or,
    while `hanging`, never answers (until the test ends)."""

    def __init__(self):
        self.requests: list[dict] = []  # {"path", "body"} of every request, in order
        self.text = "A word to learn."
        self.hanging = False
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def asked(self, *, within: float = 10.0) -> int:
        """How many requests came, waiting up to `within` seconds for the first: a call its
        hint gave up on may still be on its way (making the app's client is slow under load)."""
        deadline = time.monotonic() + within
        while not self.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.requests)

    @property
    def prompts(self) -> list[str]:
        return [request["body"]["prompt"] for request in self.requests]

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append({"path": self.path, "body": body})
                if stand_in.hanging:
                    stand_in._release.wait()
                    return
                payload = json.dumps({"outputs": [{"text": stand_in.text, "stop_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler

    def start(self) -> BedrockStandIn:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def bedrock_runtime(monkeypatch):
    """A BedrockStandIn that the app's Bedrock client reaches (AWS_ENDPOINT_URL_BEDROCK_RUNTIME)."""
    from ai_hints.backends import bedrock

    stand_in = BedrockStandIn().start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", stand_in.url)
    bedrock.client.cache_clear()
    yield stand_in
    stand_in.stop()
    bedrock.client.cache_clear()


@pytest.fixture
def strict_dynamodb(aws, request):
    """The app's DynamoDB behind the strict emulator layer (langportal/local/strict/), over HTTP.

    Yields the StrictDynamoDB middleware: set its `config` to switch faults on, read its
    `faults`. moto's in-process server shares `aws`'s backends, so the tables are there; S3
    and Cognito stay on mock_aws. LOCAL_AWS_STRICT_SEED replays another seed.
    """
    seed = int(os.environ.get("LOCAL_AWS_STRICT_SEED") or zlib.crc32(request.node.nodeid.encode()))
    print(f"strict DynamoDB seed {seed} (LOCAL_AWS_STRICT_SEED={seed} replays it)")
    emulator = Emulator(port=0, strict=StrictConfig(seed=seed))
    emulator.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AWS_ENDPOINT_URL_DYNAMODB", emulator.endpoint)
            with _fresh_dynamodb_clients(patch):
                yield emulator.strict
    finally:
        emulator.stop()


def assert_api_error(response, status: int, code: str) -> dict:
    """The response is our error envelope with this status and code; returns the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    return body["error"]


class AdminImport:
    """A file imported in the admin as a teacher does it: previewed, confirmed, then run
    by the jobs worker from the queue."""

    URL = "/admin/vocabulary/words/import/"

    def __init__(self, client):
        self.client = client

    def preview(self, data: bytes, name: str = "w.csv") -> str:
        return self.client.post(self.URL, {"file": SimpleUploadedFile(name, data)}).content.decode()

    def confirm(self, preview: str) -> str:
        """Start the previewed import, run the queued jobs, and return the job's page."""
        from langportal.jobs import worker

        token = preview.split('name="token" value="', 1)[1].split('"', 1)[0]
        started = self.client.post(self.URL, {"token": token})
        assert started.status_code == 302, started.content
        while worker.poll_once():
            pass
        return self.client.get(started["Location"]).content.decode()

    def __call__(self, data: bytes, name: str = "w.csv") -> str:
        return self.confirm(self.preview(data, name))

    def upload_form(self) -> tuple[str, dict]:
        """The large-file form of the import page: where it posts, and its hidden fields."""
        page = self.client.get(self.URL).content.decode()
        action, body = re.search(r'action="([^"]+)" id="upload_form">(.*?)</form>', page, re.S).groups()
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
        return html.unescape(action), {name: html.unescape(value) for name, value in fields}

    def upload(self, data: bytes, name: str = "w.csv", form: tuple[str, dict] | None = None):
        """The large-file form posted as a browser does: the file goes straight to S3, whose
        answer sends the browser back to the admin; the answer of the page it is sent to."""
        action, fields = form or self.upload_form()
        stored = requests.post(action, data=fields, files={"file": (name, data)}, allow_redirects=False, timeout=30)
        assert stored.status_code == 303, stored.text
        back = urlsplit(stored.headers["Location"])
        return self.client.get(f"{back.path}?{back.query}")


@pytest.fixture
def admin_import(teacher_browser) -> AdminImport:
    return AdminImport(teacher_browser)


class AdminExport:
    """Words exported in the admin as a teacher does it: the export form posted, its job
    run, and the file downloaded from the job's page through its short-lived link."""

    URL = "/admin/vocabulary/words/export/"

    def __init__(self, client):
        self.client = client

    def __call__(self, format: str = "csv", group: str = "") -> bytes:
        from langportal.jobs import services as jobs

        started = self.client.post(self.URL, {"format": format, "group": group})
        assert started.status_code == 302, started.content
        job_id = started["Location"].rstrip("/").rsplit("/", 1)[1]
        done = jobs.job_run(job_id, seconds=60)
        assert done.status == "done", done.message
        link = self.client.get(f"/admin/jobs/{job_id}/download/")
        assert link.status_code == 302, link.content
        download = requests.get(link["Location"], timeout=10)
        assert download.status_code == 200
        return download.content


@pytest.fixture
def admin_export(teacher_browser) -> AdminExport:
    return AdminExport(teacher_browser)


@pytest.fixture
def api_error():
    """`assert_api_error` for tests that take it as a fixture."""
    return assert_api_error


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
