"""A session's reviews (a query on the session id, in the order given) and the one
transaction that records a review with everything it changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from langportal.idempotency import Claim
from langportal.storage.dynamo import Staged, Transaction, dynamodb_errors
from lrs.models import ReviewModel, StudentModel, StudySessionModel, WordStatModel
from lrs.repositories.counters import counters_stage
from lrs.repositories.errors import ReviewStored, SessionClosed, StudyMoved
from lrs.repositories.reads import Cursor, page_read
from lrs.repositories.sessions import session_open
from lrs.repositories.students import Streak
from lrs.repositories.word_stats import WordStat


@dataclass(frozen=True)
class Review:
    id: str
    session_id: str
    user_id: str
    word_id: str
    correct: bool
    created_at: datetime


def _review(item: ReviewModel) -> Review:
    return Review(item.review_id, item.session_id, item.user_id, item.word_id, item.correct, item.created_at)


def reviews_page(session_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    """A session's reviews in the order they were given."""
    return page_read(
        lambda: ReviewModel.query(
            session_id, limit=limit, page_size=limit, last_evaluated_key=start, consistent_read=True
        ),
        _review,
    )


def reviews_after(session_id: str, *, after: str | None = None) -> Iterator[Review]:
    """A session's reviews in the order given, after review id `after`, read a page at a
    time as they are taken."""
    condition = ReviewModel.review_id > after if after else None
    with dynamodb_errors():
        yield from map(_review, ReviewModel.query(session_id, range_key_condition=condition, consistent_read=True))


def review_put(
    review: Review,
    *,
    stat_before: WordStat | None,
    group_id: str,
    card: tuple[str, str],
    streak: Streak | None,
    streak_before: str | None,
    claim: Claim | None = None,
    statement: Staged | None = None,
) -> None:
    """Record one review: the review, its xAPI statement, the request's Idempotency-Key
    (`claim`), the session's counters, the student's word statistics and card, their totals, and the
    teachers' counters change in one transaction, or none of them does.

    Conditions guard what may have moved since it was read: the session (SessionClosed:
    ended or gone), the word statistic and the student's last day (StudyMoved: another
    review of the same word or day got there first; the card and streak were computed
    from what was read).
    """
    transaction = Transaction()
    transaction.put(
        ReviewModel(
            review.session_id,
            review.id,
            user_id=review.user_id,
            word_id=review.word_id,
            correct=review.correct,
            created_at=review.created_at,
        ),
        condition=ReviewModel.review_id.does_not_exist(),
        failure=ReviewStored,
    )
    for staged in (claim, statement):
        if staged:
            staged.stage(transaction)
    _session_stage(transaction, review)
    _word_stat_stage(transaction, review, stat_before, card)
    _student_stage(transaction, review, first_of_word=stat_before is None, streak=streak, streak_before=streak_before)
    counters_stage(transaction, review, group_id)
    transaction.commit()


def _session_stage(transaction: Transaction, review: Review) -> None:
    transaction.update(
        StudySessionModel(review.user_id, review.session_id),
        [
            StudySessionModel.review_items_count.add(1),
            StudySessionModel.correct_count.add(1 if review.correct else 0),
            StudySessionModel.last_review_at.set(review.created_at),
        ],
        condition=session_open(),
        failure=SessionClosed,
    )


def _word_stat_stage(transaction: Transaction, review: Review, before: WordStat | None, card: tuple[str, str]) -> None:
    correct = 1 if review.correct else 0
    transaction.update(
        WordStatModel(review.user_id, review.word_id),
        [
            WordStatModel.correct_count.add(correct),
            WordStatModel.wrong_count.add(1 - correct),
            WordStatModel.last_reviewed_at.set(review.created_at),
            WordStatModel.card.set(card[0]),
            WordStatModel.due.set(card[1]),
        ],
        condition=(
            WordStatModel.word_id.does_not_exist()
            if before is None
            else WordStatModel.last_reviewed_at == before.last_reviewed_at
        ),
        failure=StudyMoved,
    )


def _student_stage(
    transaction: Transaction, review: Review, *, first_of_word: bool, streak: Streak | None, streak_before: str | None
) -> None:
    correct = 1 if review.correct else 0
    actions = [
        StudentModel.reviews_count.add(1),
        StudentModel.correct_count.add(correct),
        StudentModel.words_studied.add(1 if first_of_word else 0),
    ]
    condition = None
    if streak is not None:
        actions += [
            StudentModel.last_study_day.set(streak.last_study_day),
            StudentModel.current_streak.set(streak.current),
            StudentModel.longest_streak.set(streak.longest),
            StudentModel.streak_expiry_day.set(streak.expiry_day),
            StudentModel.streak_expires_at.set(streak.expires_at),
        ]
        condition = (
            StudentModel.last_study_day.does_not_exist()
            if streak_before is None
            else StudentModel.last_study_day == streak_before
        )
    transaction.update(StudentModel(review.user_id), actions, condition=condition, failure=StudyMoved)
