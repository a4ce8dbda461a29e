"""Server-Timing: each answer says how long its request waited on DynamoDB, calls from
the request's worker threads included, when SERVER_TIMING is on."""

import re

import pytest

TIMING = re.compile(r'dynamodb;dur=(?P<waited>[\d.]+);desc="(?P<calls>\d+) calls", app;dur=(?P<app>-?[\d.]+)')


@pytest.fixture
def timed(settings):
    settings.SERVER_TIMING = True


def timing(response) -> dict:
    found = TIMING.fullmatch(response["Server-Timing"])
    assert found, response["Server-Timing"]
    return {"waited": float(found["waited"]), "calls": int(found["calls"]), "app": float(found["app"])}


def test_a_word_says_its_two_calls_and_their_time(timed, student_api, words, dynamodb_round_trips):
    answer = student_api.get("/api/words/1")

    assert answer.status_code == 200
    measured = timing(answer)
    assert measured["calls"] == len(dynamodb_round_trips.calls) == 2
    assert measured["waited"] > 0 and measured["app"] > 0


def test_a_page_counts_the_calls_of_its_worker_thread_too(timed, student_api, words, dynamodb_round_trips):
    answer = student_api.get("/api/words?per_page=5")

    assert timing(answer)["calls"] == len(dynamodb_round_trips.calls)


def test_no_header_unless_asked_for(student_api, words):
    assert "Server-Timing" not in student_api.get("/api/words/1")
