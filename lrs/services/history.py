"""A student's or a group's review history for teachers, a page at a time.

Each record is one review with its session's columns; a session without reviews is one
record whose review columns are empty. A student's sessions come oldest first, each with
its reviews in the order given. A group's history is every student's sessions of that
group, student after student in the order Cognito lists them.

Only key queries, read as they are taken, never the whole history at once. The tables
have no index of a group's sessions: a group's students are the pool's students (Cognito,
a page of 60 at a time) whose totals name the group (`BatchGetItem` of their items), and
each one's sessions are a query on their user id filtered by the group, which reads (and
pays for) all of that student's sessions. See docs/data-model.md.

A page ends with its position (a dict, JSON-able): where the next page begins. The same
position gives the same records, in the same order, while the history is unchanged; a
group's position holds Cognito's token for its page of students.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from accounts import services as accounts
from langportal.errors import PermissionDenied
from lrs import repositories as repo
from lrs.repositories import Review, Session
from lrs.services.access import Caller, check_may_read
from vocabulary import services as vocabulary

HISTORY_FIELDS = (
    "user_id",
    "username",
    "session_id",
    "started_at",
    "ended_at",
    "group_id",
    "group_name",
    "review_id",
    "word_id",
    "japanese",
    "english",
    "correct",
    "reviewed_at",
)


def history_check(*, caller: Caller, user_id: str | None = None, group_id: str | None = None) -> str:
    """Refuse a caller who may not read this history (a student's: `check_may_read`; a
    group's: teachers only, GroupNotFound for no such group); the history's name."""
    if group_id is not None:
        if not caller.is_teacher:
            raise PermissionDenied("Only teachers may read a group's study history.")
        return vocabulary.group_get(group_id=group_id).name
    check_may_read(caller, user_id)
    student = repo.student_get(user_id)
    return (student.username if student else None) or user_id


def history_count(*, user_id: str | None = None, group_id: str | None = None) -> int:
    """About how many records the history has: its reviews (the group's counters lag a second)."""
    if group_id is not None:
        return repo.group_tallies([group_id])[group_id].reviews
    student = repo.student_get(user_id)
    return student.reviews_count if student else 0


def history_pages(
    *, user_id: str | None = None, group_id: str | None = None, after: dict | None = None, size: int
) -> Iterator[tuple[list[dict], dict]]:
    """The history's records after position `after` (None: from the first), `size` at a
    time, each page with the position after its last record."""
    records = _group_records(group_id, after) if group_id is not None else _student_records(user_id, None, after)
    while page := list(islice(records, size)):
        yield _with_words([record for record, _ in page]), page[-1][1]


def _student_records(user_id: str, group_id: str | None, after: dict | None) -> Iterator[tuple[dict, dict]]:
    student = repo.student_get(user_id)
    username = student.username if student else None
    for session in repo.sessions_from(user_id, first=after and after["session"], group_id=group_id):
        resuming = after is not None and session.id == after["session"]
        written = resuming  # a session resumed from was written already, as its reviews or without
        for review in repo.reviews_after(session.id, after=after["review"] if resuming else None):
            written = True
            yield _record(username, session, review), {"session": session.id, "review": review.id}
        if not written:
            yield _record(username, session, None), {"session": session.id, "review": None}


def _group_records(group_id: str, after: dict | None) -> Iterator[tuple[dict, dict]]:
    token = after["students"] if after else None
    while True:
        members, next_token = accounts.students_page(next_token=token)
        students = repo.students_get([member.sub for member in members if member.sub])
        studied = {student.user_id for student in students if group_id in student.group_ids}
        for index, member in enumerate(members):
            if after is not None and index < after["index"]:
                continue
            if member.sub not in studied:
                continue
            resume = after if after is not None and (index, member.sub) == (after["index"], after["user"]) else None
            for record, place in _student_records(member.sub, group_id, resume):
                yield record, {"students": token, "index": index, "user": member.sub, **place}
        after = None
        if next_token is None:
            return
        token = next_token


def _record(username: str | None, session: Session, review: Review | None) -> dict:
    return {
        "user_id": session.user_id,
        "username": username or "",
        "session_id": session.id,
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "group_id": session.group_id,
        "group_name": session.group_name,
        "review_id": review.id if review else None,
        "word_id": review.word_id if review else None,
        "japanese": None,  # joined per page (_with_words)
        "english": None,
        "correct": review.correct if review else None,
        "reviewed_at": review.created_at.isoformat() if review else None,
    }


def _with_words(records: list[dict]) -> list[dict]:
    """The records with their words' Japanese and English (empty for a word since deleted)."""
    words = {word.id: word for word in vocabulary.words_get(word_ids=list({r["word_id"] for r in records} - {None}))}
    return [
        {
            **record,
            "japanese": words[record["word_id"]].japanese if record["word_id"] in words else None,
            "english": words[record["word_id"]].english if record["word_id"] in words else None,
        }
        for record in records
    ]
