"""Streaks: days in a row, in the student's time zone, with at least one review."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lrs import repositories as repo
from lrs.repositories import Streak, Student

STREAK_LOOKBACK_DAYS = 7  # how far back the streak job looks for streaks that broke


def _zone(student: Student | None) -> ZoneInfo:
    return ZoneInfo(student.time_zone if student and student.time_zone else "UTC")


def instant(moment: datetime) -> str:
    """A moment as a streak's expiry is stored: UTC, to the second, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def streak_after(student: Student | None, now: datetime) -> Streak | None:
    """The streak once a review at `now` is counted; None when today already counted.

    A streak counts days, in the student's time zone, with at least one review. It
    breaks when a whole day passes without one: at the start of the day after next.
    """
    zone = _zone(student)
    today = now.astimezone(zone).date()
    last = date.fromisoformat(student.last_study_day) if student and student.last_study_day else None
    if last == today:
        return None
    current = student.current_streak + 1 if last == today - timedelta(days=1) else 1
    expires = datetime.combine(today + timedelta(days=2), time(0), tzinfo=zone).astimezone(UTC)
    return Streak(
        last_study_day=today.isoformat(),
        current=current,
        longest=max(current, student.longest_streak if student else 0),
        expiry_day=expires.date().isoformat(),
        expires_at=instant(expires),
    )


def current_streak(student: Student | None, now: datetime) -> int:
    """The streak as it stands now, even before the daily job has reset a broken one."""
    if student is None or not student.streak_expires_at or student.streak_expires_at <= instant(now):
        return 0
    return student.current_streak


def streaks_reset(*, now: datetime | None = None, lookback_days: int = STREAK_LOOKBACK_DAYS) -> int:
    """Set to 0 the stored streaks that broke; returns how many.

    Reads only live streaks that expired, day by day over the last `lookback_days`
    UTC days: the work grows with the students who study, not with their reviews.
    Running it twice resets nothing more.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    until = instant(now)
    reset = 0
    for days_ago in range(lookback_days, -1, -1):
        day = (now - timedelta(days=days_ago)).date().isoformat()
        for user_id, expires_at in repo.streaks_expiring(day, until=until):
            reset += repo.streak_reset(user_id, expires_at)
    return reset
