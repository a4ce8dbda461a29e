"""Erasing one student's data (GDPR): the plan of what would be erased, item by item,
and erasing one item of it.

A plan lists the student's study records as a history reset knows them (sessions, each
with its reviews, word statistics with the FSRS cards, the totals last), then what other
tables keep of them: the xAPI statements that name them (their reviews', and what other
tools sent about them; erasure outranks a statement's immutability) and the xAPI states
and agent profiles of theirs, their
Idempotency-Keys with the answers stored under them, their hint rate counters, and the
audit events that name them as the actor (those stay, naming nobody: the vocabulary's
history is everyone's). Erasing an item is idempotent, and a
review takes itself out of the teachers' counters in the transaction that deletes it, so
they are corrected once however often an erasure runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from langportal import idempotency, ratelimit
from langportal.errors import PermissionDenied
from lrs import repositories as repo
from lrs.repositories import Review
from lrs.services.access import Caller, check_may_read
from vocabulary import services as vocabulary
from xapi.services import documents as xapi_documents
from xapi.services import statements as xapi
from xapi.services.access import student_agent

REVIEW, SESSION, WORD_STAT, XAPI_STATEMENT, XAPI_DOCUMENT, IDEMPOTENCY_KEY, RATE_COUNTER, AUDIT_EVENT, STUDENT = (
    "review",
    "session",
    "word_stat",
    "xapi_statement",
    "xapi_document",
    "idempotency_key",
    "rate_counter",
    "audit_event",
    "student",
)
# What each kind of item is, as a dry run shows it, in the order a plan gives them.
KINDS = {
    REVIEW: "reviews",
    SESSION: "study sessions",
    WORD_STAT: "word statistics and FSRS cards",
    XAPI_STATEMENT: "xAPI statements naming them (theirs, and other tools')",
    XAPI_DOCUMENT: "xAPI states and agent profiles of theirs",
    IDEMPOTENCY_KEY: "Idempotency-Keys and their stored answers",
    RATE_COUNTER: "hint rate counters",
    AUDIT_EVENT: "audit entries naming them (kept, naming nobody)",
    STUDENT: "totals, groups studied and streak",
}
OUTCOMES = {
    REVIEW: "reviews erased",
    SESSION: "sessions erased",
    WORD_STAT: "word statistics erased",
    XAPI_STATEMENT: "xAPI statements erased",
    XAPI_DOCUMENT: "xAPI documents erased",
    IDEMPOTENCY_KEY: "idempotency keys erased",
    RATE_COUNTER: "rate counters erased",
    AUDIT_EVENT: "audit entries anonymised",
    STUDENT: "totals erased",
}


@dataclass(frozen=True)
class ErasureItem:
    """One item to erase: its kind and its key (plain JSON values)."""

    kind: str
    key: dict


@dataclass(frozen=True)
class ErasureSubject:
    """Whose data is erased: the user id, and the username the study records give
    (which the audit names), if they studied."""

    user_id: str
    username: str | None


def check_may_erase(caller: Caller, user_id: str) -> None:
    """Teachers and admins, who may read every student's records and reset them, may
    erase them (403 for others, 404 for what names no user)."""
    if not caller.is_teacher:
        raise PermissionDenied("Only teachers may erase a student's data.")
    check_may_read(caller, user_id)


def erasure_subject(*, caller: Caller, user_id: str) -> ErasureSubject:
    check_may_erase(caller, user_id)
    student = repo.student_get(user_id)
    return ErasureSubject(user_id, student.username if student else None)


def erasure_plan(subject: ErasureSubject) -> Iterator[ErasureItem]:
    """Every item of the student's: each session after its reviews, then the other kinds
    in the order of KINDS, the totals last (as a history reset deletes them)."""
    user_id = subject.user_id
    for session in repo.sessions_from(user_id):
        for review in repo.reviews_after(session.id):
            yield ErasureItem(REVIEW, _review_key(review, session.group_id))
        yield ErasureItem(SESSION, {"user_id": user_id, "session_id": session.id})
    for stat in repo.word_stats_all(user_id):
        yield ErasureItem(WORD_STAT, {"user_id": user_id, "word_id": stat.word_id})
    for statement_id in xapi.statements_naming(student_agent(user_id)):
        yield ErasureItem(XAPI_STATEMENT, {"statement_id": statement_id})
    for scope, document_id in xapi_documents.documents_naming(student_agent(user_id)):
        yield ErasureItem(XAPI_DOCUMENT, {"scope": scope, "document_id": document_id})
    for key in idempotency.keys_of_user(user_id):
        yield ErasureItem(IDEMPOTENCY_KEY, {"key": key})
    for key in ratelimit.counter_keys_of(user_id):
        yield ErasureItem(RATE_COUNTER, {"key": key})
    if subject.username:
        for audit_subject, event_id in vocabulary.audit_events_by_actor(actor=subject.username):
            yield ErasureItem(AUDIT_EVENT, {"subject": audit_subject, "event_id": event_id, "actor": subject.username})
    if repo.student_get(user_id) is not None:
        yield ErasureItem(STUDENT, {"user_id": user_id})


def erasure_counts(items: Iterable[ErasureItem]) -> dict[str, int]:
    """How many items of each kind, every kind named (a dry run's figures)."""
    counted = Counter(item.kind for item in items)
    return {kind: counted[kind] for kind in KINDS}


def erasure_item_erase(item: ErasureItem) -> str:
    """Erase one item (gone already is fine); the outcome, for the job's counts."""
    key = item.key
    if item.kind == REVIEW:
        repo.review_erase(_review(key), group_id=key["group_id"])
    elif item.kind == SESSION:
        repo.session_delete(key["user_id"], key["session_id"])
    elif item.kind == WORD_STAT:
        repo.word_stat_delete(key["user_id"], key["word_id"])
    elif item.kind == XAPI_STATEMENT:
        xapi.statement_erase(key["statement_id"])
    elif item.kind == XAPI_DOCUMENT:
        xapi_documents.document_erase(key["scope"], key["document_id"])
    elif item.kind == IDEMPOTENCY_KEY:
        idempotency.key_forget(key["key"])
    elif item.kind == RATE_COUNTER:
        ratelimit.counter_forget(key["key"])
    elif item.kind == AUDIT_EVENT:
        vocabulary.audit_actor_erase(subject=key["subject"], event_id=key["event_id"], actor=key["actor"])
    elif item.kind == STUDENT:
        repo.student_delete(key["user_id"])
    else:
        raise ValueError(f"No kind of erased item is called {item.kind!r}.")
    return OUTCOMES[item.kind]


def _review_key(review: Review, group_id: str) -> dict:
    """A review's key with what its counters are named by (a review never changes)."""
    return {
        "session_id": review.session_id,
        "review_id": review.id,
        "user_id": review.user_id,
        "word_id": review.word_id,
        "correct": review.correct,
        "created_at": review.created_at.isoformat(),
        "group_id": group_id,
    }


def _review(key: dict) -> Review:
    return Review(
        key["review_id"],
        key["session_id"],
        key["user_id"],
        key["word_id"],
        key["correct"],
        datetime.fromisoformat(key["created_at"]),
    )
