#!/usr/bin/env python
"""Time the API's requests over HTTP on the local stack; print the figures.

    python scripts/bench.py                      # 1,000 and 10,000 words, 20 repetitions
    python scripts/bench.py --words 100000       # larger figures
    python scripts/bench.py --json bench.json    # the figures as JSON too

moto's server (langportal.local's Emulator) runs in this process on loopback; the app runs
as `make run` serves it, under gunicorn with gunicorn.conf.py (one worker), in a process of
its own, and is called over HTTP with real Cognito tokens of the emulator's user pool; hints
come from the offline provider the local stack uses. Every DynamoDB call the app makes is
recorded where the emulator receives it: its operation, when it arrived (before the
emulator's one-at-a-time lock, so that calls the app makes at once overlap here too), when
its answer left, and the items in the answer. The app's own Server-Timing header gives
the time each request waited on DynamoDB as the app saw it (botocore included); the rest
of the request's time is the app's own. A slow machine gives slow figures, never a
failure: the exit status is 0 unless a request gets a wrong answer. The stack and its
recording are scripts/bench_stack.py; what is measured, and how it is printed, is here.
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
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKSPACE = Path(tempfile.mkdtemp(prefix="langportal-bench-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="langportal.settings",
    LANGPORTAL_ENV_FILE="",  # never var/local.env: the bench has a stack of its own
    DJANGO_SECRET_KEY="bench-only-secret-key",  # noqa: S106 (signs nothing outside the bench)
    DATABASE_URL=f"sqlite:///{WORKSPACE / 'db.sqlite3'}",  # a file: the bench and the app see the same users
    DJANGO_STATIC_ROOT=str(WORKSPACE / "static"),
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

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from langportal import progress  # noqa: E402
from scripts.bench_stack import Client, Row, Stack  # noqa: E402
from vocabulary import services as vocabulary  # noqa: E402
from vocabulary.documents import document_parse  # noqa: E402
from vocabulary.synthetic import synthetic_document  # noqa: E402

PER_PAGE = 20
CLIENTS = 20


def vocabulary_seed(words: int, *, quiet: bool) -> dict:
    """Import a synthetic vocabulary from this process; its time, and this process's peak
    memory and how much the import raised it (Linux reports KiB)."""
    document = document_parse(synthetic_document(words))
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    vocabulary.vocabulary_import(
        groups=document.groups, words=document.words, progress=progress.silent if quiet else progress.bar
    )
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"words": words, "seconds": seconds, "peak_rss_mib": peak / 1024, "rise_mib": (peak - peak_before) / 1024}


def floor_measure(stack: Stack, repetitions: int) -> list[Row]:
    """A request with no token and no DynamoDB call: what HTTP, gunicorn and Django's
    middleware cost a request before any view's work."""
    client, _ = stack.client()
    row = Row("GET /healthz (no token, no DynamoDB)")
    for _ in range(repetitions):
        stack.measure(row, lambda: client.get("/healthz"), 200)
    return [row]


def pages_measure(stack: Stack, words: int, repetitions: int, *, username: str = "reader") -> list[Row]:
    client, _ = stack.client(username)
    last = math.ceil(words / PER_PAGE)
    rows = []
    for label, page in (("page 1", 1), (f"page {last}", last)):
        row = Row(f"GET /api/words {label} ({words:,} words)")
        for _ in range(repetitions):
            stack.measure(row, lambda page=page: client.get(f"/api/words?page={page}&per_page={PER_PAGE}"), 200)
        rows.append(row)
    return rows


def study_measure(stack: Stack, words: int, repetitions: int, *, username: str = "student") -> list[Row]:
    """One word, sessions, reviews of new words, new and cached hints; then the student's
    reads, on what those left and one more session with a page of reviews."""
    client, user_id = stack.client(username)
    japanese = [entry["japanese"] for entry in synthetic_document(min(words, repetitions))["words"]]
    rows = {name: Row(name) for name in ("GET /api/words/{id}", "POST /api/study_sessions", "POST .../review")}
    rows |= {name: Row(name) for name in ("POST /api/ai/generate_hint (new)", "POST /api/ai/generate_hint (cached)")}
    for repetition in range(repetitions):
        word_id = str(repetition % words + 1)  # each repetition a word not yet seen, while there are
        stack.measure(rows["GET /api/words/{id}"], lambda word_id=word_id: client.get(f"/api/words/{word_id}"), 200)
        session = stack.measure(
            rows["POST /api/study_sessions"],
            lambda: client.post("/api/study_sessions", {"group_id": "1", "activity": "flashcards"}),
            201,
        )
        review = {"word_id": word_id, "correct": True}
        path = f"/api/study_sessions/{session['id']}/review"
        stack.measure(rows["POST .../review"], lambda path=path, review=review: client.post(path, review), 201)
        hint = {"word": japanese[repetition % len(japanese)], "context": f"bench {username} {repetition}"}
        for name in ("POST /api/ai/generate_hint (new)", "POST /api/ai/generate_hint (cached)"):
            stack.measure(rows[name], lambda hint=hint: client.post("/api/ai/generate_hint", hint), 200)
    reviewed = client.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}).json()["id"]
    for number in range(PER_PAGE):
        review = {"word_id": str((repetitions + number) % words + 1), "correct": number % 3 != 0}
        client.post(f"/api/study_sessions/{reviewed}/review", review).raise_for_status()
    reads = {
        "GET /api/groups": f"/api/groups?per_page={PER_PAGE}",
        "GET /api/groups/{id}/words": f"/api/groups/1/words?per_page={PER_PAGE}",
        "GET /api/study_sessions/{user_id}": f"/api/study_sessions/{user_id}",
        "GET /api/study_sessions/{user_id}/{id}": f"/api/study_sessions/{user_id}/{reviewed}",
        "GET /api/progress/{user_id}": f"/api/progress/{user_id}",
        "GET /api/progress/{user_id}/words": f"/api/progress/{user_id}/words",
        "GET /api/recommendations/{user_id}": f"/api/recommendations/{user_id}",
    }
    for name, path in reads.items():
        rows[name] = Row(name)
        for _ in range(repetitions):
            stack.measure(rows[name], lambda path=path: client.get(path), 200)
    return list(rows.values())


