"""The real stack for end-to-end tests: `python -m langportal.local` (what `make run`
starts) on free ports with its own data folder, called over HTTP with real tokens."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests

from langportal.local.runner import clean_environment, free_port, read_env_file
from vocabulary.seeding import starter_document

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120
FAULTS_DIR = ROOT / "test-artifacts" / "strict-faults"  # summed up in the run's summary (conftest.py)

pytestmark = pytest.mark.e2e

# Every stack of the end-to-end tests runs its DynamoDB as AWS may behave, at rates seen on
# busy tables (langportal/local/strict/):
# - lag_ms=1000, stale=1: every eventually consistent read misses the writes of the last
#   second, the far end of what AWS documents ("usually within a second");
# - throttle=0.03: 3% of requests throttled, a table near its on-demand ceiling;
# - conflict=0.02 and contention_ms=10: 2% of writes meet another transaction, and a
#   transaction holds its items for 10 ms, about as long as one takes on AWS;
# - partial=0.2: a fifth of the batches come back partly unprocessed, as under throttling;
# - lost=0.02: 2% of the answers to writes are lost after the write was made.
# The seed makes a failing run replayable (LOCAL_AWS_STRICT_SEED).
STRICT = (
    "lag_ms=1000,stale=1,throttle=0.03,conflict=0.02,contention_ms=10,partial=0.2,lost=0.02,"
    f"seed={os.environ.get('LOCAL_AWS_STRICT_SEED', '20261202')}"
)
# What the app is given to work with such a table: four attempts per request (one more
# than the default), and clients told to come back after a second.
STRICT_APP_SETTINGS = {"LOCAL_AWS_STRICT": STRICT, "AWS_MAX_ATTEMPTS": "4", "AWS_RETRY_AFTER": "1"}


@dataclass
class Stack:
    data_dir: Path
    port: int
    aws_port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "stack.log"

    @property
    def env_file(self) -> Path:
        return self.data_dir / "local.env"

    def settings(self) -> dict[str, str]:
        return read_env_file(self.env_file)

    def start(self) -> Stack:
        """`python -m langportal.local` on these ports, with strict DynamoDB."""
        command = [
            sys.executable,
            "-m",
            "langportal.local",
            "--port",
            str(self.port),
            "--aws-port",
            str(self.aws_port),
            "--data-dir",
            str(self.data_dir),
        ]
        environment = clean_environment(**STRICT_APP_SETTINGS)
        started_at = self.log.stat().st_size if self.log.exists() else 0  # a restart appends to the log
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + START_TIMEOUT
        while "Press Ctrl-C to stop." not in self.log.read_text()[started_at:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The local stack did not start:\n{self.log.read_text()}")
            time.sleep(0.2)
        return self

    def stop(self) -> int | None:
        """Ctrl-C, as a developer would; keeps the faults strict DynamoDB injected."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        faults = self.data_dir / "strict-faults.json"
        if faults.is_file():
            FAULTS_DIR.mkdir(parents=True, exist_ok=True)
            (FAULTS_DIR / f"{self.data_dir.name}-{self.port}.json").write_bytes(faults.read_bytes())
        return self.process.returncode if self.process else None

    def manage(self, *arguments: str) -> subprocess.CompletedProcess:
        environment = clean_environment(LANGPORTAL_ENV_FILE=str(self.env_file))
        return subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True, text=True
        )

    def tokens(self, username: str) -> dict[str, str]:
        result = self.manage("local_token", username, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def cognito(self):
        return self.client("cognito-idp")

    def user_created(self, username: str, group: str = "students") -> str:
        """A new user of the stack's pool, made straight in Cognito (quicker than
        `local_user`, for tests that need many); returns their password."""
        cognito, pool, password = self.cognito(), self.pool_id, f"Pw-{uuid.uuid4().hex}"
        cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        return password

    @property
    def pool_id(self) -> str:
        return self.settings()["COGNITO_USER_POOL_ID"]

    def user_signed_in(self, username: str, group: str = "students") -> str:
        """A new user of the stack's pool, signed in; returns their ID token."""
        password = self.user_created(username, group)
        answer = self.cognito().initiate_auth(
            ClientId=self.settings()["COGNITO_APP_CLIENT_IDS"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return answer["AuthenticationResult"]["IdToken"]

    def client(self, service: str):
        """A boto3 client of the stack's emulator."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


@contextmanager
def app_server(stack: Stack, **environment: str):
    """Another `gunicorn -c gunicorn.conf.py` (the image's command) on the stack's settings,
    with `environment` on top; yields (url, its log file) once it answers /healthz."""
    port = free_port()
    settings = clean_environment(
        LANGPORTAL_ENV_FILE=str(stack.env_file),
        PORT=str(port),
        WEB_CONCURRENCY="1",
        **{**STRICT_APP_SETTINGS, **environment},
    )
    log = stack.data_dir / f"server-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=settings,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/healthz", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield url, log
    finally:
        server.terminate()
        server.wait(timeout=30)


class Api:
    """requests against the stack with one user's bearer token, as a careful client: a 503
    is tried again after its Retry-After (up to `retries` times), and a write goes under an
    Idempotency-Key of its own (unless it names one), so that trying it again is safe."""

    def __init__(self, base: str, token: str | None, *, retries: int = 4):
        self.base = base
        self.retries = retries
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __getattr__(self, method: str):
        call = getattr(self.session, method)

        def send(path: str, **kwargs) -> requests.Response:
            if method in WRITES:
                kwargs["headers"] = {"Idempotency-Key": f"e2e-{uuid.uuid4()}", **kwargs.get("headers", {})}
            response = call(f"{self.base}{path}", timeout=30, **kwargs)
            for _ in range(self.retries):
                if response.status_code != 503:
                    break
                time.sleep(int(response.headers.get("Retry-After", 1)))
                response = call(f"{self.base}{path}", timeout=30, **kwargs)
            return response

        return send


WRITES = frozenset({"post", "put", "patch", "delete"})


class AdminBrowser:
    """A browser on the admin at `base`: it keeps its cookies and posts forms with their CSRF
    token and a Referer, as Django expects of a browser. Redirects are not followed."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=60, allow_redirects=False, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

    def post(self, path: str, fields: dict, *, token_from: str | None = None, **kwargs) -> requests.Response:
        """Post a form found at `token_from` (by default `path` itself)."""
        url = f"{self.base}{path}"
        fields = {"csrfmiddlewaretoken": self.csrf(token_from or path), **fields}
        return self.session.post(url, fields, headers={"Referer": url}, timeout=120, allow_redirects=False, **kwargs)

    def sign_in(self, username: str, password: str) -> requests.Response:
        return self.post("/admin/login/?next=/admin/", {"username": username, "password": password})

    def signed_in(self, username: str, password: str) -> AdminBrowser:
        answer = self.sign_in(username, password)
        assert answer.status_code == 302 and answer.headers["Location"] == "/admin/", answer.text
        return self

    @property
    def cookies(self):
        return self.session.cookies


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"), free_port(), free_port()).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def student_tokens(stack) -> dict[str, str]:
    return stack.tokens("student")


@pytest.fixture(scope="session")
def teacher_tokens(stack) -> dict[str, str]:
    return stack.tokens("teacher")


@pytest.fixture(scope="session")
def student(stack, student_tokens) -> Api:
    return Api(stack.url, student_tokens["id_token"])


@pytest.fixture(scope="session")
def teacher(stack, teacher_tokens) -> Api:
    return Api(stack.url, teacher_tokens["access_token"])


@pytest.fixture(scope="session")
def anonymous(stack) -> Api:
    return Api(stack.url, None)


@dataclass(frozen=True)
class Starter:
    """What the starter document the local stack loads holds: the counts tests expect."""

    document: dict

    @property
    def words(self) -> int:
        return len(self.document["words"])

    @property
    def groups(self) -> int:
        return len(self.document["groups"])

    def words_in(self, group_id: str) -> int:
        return sum(group_id in word.get("group_ids", []) for word in self.document["words"])


@pytest.fixture(scope="session")
def starter() -> Starter:
    return Starter(starter_document())


@pytest.fixture
def make_learner(stack):
    """make_learner(): a new student of the stack, signed in: (their Api, their user id)."""

    def make() -> tuple[Api, str]:
        name = f"learner-{uuid.uuid4().hex[:8]}"
        assert stack.manage("local_user", name, "--group", "students").returncode == 0
        tokens = stack.tokens(name)
        return Api(stack.url, tokens["id_token"]), tokens["user_id"]

    return make


@pytest.fixture
def learner(make_learner) -> tuple[Api, str]:
    return make_learner()


@pytest.fixture
def start_session():
    """start_session(api, group_id="1"): a flashcards session the student began (its body)."""

    def start(api: Api, group_id: str = "1") -> dict:
        response = api.post("/api/study_sessions", json={"group_id": group_id, "activity": "flashcards"})
        assert response.status_code == 201
        return response.json()

    return start


def every_word(api) -> list[dict]:
    """Every word, in English order, page by page."""
    found, page = [], 1
    while True:
        body = api.get(f"/api/words?per_page=100&sort_by=english&page={page}").json()
        found += body["items"]
        if page >= body["pagination"]["total_pages"]:
            return found
        page += 1
