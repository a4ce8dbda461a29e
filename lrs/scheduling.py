"""Spaced repetition with FSRS: each review moves the student's card for the word.

A right answer rates the card Good, a wrong one Again. Cards are stored as JSON on the
student's word statistics, with their due time beside them for the due-cards index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

SCHEDULER = Scheduler(enable_fuzzing=False)


def due_key(moment: datetime) -> str:
    """A due time as the index stores it: UTC, fixed width, so strings sort as times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rating(correct: bool) -> Rating:
    """What an answer rates its card."""
    return Rating.Good if correct else Rating.Again


def card_after(card: str | None, *, word_id: str, correct: bool, now: datetime) -> tuple[str, str]:
    """The card (JSON) and its due key after one review."""
    before = Card.from_dict(json.loads(card)) if card else Card(card_id=int(word_id), due=now)
    after, _ = SCHEDULER.review_card(before, rating(correct), now)
    return json.dumps(after.to_dict()), due_key(after.due)


def retrievability(card: str, now: datetime) -> float:
    """How likely the student still recalls the word now (0 to 1)."""
    return SCHEDULER.get_card_retrievability(Card.from_dict(json.loads(card)), now)


def card_due(card: str) -> datetime:
    return Card.from_dict(json.loads(card)).due
