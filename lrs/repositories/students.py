"""A student's totals and streak (kept by every review) and the index of streaks that
break."""

from __future__ import annotations

from dataclasses import dataclass

from langportal.errors import Conflict
from langportal.storage.dynamo import batch_get, dynamodb_errors
from langportal.storage.retry import retrying
from lrs.models import StudentModel
from lrs.repositories.reads import item_get


@dataclass(frozen=True)
class Student:
    user_id: str
    username: str | None = None
    sessions_count: int = 0
    reviews_count: int = 0
    correct_count: int = 0
    words_studied: int = 0
    group_ids: frozenset[str] = frozenset()
    time_zone: str | None = None
    last_study_day: str | None = None
    current_streak: int = 0
    longest_streak: int = 0
    streak_expires_at: str | None = None


@dataclass(frozen=True)
class Streak:
    """A student's streak after a review: what to store."""

    last_study_day: str
    current: int
    longest: int
    expiry_day: str
    expires_at: str


def _student(item: StudentModel) -> Student:
    return Student(
        user_id=item.user_id,
        username=item.username,
        sessions_count=int(item.sessions_count),
        reviews_count=int(item.reviews_count),
        correct_count=int(item.correct_count),
        words_studied=int(item.words_studied),
        group_ids=frozenset(item.group_ids or ()),
        time_zone=item.time_zone,
        last_study_day=item.last_study_day,
        current_streak=int(item.current_streak),
        longest_streak=int(item.longest_streak),
        streak_expires_at=item.streak_expires_at,
    )


def student_get(user_id: str) -> Student | None:
    item = item_get(StudentModel, user_id)
    return _student(item) if item else None


def students_get(user_ids: list[str]) -> list[Student]:
    return [_student(item) for item in batch_get(StudentModel, user_ids)]


def streaks_expiring(day: str, *, until: str) -> list[tuple[str, str]]:
    """(user id, expiry) of live streaks that break on UTC `day` no later than `until`
    (index streak-expiry, eventually consistent: callers read the students again)."""
    with dynamodb_errors():
        return [
            (item.user_id, item.streak_expires_at)
            for item in StudentModel.streak_expiry.query(day, StudentModel.streak_expires_at <= until)
        ]


def streak_reset(user_id: str, expires_at: str) -> bool:
    """Set a broken streak to 0, unless a review renewed it since; True when reset.

    The condition also takes a streak already reset, so that botocore resending the update
    after its answer was lost finds it done, not refused.
    """
    unchanged = StudentModel.streak_expires_at == expires_at
    done = StudentModel.streak_expires_at.does_not_exist() & (StudentModel.current_streak == 0)

    def reset() -> bool:
        try:
            with dynamodb_errors():
                StudentModel(user_id).update(
                    actions=[
                        StudentModel.current_streak.set(0),
                        StudentModel.streak_expiry_day.remove(),
                        StudentModel.streak_expires_at.remove(),
                    ],
                    condition=unchanged | done,
                )
        except Conflict:
            return False
        return True

    return retrying(reset)
