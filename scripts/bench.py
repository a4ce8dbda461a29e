#!/usr/bin/env python
"""Time the API's requests on the local stack, in one process; print the figures.

    python scripts/bench.py                      # 1,000 and 10,000 words, 20 repetitions
    python scripts/bench.py --words 100000       # larger figures
    python scripts/bench.py --json bench.json    # the figures as JSON too

moto's server (langportal.local's Emulator) runs on loopback; the real Django app answers
through Django's test client with real Cognito tokens of the emulator's user pool; hints
come from the offline provider the local stack uses. Every DynamoDB call the app makes is
counted and timed with botocore's before-call and after-call events. A slow machine gives
slow figures, never a failure: the exit status is 0 unless a request gets a wrong answer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORKSPACE = Path(tempfile.mkdtemp(prefix="langportal-bench-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="langportal.settings",
    LANGPORTAL_ENV_FILE="",  # never var/local.env: the bench has a stack of its own
    DJANGO_SECRET_KEY="bench-only-secret-key",  # noqa: S106 (signs nothing outside this process)
    DATABASE_URL=f"sqlite:///{WORKSPACE / 'db.sqlite3'}",  # a file: every client thread sees the same users
    LOCAL_USERS_FILE=str(WORKSPACE / "local-users.json"),
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (the emulator takes any)
    AWS_REGION="us-east-1",
    DYNAMODB_TABLE_PREFIX="bench-",
    MEDIA_BUCKET="langportal-bench-media",
    AI_HINT_PROVIDERS="offline",
    AI_HINT_RATE_LIMIT="1000000",  # the bench asks for more hints a minute than a learner may
)
for name in [name for name in os.environ if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE"))]:
    del os.environ[name]  # the bench must never reach a real account

import logging  # noqa: E402
import warnings  # noqa: E402

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts import authentication, cognito  # noqa: E402
from langportal import progress  # noqa: E402
from langportal.local import provision  # noqa: E402
from langportal.local.emulator import Emulator  # noqa: E402
from langportal.storage.dynamo import table_models, transaction_connection  # noqa: E402
from vocabulary import services as vocabulary  # noqa: E402
from vocabulary.documents import document_parse  # noqa: E402
from vocabulary.synthetic import synthetic_document  # noqa: E402

PER_PAGE = 20
CLIENTS = 20
# More client threads than botocore keeps connections for: each extra one is opened anew and
# logged as a warning, which the concurrent figure already pays for.
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
# The bench serves no static files, so it collects none for WhiteNoise to find.
warnings.filterwarnings("ignore", message="No directory at")


class DynamoDBCalls:
    """The DynamoDB calls since the last clear, from any thread (a hint's model call runs in
    a pool of its own): how many, and the time spent inside them, summed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._began = threading.local()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.count, self.seconds = 0, 0.0

    def _began_call(self, **kwargs) -> None:
        self._began.at = time.perf_counter()

    def _ended_call(self, **kwargs) -> None:
        took = time.perf_counter() - self._began.at
        with self._lock:
            self.count += 1
            self.seconds += took

    def install(self) -> None:
        """Hook every DynamoDB client of the app: each table's and the transactions'."""
        clients = {model._get_connection().connection.client for model in table_models()}
        clients.add(transaction_connection().client)
        for client in clients:
            client.meta.events.register("before-call.dynamodb", self._began_call)
            client.meta.events.register("after-call.dynamodb", self._ended_call)


@dataclass
class Row:
    request: str
    milliseconds: list[float] = field(default_factory=list)
    dynamodb_calls: list[int] = field(default_factory=list)
    dynamodb_milliseconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.milliseconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank: a time one request took


