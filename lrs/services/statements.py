"""The study records as xAPI statements: a session's start is `attempted`, each review
`answered`, its end `completed`, each written in the transaction that records it, so an
xAPI client reading `/xapi/statements?registration=<session>` sees the session as it
happened.

A statement's id is its record's ULID as a UUID (a review's, or the session's for its
start), so recording the same thing again makes the same statement, never a second.
The session's end is the session's ULID with its last bit flipped: a ULID's last bits
are random, and no review of the session can take it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from ulid import ULID

from lrs.repositories import Review, Session
from xapi.services import statements as xapi
from xapi.services.access import student_agent

ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
MODULE = "http://adlnet.gov/expapi/activities/module"


def extension(name: str) -> str:
    """An IRI of ours for an extension: the FSRS rating, the session's activity."""
    return f"{settings.XAPI_IRI}/extensions/{name}"


def word_activity_id(word_id: str) -> str:
    return f"{settings.XAPI_IRI}/activities/words/{word_id}"


def group_activity_id(group_id: str) -> str:
    return f"{settings.XAPI_IRI}/activities/groups/{group_id}"


def registration(session_id: str) -> str:
    """A session's ULID as the UUID xAPI registers it under."""
    return str(ULID.from_str(session_id).to_uuid())


def _statement_id(ulid: str, *, flip: bool = False) -> str:
    value = int(ULID.from_str(ulid)) ^ (1 if flip else 0)
    return str(ULID.from_int(value).to_uuid())


def _group(session: Session) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": group_activity_id(session.group_id),
        "definition": {"type": MODULE, "name": {"en": session.group_name}},
    }


def _context(session: Session) -> dict[str, Any]:
    return {
        "registration": registration(session.id),
        "contextActivities": {"parent": [{"objectType": "Activity", "id": group_activity_id(session.group_id)}]},
        "platform": "langportal",
        "language": "ja",
        "extensions": {extension("activity"): session.activity},
    }


def session_started(session: Session) -> xapi.StatementWrite:
    statement = {
        "id": _statement_id(session.id),
        "actor": student_agent(session.user_id),
        "verb": {"id": ATTEMPTED, "display": {"en-US": "attempted"}},
        "object": _group(session),
        "context": {key: value for key, value in _context(session).items() if key != "contextActivities"},
        "timestamp": _time(session.started_at),
    }
    return xapi.statement_made(statement, stored=session.started_at)


def review_answered(
    review: Review, session: Session, *, japanese: str, english: str, rating: int
) -> xapi.StatementWrite:
    statement = {
        "id": _statement_id(review.id),
        "actor": student_agent(review.user_id),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": word_activity_id(review.word_id),
            "definition": {"type": INTERACTION, "name": {"ja": japanese, "en": english}, "interactionType": "other"},
        },
        "result": {"success": review.correct, "extensions": {extension("fsrs-rating"): rating}},
        "context": _context(session),
        "timestamp": _time(review.created_at),
    }
    return xapi.statement_made(statement, stored=review.created_at)


def session_completed(session: Session, *, ended_at: datetime) -> xapi.StatementWrite:
    result: dict[str, Any] = {"completion": True, "duration": _duration(ended_at - session.started_at)}
    if session.review_items_count:
        result["score"] = {"raw": session.correct_count, "min": 0, "max": session.review_items_count}
    statement = {
        "id": _statement_id(session.id, flip=True),
        "actor": student_agent(session.user_id),
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": _group(session),
        "result": result,
        "context": {key: value for key, value in _context(session).items() if key != "contextActivities"},
        "timestamp": _time(ended_at),
    }
    return xapi.statement_made(statement, stored=ended_at)


def _time(moment: datetime) -> str:
    return xapi.timestamp(moment)


def _duration(elapsed) -> str:
    """An ISO 8601 duration, to the hundredth of a second."""
    return f"PT{max(elapsed.total_seconds(), 0):.2f}S"
