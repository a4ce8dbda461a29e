"""A student's whole history: deleted at once (a teacher's reset) or one item at a time
(an erasure, whose items `sessions`, `reviews` and `word_stats` list by key)."""

from __future__ import annotations

from langportal.errors import Conflict
from langportal.storage.dynamo import Transaction, batch_write
from lrs.models import ReviewModel, StudentModel, StudySessionModel, WordStatModel
from lrs.repositories.counters import counters_stage
from lrs.repositories.reviews import Review, reviews_after
from lrs.repositories.sessions import sessions_from
from lrs.repositories.word_stats import word_stats_all


class ReviewGone(Conflict):
    """The review was erased already: its counters were corrected then."""


def history_delete(user_id: str) -> None:
    """Delete every session, review and word statistic, and the totals, of one student.

    Not one transaction (a history can be large): the totals go last, and running it
    again finishes what an interrupted run left.
    """
    for session in sessions_from(user_id):
        batch_write(ReviewModel, deletes=[(session.id, review.id) for review in reviews_after(session.id)])
        batch_write(StudySessionModel, deletes=[(user_id, session.id)])
    batch_write(WordStatModel, deletes=[(user_id, stat.word_id) for stat in word_stats_all(user_id)])
    batch_write(StudentModel, deletes=[user_id])


def review_erase(review: Review, *, group_id: str) -> bool:
    """Delete a review and take it out of the teachers' counters, in one transaction, so
    that the counters are corrected once however often this runs; False when the review
    was gone already."""
    transaction = Transaction()
    transaction.delete(
        ReviewModel(review.session_id, review.id), condition=ReviewModel.review_id.exists(), failure=ReviewGone
    )
    counters_stage(transaction, review, group_id, sign=-1)
    try:
        transaction.commit()
    except ReviewGone:
        return False
    return True


def session_delete(user_id: str, session_id: str) -> None:
    batch_write(StudySessionModel, deletes=[(user_id, session_id)])


def word_stat_delete(user_id: str, word_id: str) -> None:
    """A word statistic with its FSRS card."""
    batch_write(WordStatModel, deletes=[(user_id, word_id)])


def student_delete(user_id: str) -> None:
    """A student's totals, groups studied and streak."""
    batch_write(StudentModel, deletes=[user_id])
