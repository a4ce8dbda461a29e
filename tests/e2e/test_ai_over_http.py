"""Hints and recommendations through gunicorn and the local stack."""

import pytest

from .test_study_over_http import new_student, start

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_offline_hints_grounded_and_cached(stack):
    api, _ = new_student(stack)
    first = api.post("/api/ai/generate_hint", json={"word": "こんにちは", "context": "Basic Greetings"})
    assert first.status_code == 200
    body = first.json()
    assert (body["word"], body["romaji"], body["english"], body["source"]) == (
        "こんにちは",
        "konnichiwa",
        "hello",
        "offline",
    )
    again = api.post("/api/ai/generate_hint", json={"word": "こんにちは", "context": "Basic Greetings"}).json()
    assert again["cached"] is True and again["ai_hint"] == body["ai_hint"]
    # A word of the dictionary that neither the starter vocabulary nor any other test adds.
    unknown = api.post("/api/ai/generate_hint", json={"word": "冷蔵庫", "context": "Kitchen"}).json()
    assert (unknown["romaji"], unknown["english"]) == ("reizouko", "refrigerator, fridge")


def test_recommendations_follow_reviews(stack):
    api, user_id = new_student(stack)
    session = start(api, group_id="1")
    api.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": "1", "correct": False})
    body = api.get(f"/api/recommendations/{user_id}?limit=3").json()
    assert [item["reason"] for item in body["recommendations"]] == ["new", "new", "new"]
    assert "1" not in [item["word_id"] for item in body["recommendations"]]  # due again in a minute, not yet