@dataclass
class Stack:
    """The emulator, provisioned afresh for each vocabulary size, and signed-in clients."""

    emulator: Emulator
    calls: DynamoDBCalls

    def reset(self) -> None:
        requests.post(f"{self.emulator.endpoint}/moto-api/reset", timeout=30).raise_for_status()
        provision.tables_create()
        provision.bucket_create()
        pool = provision.user_pool_create()
        settings.COGNITO_USER_POOL_ID = pool.pool_id
        settings.COGNITO_APP_CLIENT_IDS = [pool.client_id]
        settings.COGNITO_ISSUER = f"https://cognito-idp.{settings.AWS_REGION}.amazonaws.com/{pool.pool_id}"
        settings.COGNITO_JWKS_URL = f"{self.emulator.endpoint}/{pool.pool_id}/.well-known/jwks.json"
        authentication.forget_key_sets()

    def client(self, username: str) -> tuple[Client, str]:
        """A student's API client and user id."""
        cognito.user_upsert(username=username, group="students")
        tokens = cognito.user_tokens(username=username)
        return Client(HTTP_AUTHORIZATION=f"Bearer {tokens.id_token}", HTTP_HOST="localhost"), tokens.user_id

    def measure(self, row: Row, call, expected_status: int):
        """One request, timed, with its DynamoDB calls; a wrong status stops the bench."""
        self.calls.clear()
        began = time.perf_counter()
        response = call()
        row.milliseconds.append((time.perf_counter() - began) * 1000)
        row.dynamodb_calls.append(self.calls.count)
        row.dynamodb_milliseconds.append(self.calls.seconds * 1000)
        if response.status_code != expected_status:
            raise SystemExit(f"{row.request}: {response.status_code} {response.content[:500]!r}")
        return response.json()


def vocabulary_seed(words: int, *, quiet: bool) -> dict:
    """Import a synthetic vocabulary; its time, and the process's peak memory and how much
    the import raised it (Linux reports KiB)."""
    document = document_parse(synthetic_document(words))
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    vocabulary.vocabulary_import(
        groups=document.groups, words=document.words, progress=progress.silent if quiet else progress.bar
    )
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"words": words, "seconds": seconds, "peak_rss_mib": peak / 1024, "rise_mib": (peak - peak_before) / 1024}


def post(client: Client, path: str, body: dict):
    return lambda: client.post(path, json.dumps(body), content_type="application/json")


def pages_measure(stack: Stack, words: int, repetitions: int) -> list[Row]:
    client, _ = stack.client("reader")
    last = math.ceil(words / PER_PAGE)
    rows = []
    for label, page in (("page 1", 1), (f"page {last}", last)):
        row = Row(f"GET /api/words {label} ({words:,} words)")
        for _ in range(repetitions):
            stack.measure(row, lambda page=page: client.get(f"/api/words?page={page}&per_page={PER_PAGE}"), 200)
        rows.append(row)
    return rows


def study_measure(stack: Stack, words: int, repetitions: int) -> list[Row]:
    """One word, sessions, reviews of new words, progress, new and cached hints."""
    client, user_id = stack.client("student")
    japanese = [entry["japanese"] for entry in synthetic_document(min(words, repetitions))["words"]]
    rows = {name: Row(name) for name in ("GET /api/words/{id}", "POST /api/study_sessions")}
    rows |= {name: Row(name) for name in ("POST .../review", "GET /api/progress/{user_id}")}
    rows |= {name: Row(name) for name in ("POST /api/ai/generate_hint (new)", "POST /api/ai/generate_hint (cached)")}
    for repetition in range(repetitions):
        word_id = str(repetition % words + 1)  # each repetition a word not yet seen, while there are
        stack.measure(rows["GET /api/words/{id}"], lambda word_id=word_id: client.get(f"/api/words/{word_id}"), 200)
        session = stack.measure(
            rows["POST /api/study_sessions"],
            post(client, "/api/study_sessions", {"group_id": "1", "activity": "flashcards"}),
            201,
        )
        review = {"word_id": word_id, "correct": True}
        stack.measure(rows["POST .../review"], post(client, f"/api/study_sessions/{session['id']}/review", review), 201)
        stack.measure(rows["GET /api/progress/{user_id}"], lambda: client.get(f"/api/progress/{user_id}"), 200)
        hint = {"word": japanese[repetition % len(japanese)], "context": f"bench {repetition}"}
        stack.measure(rows["POST /api/ai/generate_hint (new)"], post(client, "/api/ai/generate_hint", hint), 200)
        stack.measure(rows["POST /api/ai/generate_hint (cached)"], post(client, "/api/ai/generate_hint", hint), 200)
    return list(rows.values())


