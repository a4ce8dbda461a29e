"""scripts/bench.py at a tiny size: every figure is there, and the call counts are steady."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench.py"
REPETITIONS = 3
REQUESTS = [
    "GET /api/words page 1 (30 words)",
    "GET /api/words page 2 (30 words)",
    "GET /api/words page 1 (50 words)",
    "GET /api/words page 3 (50 words)",
    "GET /api/words/{id}",
    "POST /api/study_sessions",
    "POST .../review",
    "GET /api/progress/{user_id}",
    "POST /api/ai/generate_hint (new)",
    "POST /api/ai/generate_hint (cached)",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """The bench's printed table and its JSON figures, from one run in its own process
    (it sets up Django and its own emulator, as `make bench` does)."""
    figures = tmp_path_factory.mktemp("bench") / "figures.json"
    arguments = ["--words", "50", "--small-words", "30", "--repetitions", str(REPETITIONS)]
    arguments += ["--reviews-per-client", "2", "--quiet", "--json", str(figures)]
    finished = subprocess.run(
        [sys.executable, str(BENCH), *arguments], capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout, json.loads(figures.read_text())


def test_every_request_has_a_row_in_the_table(bench):
    printed, figures = bench
    assert [row["request"] for row in figures["rows"]] == REQUESTS
    for request in REQUESTS:
        assert request in printed


def test_every_request_is_timed_each_repetition(bench):
    _, figures = bench
    for row in figures["rows"]:
        assert len(row["milliseconds"]) == REPETITIONS, row["request"]
        assert min(row["milliseconds"]) > 0, row["request"]
        assert min(row["dynamodb_milliseconds"]) > 0, row["request"]


def test_each_request_makes_the_same_dynamodb_calls_every_time(bench):
    _, figures = bench
    for row in figures["rows"]:
        assert row["dynamodb_calls"][0] > 0, row["request"]
        assert len(set(row["dynamodb_calls"])) == 1, (row["request"], row["dynamodb_calls"])


def test_a_cached_hint_costs_fewer_calls_than_a_new_one(bench):
    _, figures = bench
    calls = {row["request"]: row["dynamodb_calls"][0] for row in figures["rows"]}
    assert calls["POST /api/ai/generate_hint (cached)"] < calls["POST /api/ai/generate_hint (new)"]


def test_concurrent_reviews_are_all_stored_and_counted(bench):
    printed, figures = bench
    concurrent = figures["concurrent"]
    assert (concurrent["clients"], concurrent["reviews"]) == (20, 40)
    assert concurrent["stored"] == 40
    assert concurrent["per_second"] > 0
    assert "20 concurrent clients:" in printed


def test_imports_report_time_and_memory(bench):
    printed, figures = bench
    assert [figures["words"] for figures in figures["imports"]] == [50, 30]
    for imported in figures["imports"]:
        assert imported["seconds"] > 0
        assert imported["peak_rss_mib"] > 0
    assert "import of 50 words:" in printed
