"""scripts/bench.py at a tiny size: every figure is there, and the call counts are steady."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench.py"
REPETITIONS = 3
PAGES = [
    "GET /api/words page 1 (30 words)",
    "GET /api/words page 2 (30 words)",
    "GET /api/words page 1 (50 words)",
    "GET /api/words page 3 (50 words)",
]
REQUESTS = [
    "GET /healthz (no token, no DynamoDB)",
    *PAGES,
    "GET /api/words/{id}",
    "POST /api/study_sessions",
    "POST .../review",
    "POST /api/ai/generate_hint (new)",
    "POST /api/ai/generate_hint (cached)",
    "GET /api/groups",
    "GET /api/groups/{id}/words",
    "GET /api/study_sessions/{user_id}",
    "GET /api/study_sessions/{user_id}/{id}",
    "GET /api/progress/{user_id}",
    "GET /api/progress/{user_id}/words",
    "GET /api/recommendations/{user_id}",
]
# A page of words reads its words and the student's counts of them at once, from two threads
# of the app (lrs.services.words_list_studied): whether the two calls overlap at the emulator
# depends on which thread runs first, so the page waits on one round trip fewer, or not.
AT_ONCE = {*PAGES, "GET /api/groups/{id}/words"}
# A hint reads every word spelled as the one asked about: a different word each repetition.
HINTS = {"POST /api/ai/generate_hint (new)", "POST /api/ai/generate_hint (cached)"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """The bench's printed table and its JSON figures, from one run in its own process
    (it sets up Django, its own emulator and gunicorn, as `make bench` does)."""
    figures = tmp_path_factory.mktemp("bench") / "figures.json"
    arguments = ["--words", "50", "--small-words", "30", "--repetitions", str(REPETITIONS)]
    arguments += ["--reviews-per-client", "2", "--quiet", "--json", str(figures)]
    finished = subprocess.run(
        [sys.executable, str(BENCH), *arguments], capture_output=True, text=True, timeout=180, check=False
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout, json.loads(figures.read_text())


def rows(figures) -> dict:
    return {row["request"]: row for row in figures["rows"]}


def test_every_request_has_a_row_in_the_table(bench):
    printed, figures = bench
    assert [row["request"] for row in figures["rows"]] == REQUESTS
    for request in REQUESTS:
        assert request in printed


def test_every_request_is_timed_each_repetition(bench):
    _, figures = bench
    for request, row in rows(figures).items():
        assert len(row["milliseconds"]) == REPETITIONS, request
        assert min(row["milliseconds"]) > 0, request
        if row["dynamodb_calls"][0]:
            assert min(row["dynamodb_milliseconds"]) > 0, request


def test_the_dynamodb_time_on_the_critical_path_lies_within_the_request(bench):
    _, figures = bench
    for request, row in rows(figures).items():
        for total, waited, own in zip(
            row["milliseconds"], row["dynamodb_milliseconds"], row["app_milliseconds"], strict=True
        ):
            assert 0 <= waited <= total, request
            assert own == pytest.approx(total - waited), request


def test_each_request_makes_the_same_dynamodb_calls_every_time(bench):
    _, figures = bench
    for request, row in rows(figures).items():
        assert len(set(row["dynamodb_calls"])) == 1, (request, row["dynamodb_calls"])
        assert (row["dynamodb_calls"][0] > 0) == (request != "GET /healthz (no token, no DynamoDB)"), request


def test_round_trips_are_steady_and_never_more_than_the_calls(bench):
    _, figures = bench
    for request, row in rows(figures).items():
        calls = row["dynamodb_calls"][0]
        if request in AT_ONCE:
            assert set(row["round_trips"]) <= {calls - 1, calls}, (request, row["round_trips"])
        else:
            assert row["round_trips"] == [calls] * REPETITIONS, (request, row["round_trips"])


def test_each_request_reads_the_same_items_every_time(bench):
    _, figures = bench
    for request, row in rows(figures).items():
        assert len(row["items"]) == REPETITIONS, request
        if request not in HINTS:
            assert len(set(row["items"])) == 1, (request, row["items"])
    reads = {request: row["items"][0] for request, row in rows(figures).items()}
    assert reads["GET /api/words page 1 (50 words)"] >= 20  # the page's words, and the index's nodes
    assert reads["GET /api/words page 3 (50 words)"] >= 10
    assert reads["GET /api/words/{id}"] >= 1


def test_a_cached_hint_costs_fewer_calls_than_a_new_one(bench):
    _, figures = bench
    calls = {request: row["dynamodb_calls"][0] for request, row in rows(figures).items()}
    assert calls["POST /api/ai/generate_hint (cached)"] < calls["POST /api/ai/generate_hint (new)"]


def test_concurrent_reviews_are_all_stored_and_counted(bench):
    printed, figures = bench
    concurrent = figures["concurrent"]
    assert (concurrent["clients"], concurrent["reviews"]) == (20, 40)
    assert concurrent["stored"] == 40
    assert concurrent["per_second"] > 0
    assert "20 concurrent clients:" in printed


def test_the_web_workers_memory_is_reported_and_the_workers_are_stopped(bench):
    printed, figures = bench
    assert [worker["words"] for worker in figures["workers"]] == [50, 30]
    for worker in figures["workers"]:
        assert 0 < worker["rss_mib"] <= worker["peak_rss_mib"]
        assert not Path(f"/proc/{worker['pid']}").exists()
    assert "web worker after the requests on 50 words: RSS" in printed


def test_imports_report_time_and_memory(bench):
    printed, figures = bench
    assert [figures["words"] for figures in figures["imports"]] == [50, 30]
    for imported in figures["imports"]:
        assert imported["seconds"] > 0
        assert imported["peak_rss_mib"] > 0
    assert "import of 50 words:" in printed