def worker_warm(stack: Stack, words: int) -> None:
    """Each request once, unmeasured, by users of their own: a worker's first request of a
    kind imports and builds what later ones reuse, as a server in use has done long before."""
    pages_measure(stack, words, 1, username="warm-up-reader")
    study_measure(stack, words, 1, username="warm-up-student")


def reviews_per_second(stack: Stack, words: int, reviews_each: int) -> dict:
    """CLIENTS threads, each a student with a session and a connection of their own,
    reviewing at once."""
    students = [stack.client(f"concurrent-{number}")[0] for number in range(CLIENTS)]
    sessions = [
        client.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}).json()["id"] for client in students
    ]
    statuses: list[int] = []
    start = threading.Barrier(CLIENTS + 1)

    def review(client: Client, session_id: str) -> None:
        start.wait()
        for number in range(reviews_each):
            body = {"word_id": str(number % words + 1), "correct": number % 2 == 0}
            statuses.append(client.post(f"/api/study_sessions/{session_id}/review", body).status_code)

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
    lines = [
        f"{'request':<44} {'median ms':>9} {'p95 ms':>7} {'DDB calls':>9} {'round trips':>11} "
        f"{'DDB ms':>6} {'app ms':>6} {'items':>5}"
    ]
    for row in rows:
        calls, trips = statistics.median(row.dynamodb_calls), statistics.median(row.round_trips)
        waited, own = statistics.median(row.dynamodb_milliseconds), statistics.median(row.app_milliseconds)
        items = statistics.median(row.items)
        lines.append(
            f"{row.request:<44} {row.median:>9.1f} {row.p95:>7.1f} {calls:>9g} {trips:>11g} "
            f"{waited:>6.1f} {own:>6.1f} {items:>5g}"
        )
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
    (WORKSPACE / "static").mkdir()
    stack = Stack(WORKSPACE)
    stack.emulator.start()
    os.environ["AWS_ENDPOINT_URL"] = stack.emulator.endpoint  # read by boto3 as each client is made
    try:
        imports, workers = [], []
        # The large vocabulary first, so that its import sets this process's peak memory.
        stack.reset()
        imports.append(vocabulary_seed(arguments.words, quiet=arguments.quiet))
        with stack.serving() as app:
            worker_warm(stack, arguments.words)
            rows = floor_measure(stack, arguments.repetitions)
            rows += pages_measure(stack, arguments.words, arguments.repetitions)
            rows += study_measure(stack, arguments.words, arguments.repetitions)
            concurrent = reviews_per_second(stack, arguments.words, arguments.reviews_per_client)
            workers.append({"words": arguments.words, **app.worker_memory()})
        stack.reset()
        imports.append(vocabulary_seed(arguments.small_words, quiet=arguments.quiet))
        with stack.serving() as app:
            worker_warm(stack, arguments.small_words)
            rows[1:1] = pages_measure(stack, arguments.small_words, arguments.repetitions)
            workers.append({"words": arguments.small_words, **app.worker_memory()})
    finally:
        stack.emulator.stop()
        shutil.rmtree(WORKSPACE, ignore_errors=True)
    print(table(rows))
    print(
        f"\n{concurrent['clients']} concurrent clients: {concurrent['per_second']:.1f} reviews/s "
        f"({concurrent['stored']} of {concurrent['reviews']} stored in {concurrent['seconds']:.1f} s)"
    )
    for worker in workers:
        print(
            f"web worker after the requests on {worker['words']:,} words: "
            f"RSS {worker['rss_mib']:.0f} MiB, peak {worker['peak_rss_mib']:.0f} MiB (VmHWM)"
        )
    for figures in imports:
        print(
            f"import of {figures['words']:,} words: {figures['seconds']:.1f} s, "
            f"bench process peak RSS {figures['peak_rss_mib']:.0f} MiB (raised {figures['rise_mib']:.0f} MiB by it)"
        )
    if arguments.json:
        figures = {"rows": [asdict(row) for row in rows], "concurrent": concurrent, "workers": workers}
        arguments.json.write_text(json.dumps(figures | {"imports": imports}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
