"""The study flow: a student starts a session, answers in it, ends it; a teacher may
reset a student's whole history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ulid import ULID

from langportal.errors import PermissionDenied
from langportal.idempotency import Idempotency, KeyClaimed, idempotent
from langportal.ids import is_ulid, is_user_id
from lrs import repositories as repo
from lrs import scheduling
from lrs.repositories import Review, Session
from lrs.services import statements
from lrs.services.access import Caller, Listing, check_may_read, listing_read
from lrs.services.errors import SessionEnded, SessionNotFound
from lrs.services.streaks import streak_after
from vocabulary import services as vocabulary


@dataclass(frozen=True)
class SessionDetail:
    session: Session
    reviews: Listing


def session_start(
    *,
    caller: Caller,
    group_id: str,
    activity: str,
    time_zone: str | None = None,
    now: datetime | None = None,
    idempotency: Idempotency | None = None,
) -> Session:
    now = now or datetime.now(UTC)
    group = vocabulary.group_get(group_id=group_id)

    def start() -> Session:
        session = Session(
            id=str(ULID.from_datetime(now)),
            user_id=caller.sub,
            group_id=group.id,
            group_name=group.name,
            activity=activity,
            started_at=now,
        )
        repo.session_create(
            session,
            time_zone=time_zone,
            username=getattr(caller, "username", None),
            claim=idempotency and idempotency.claim(session),
            statement=statements.session_started(session),
        )
        return session

    return idempotent(idempotency, Session, start)


def session_get(*, user_id: str, session_id: str) -> Session:
    if not (is_user_id(user_id) and is_ulid(session_id)):
        raise SessionNotFound()  # names no session, and DynamoDB might refuse it as a key
    session = repo.session_get(user_id, session_id)
    if session is None:
        raise SessionNotFound(f"No study session {session_id}.")
    return session


def sessions_list(*, caller: Caller, user_id: str, limit: int, cursor: str | None = None) -> Listing:
    """A student's sessions, newest first."""
    check_may_read(caller, user_id)
    return listing_read(
        lambda start: repo.sessions_page(user_id, limit=limit, start=start),
        scope=f"sessions:{user_id}",
        cursor=cursor,
    )


def session_detail(
    *, caller: Caller, user_id: str, session_id: str, limit: int, cursor: str | None = None
) -> SessionDetail:
    """A session with a page of its reviews, in the order given."""
    check_may_read(caller, user_id)
    session = session_get(user_id=user_id, session_id=session_id)
    reviews = listing_read(
        lambda start: repo.reviews_page(session_id, limit=limit, start=start),
        scope=f"reviews:{session_id}",
        cursor=cursor,
    )
    return SessionDetail(session, reviews)


def session_end(
    *, caller: Caller, session_id: str, now: datetime | None = None, idempotency: Idempotency | None = None
) -> Session:
    """End one's own session; ending it twice is a conflict."""

    def end() -> Session:
        session = session_get(user_id=caller.sub, session_id=session_id)
        if session.ended_at is not None:
            raise SessionEnded("This study session has already ended.")
        ended = replace(session, ended_at=now or datetime.now(UTC))
        try:
            repo.session_end(
                caller.sub,
                session_id,
                ended.ended_at,
                claim=idempotency and idempotency.claim(ended),
                statement=statements.session_completed(session, ended_at=ended.ended_at),
            )
        except repo.SessionClosed:
            if idempotency is not None and idempotency.stored_answer() is not None:
                raise KeyClaimed() from None  # a twin under the same key ended it: answer as it was answered
            raise SessionEnded("This study session has already ended.") from None  # by a request that raced ours
        return ended

    return idempotent(idempotency, Session, end)


def review_record(
    *,
    caller: Caller,
    session_id: str,
    word_id: str,
    correct: bool,
    idempotency: Idempotency | None = None,
    now: datetime | None = None,
) -> Review:
    """Log one answer in one's own open session, once per Idempotency-Key.

    The review, the session's counters, the word statistics with the FSRS card, and
    the student's totals and streak are written in one transaction; a race with another
    review of the same word or day is retried on fresh reads.
    """
    now = now or datetime.now(UTC)
    review = Review(str(ULID.from_datetime(now)), session_id, caller.sub, word_id, correct, now)

    def record() -> Review:
        session = session_get(user_id=caller.sub, session_id=session_id)
        if session.ended_at is not None:
            raise SessionEnded()
        word = vocabulary.word_get(word_id=word_id)
        student = repo.student_get(caller.sub)
        stat = repo.word_stat_get(caller.sub, word_id)
        try:
            repo.review_put(
                review,
                stat_before=stat,
                group_id=session.group_id,
                card=scheduling.card_after(stat.card if stat else None, word_id=word_id, correct=correct, now=now),
                streak=streak_after(student, now),
                streak_before=student.last_study_day if student else None,
                claim=idempotency and idempotency.claim(review),
                statement=statements.review_answered(
                    review, session, japanese=word.japanese, english=word.english, rating=scheduling.rating(correct)
                ),
            )
        except repo.ReviewStored:
            pass  # an earlier attempt was stored after all
        except repo.SessionClosed:
            raise SessionEnded() from None  # ended while we read
        return review

    return idempotent(idempotency, Review, record)


def history_reset(*, caller: Caller, user_id: str) -> None:
    """A teacher clears one student's sessions, reviews, statistics and streak."""
    if not caller.is_teacher:
        raise PermissionDenied("Only teachers may reset a student's history.")
    check_may_read(caller, user_id)
    repo.history_delete(user_id)
