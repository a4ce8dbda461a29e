"""The bench's stack: moto's server with every DynamoDB call it serves recorded, the app
under gunicorn as `make run` serves it, and users' HTTP clients of it.

Import it once Django is set up with the bench's settings (scripts/bench.py does).
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings

from accounts import cognito
from langportal.local import provision
from langportal.local.emulator import Emulator
from langportal.local.runner import free_port, stop, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # seconds a request may take before the bench gives up on it: slow is not wrong


@dataclass(frozen=True)
class Call:
    """One DynamoDB request as the emulator served it; times are this process's perf_counter."""

    operation: str
    began: float
    ended: float
    items: int


def items_in(answer: dict) -> int:
    """The items a DynamoDB answer returns: a query's or scan's (or only their Count), a
    GetItem's, a batch's or a read transaction's."""
    if "Items" in answer:
        return len(answer["Items"])
    if "Count" in answer:
        return answer["Count"]
    if "Item" in answer:
        return 1
    responses = answer.get("Responses")
    if isinstance(responses, dict):  # BatchGetItem: the items of each table
        return sum(len(items) for items in responses.values())
    if isinstance(responses, list):  # TransactGetItems: one entry a key, with an Item when found
        return sum(1 for response in responses if response.get("Item"))
    return 0


class DynamoDBCalls:
    """The emulator's middleware: every DynamoDB request it serves, from any client, kept
    until taken."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def __call__(self, app):
        def recorded(environ, start_response):
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if not target.startswith("DynamoDB_"):
                return app(environ, start_response)
            began = time.perf_counter()
            body = list(app(environ, start_response))  # the whole answer, before it is sent
            ended = time.perf_counter()
            try:
                items = items_in(json.loads(b"".join(body)))
            except ValueError:  # not JSON: no items
                items = 0
            with self._lock:
                self._calls.append(Call(target.partition(".")[2], began, ended, items))
            return body

        return recorded

    def take(self) -> list[Call]:
        """The calls served since the last take."""
        with self._lock:
            calls, self._calls = self._calls, []
        return calls


def round_trips(calls: list[Call]) -> int:
    """The longest chain of calls each begun after the one before ended: what a request
    waits on, however many calls overlap with it."""
    chain, free_at = 0, float("-inf")
    for call in sorted(calls, key=lambda call: call.ended):
        if call.began >= free_at:
            chain, free_at = chain + 1, call.ended
    return chain


def dynamodb_milliseconds(response: requests.Response) -> float:
    """The time the request waited on DynamoDB as the app saw it (its Server-Timing: from
    botocore's sending of each call to its parsed answer, overlapping calls once)."""
    found = re.search(r"dynamodb;dur=([\d.]+)", response.headers.get("Server-Timing", ""))
    return float(found.group(1)) if found else 0.0


@dataclass
class Row:
    request: str
    milliseconds: list[float] = field(default_factory=list)
    dynamodb_calls: list[int] = field(default_factory=list)
    round_trips: list[int] = field(default_factory=list)
    dynamodb_milliseconds: list[float] = field(default_factory=list)  # on the critical path
    app_milliseconds: list[float] = field(default_factory=list)  # the rest of each request's time
    items: list[int] = field(default_factory=list)
    # Each repetition's calls in the order they arrived: operation, ms from sending the
    # request to the call's arrival and to its answer, items.
    dynamodb_timeline: list[list[tuple[str, float, float, int]]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.milliseconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank: a time one request took


def descendants(parent: int) -> list[int]:
    """The ids of `parent`'s child processes, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def memory_mib(pid: int) -> dict[str, float]:
    """A process's resident memory now (VmRSS) and at its peak (VmHWM), from /proc."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"rss_mib": int(status["VmRSS"].split()[0]) / 1024, "peak_rss_mib": int(status["VmHWM"].split()[0]) / 1024}


@dataclass
class AppServer:
    """gunicorn with gunicorn.conf.py, as `make run` starts it, with one worker."""

    url: str
    process: subprocess.Popen

    def worker_memory(self) -> dict[str, float]:
        (worker,) = descendants(self.process.pid)
        return {"pid": worker, **memory_mib(worker)}


@contextmanager
def app_server(endpoint: str, pool: provision.UserPool, workspace: Path) -> Iterator[AppServer]:
    """The app on a free loopback port, with the bench's settings and the emulator's user
    pool, logging into `workspace`; stopped with SIGTERM when the block ends, however it ends."""
    port = free_port()
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "COGNITO_USER_POOL_ID": pool.pool_id,
        "COGNITO_APP_CLIENT_IDS": pool.client_id,
        "COGNITO_JWKS_URL": f"{endpoint}/{pool.pool_id}/.well-known/jwks.json",
        "GUNICORN_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "SERVER_TIMING": "1",  # each answer says how long it waited on DynamoDB, as the app saw it
    }
    log = workspace / f"gunicorn-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, with a fixed argument list)
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process, timeout=TIMEOUT)
        except SystemExit as failure:
            raise SystemExit(f"{failure}\n{log.read_text()[-3000:]}") from None
        yield AppServer(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process)


class Client:
    """One user's HTTP client of the app: a kept-alive connection, and their ID token if any."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=TIMEOUT)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.session.post(f"{self.base}{path}", json=body, timeout=TIMEOUT)


class Stack:
    """The emulator, provisioned afresh for each vocabulary size, its DynamoDB calls, and
    the app over HTTP once started."""

    def __init__(self, workspace: Path):
        self.workspace = workspace  # the app's logs go there
        self.calls = DynamoDBCalls()
        self.emulator = Emulator(port=0, middleware=self.calls)
        self.pool: provision.UserPool | None = None
        self.app: AppServer | None = None

    def reset(self) -> None:
        requests.post(f"{self.emulator.endpoint}/moto-api/reset", timeout=TIMEOUT).raise_for_status()
        provision.tables_create()
        provision.bucket_create()
        self.pool = provision.user_pool_create()
        settings.COGNITO_USER_POOL_ID = self.pool.pool_id
        settings.COGNITO_APP_CLIENT_IDS = [self.pool.client_id]

    @contextmanager
    def serving(self) -> Iterator[AppServer]:
        with app_server(self.emulator.endpoint, self.pool, self.workspace) as self.app:
            yield self.app
        self.app = None

    def client(self, username: str | None = None) -> tuple[Client, str | None]:
        """A student's client and user id; with no username, a client with no token."""
        if username is None:
            return Client(self.app.url), None
        cognito.user_upsert(username=username, group="students")
        tokens = cognito.user_tokens(username=username)
        return Client(self.app.url, tokens.id_token), tokens.user_id

    def measure(self, row: Row, call: Callable[[], requests.Response], expected_status: int):
        """One request, timed, with its DynamoDB calls; a wrong status stops the bench."""
        self.calls.take()
        began = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - began
        calls = self.calls.take()
        waited = dynamodb_milliseconds(response)
        row.milliseconds.append(seconds * 1000)
        row.dynamodb_calls.append(len(calls))
        row.round_trips.append(round_trips(calls))
        row.dynamodb_milliseconds.append(waited)
        row.app_milliseconds.append(seconds * 1000 - waited)
        row.items.append(sum(call.items for call in calls))
        row.dynamodb_timeline.append(
            [
                (call.operation, (call.began - began) * 1000, (call.ended - began) * 1000, call.items)
                for call in sorted(calls, key=lambda call: call.began)
            ]
        )
        if response.status_code != expected_status:
            raise SystemExit(f"{row.request}: {response.status_code} {response.content[:500]!r}")
        return response.json()