def reviews_per_second(stack: Stack, words: int, reviews_each: int) -> dict:
    """CLIENTS threads, each a student with a session of their own, reviewing at once."""
    students = [stack.client(f"concurrent-{number}")[0] for number in range(CLIENTS)]
    sessions = [
        json.loads(post(client, "/api/study_sessions", {"group_id": "1", "activity": "quiz"})().content)["id"]
        for client in students
    ]
    statuses: list[int] = []
    start = threading.Barrier(CLIENTS + 1)

    def review(client: Client, session_id: str) -> None:
        start.wait()
        for number in range(reviews_each):
            body = {"word_id": str(number % words + 1), "correct": number % 2 == 0}
            statuses.append(post(client, f"/api/study_sessions/{session_id}/review", body)().status_code)

    threads = [threading.Thread(target=review, args=pair) for pair in zip(students, sessions, strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if set(statuses) - {201, 503}:  # 503: the emulator too busy for a change, as AWS may be
        raise SystemExit(f"concurrent reviews answered {sorted(set(statuses))}")
    return {
        "clients": CLIENTS,
        "reviews": len(statuses),
        "stored": statuses.count(201),
        "seconds": seconds,
        "per_second": statuses.count(201) / seconds,
    }


def table(rows: list[Row]) -> str:
    lines = [f"{'request':<44} {'median ms':>10} {'p95 ms':>8} {'DDB calls':>10} {'DDB ms':>7}"]
    for row in rows:
        calls = statistics.median(row.dynamodb_calls)
        dynamo = statistics.median(row.dynamodb_milliseconds)
        lines.append(f"{row.request:<44} {row.median:>10.1f} {row.p95:>8.1f} {calls:>10g} {dynamo:>7.1f}")
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000, help="the large vocabulary (default %(default)s)")
    parser.add_argument("--small-words", type=int, default=1_000, help="the small vocabulary (default %(default)s)")
    parser.add_argument("--repetitions", type=int, default=20, help="times each request is made (%(default)s)")
    parser.add_argument("--reviews-per-client", type=int, default=20, help="concurrent test (%(default)s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    call_command("migrate", interactive=False, verbosity=0)
    emulator = Emulator(port=0)
    emulator.start()
    os.environ["AWS_ENDPOINT_URL"] = emulator.endpoint  # read by boto3 as each client is made
    stack = Stack(emulator, DynamoDBCalls())
    try:
        stack.reset()
        stack.calls.install()
        imports, rows = [], []
        # The large vocabulary first, so that its import sets the process's peak memory.
        imports.append(vocabulary_seed(arguments.words, quiet=arguments.quiet))
        rows += pages_measure(stack, arguments.words, arguments.repetitions)
        rows += study_measure(stack, arguments.words, arguments.repetitions)
        concurrent = reviews_per_second(stack, arguments.words, arguments.reviews_per_client)
        stack.reset()
        imports.append(vocabulary_seed(arguments.small_words, quiet=arguments.quiet))
        rows = pages_measure(stack, arguments.small_words, arguments.repetitions) + rows
    finally:
        emulator.stop()
        shutil.rmtree(WORKSPACE, ignore_errors=True)
    print(table(rows))
    print(
        f"\n{concurrent['clients']} concurrent clients: {concurrent['per_second']:.1f} reviews/s "
        f"({concurrent['stored']} of {concurrent['reviews']} stored in {concurrent['seconds']:.1f} s)"
    )
    for figures in imports:
        print(
            f"import of {figures['words']:,} words: {figures['seconds']:.1f} s, "
            f"process peak RSS {figures['peak_rss_mib']:.0f} MiB (raised {figures['rise_mib']:.0f} MiB by it)"
        )
    if arguments.json:
        figures = {"rows": [asdict(row) for row in rows], "concurrent": concurrent, "imports": imports}
        arguments.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
