"""A student's study sessions: a query on their user id, newest first (ids are ULIDs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from langportal.errors import Contended
from langportal.idempotency import Claim
from langportal.storage.dynamo import Staged, Transaction, dynamodb_errors
from lrs.models import StudentModel, StudySessionModel
from lrs.repositories.errors import SessionClosed
from lrs.repositories.reads import Cursor, item_get, page_read


@dataclass(frozen=True)
class Session:
    id: str
    user_id: str
    group_id: str
    group_name: str
    activity: str
    started_at: datetime
    ended_at: datetime | None = None
    last_review_at: datetime | None = None
    review_items_count: int = 0
    correct_count: int = 0


def _session(item: StudySessionModel) -> Session:
    return Session(
        id=item.session_id,
        user_id=item.user_id,
        group_id=item.group_id,
        group_name=item.group_name,
        activity=item.activity,
        started_at=item.started_at,
        ended_at=item.ended_at,
        last_review_at=item.last_review_at,
        review_items_count=int(item.review_items_count),
        correct_count=int(item.correct_count),
    )


def session_open():
    """The condition that a session exists and has not ended (SessionClosed otherwise)."""
    return StudySessionModel.session_id.exists() & StudySessionModel.ended_at.does_not_exist()


def session_create(
    session: Session,
    *,
    time_zone: str | None,
    username: str | None = None,
    claim: Claim | None = None,
    statement: Staged | None = None,
):
    """Store a new session and count it for the student, with its statement, in one transaction."""
    transaction = Transaction()
    item = StudySessionModel(
        session.user_id,
        session.id,
        group_id=session.group_id,
        group_name=session.group_name,
        activity=session.activity,
        started_at=session.started_at,
    )
    transaction.put(item, condition=StudySessionModel.session_id.does_not_exist(), failure=Contended)
    actions = [StudentModel.sessions_count.add(1), StudentModel.group_ids.add({session.group_id})]
    if time_zone:
        actions.append(StudentModel.time_zone.set(time_zone))
    if username:
        actions.append(StudentModel.username.set(username))
    transaction.update(StudentModel(session.user_id), actions)
    for staged in (claim, statement):
        if staged:
            staged.stage(transaction)
    transaction.commit()


def session_get(user_id: str, session_id: str) -> Session | None:
    item = item_get(StudySessionModel, user_id, session_id)
    return _session(item) if item else None


def sessions_page(user_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    """A student's sessions, newest first."""
    return page_read(
        lambda: StudySessionModel.query(
            user_id,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=start,
            consistent_read=True,
        ),
        _session,
    )


def sessions_from(user_id: str, *, first: str | None = None, group_id: str | None = None) -> Iterator[Session]:
    """A student's sessions oldest first, from session id `first` on (itself included),
    read a page at a time as they are taken. With `group_id`, that group's only: the
    filter is applied after the read, so every session of the student is read (and paid)."""
    condition = StudySessionModel.session_id >= first if first else None
    with dynamodb_errors():
        yield from map(
            _session,
            StudySessionModel.query(
                user_id,
                range_key_condition=condition,
                filter_condition=StudySessionModel.group_id == group_id if group_id else None,
                consistent_read=True,
            ),
        )


def session_end(
    user_id: str, session_id: str, ended_at: datetime, *, claim: Claim | None = None, statement: Staged | None = None
) -> None:
    """Set end_time once, with its statement; SessionClosed when the session is missing or
    already ended."""
    transaction = Transaction()
    transaction.update(
        StudySessionModel(user_id, session_id),
        [StudySessionModel.ended_at.set(ended_at)],
        condition=session_open(),
        failure=SessionClosed,
    )
    for staged in (claim, statement):
        if staged:
            staged.stage(transaction)
    transaction.commit()
