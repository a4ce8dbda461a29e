"""The teachers' statistics: the dashboard (reviews per day, success per group, the
hardest words, the active students) and one student's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from langportal.paging import PER_PAGE_MAX
from lrs import repositories as repo
from lrs.repositories import Session, Student, WordStat
from lrs.services.access import Caller
from lrs.services.progress import Progress, progress_get, success_rate
from lrs.services.streaks import current_streak, instant
from vocabulary import services as vocabulary

HARDEST_MIN_REVIEWS = 3
REPORT_SESSIONS = 50  # a student's report shows their latest sessions, not all


@dataclass(frozen=True)
class Tally:
    """Reviews and right answers of something (a day, a group, a word)."""

    label: str
    reviews: int
    correct: int
    group_id: str | None = None  # a group's tally: the group, for its history export

    @property
    def success_rate(self) -> float:
        return success_rate(self.correct, self.reviews)


@dataclass(frozen=True)
class Dashboard:
    days: list[Tally]
    groups: list[Tally]
    hardest: list[tuple[vocabulary.Word, Tally]]
    active: list[tuple[Student, int]]


def dashboard(*, now: datetime | None = None, days: int = 30, hardest: int = 10) -> Dashboard:
    """Reviews per day, success per group, the hardest words and the active students."""
    now = (now or datetime.now(UTC)).astimezone(UTC)  # the counters count UTC days
    dates = [(now - timedelta(days=back)).date().isoformat() for back in range(days - 1, -1, -1)]
    groups = _groups_all()
    per_day = repo.day_tallies(dates)
    per_group = repo.group_tallies([group.id for group in groups])
    return Dashboard(
        days=[Tally(day, per_day[day].reviews, per_day[day].correct) for day in dates],
        groups=[
            Tally(group.name, per_group[group.id].reviews, per_group[group.id].correct, group.id) for group in groups
        ],
        hardest=_hardest(hardest),
        active=students_active(now=now),
    )


def _groups_all() -> list[vocabulary.Group]:
    """Every group in name order, read page after page."""
    groups, number = [], 1
    while True:
        page = vocabulary.groups_list(page=number, per_page=PER_PAGE_MAX)
        groups += page.items
        if number >= page.total_pages:
            return groups
        number += 1


def _hardest(limit: int) -> list[tuple[vocabulary.Word, Tally]]:
    """Words answered wrong most often, then ordered by their success rate."""
    counted = [
        counter for counter in repo.most_missed_words(limit=limit * 10) if counter.reviews >= HARDEST_MIN_REVIEWS
    ]
    words = {word.id: word for word in vocabulary.words_get(word_ids=[counter.name for counter in counted])}
    tallies = [
        (words[counter.name], Tally(counter.name, counter.reviews, counter.correct))
        for counter in counted
        if counter.name in words
    ]
    return sorted(tallies, key=lambda pair: (pair[1].success_rate, -pair[1].reviews))[:limit]


def students_active(*, now: datetime | None = None) -> list[tuple[Student, int]]:
    """Students with a live streak (who studied today or yesterday), longest streak first."""
    now = (now or datetime.now(UTC)).astimezone(UTC)  # streaks expire on UTC days
    until = instant(now + timedelta(days=3))
    user_ids = [
        user_id
        for ahead in range(0, 3)
        for user_id, _ in repo.streaks_expiring((now + timedelta(days=ahead)).date().isoformat(), until=until)
    ]
    students = repo.students_get(user_ids)
    live = [(student, current_streak(student, now)) for student in students]
    return sorted(
        [(student, streak) for student, streak in live if streak], key=lambda pair: (-pair[1], pair[0].username or "")
    )


@dataclass(frozen=True)
class ReportedSession(Session):
    """A session as a student's report shows it, with its success rate."""

    @property
    def success_rate(self) -> float:
        return success_rate(self.correct_count, self.review_items_count)


@dataclass(frozen=True)
class StudentReport:
    progress: Progress
    sessions: list[ReportedSession]
    weak_words: list[tuple[vocabulary.Word, WordStat]]


def student_report(*, caller: Caller, user_id: str, now: datetime | None = None, weak: int = 10) -> StudentReport:
    """One student for a teacher: progress, latest sessions (oldest first), weak words."""
    progress = progress_get(caller=caller, user_id=user_id, now=now)
    latest = repo.sessions_page(user_id, limit=REPORT_SESSIONS).items[::-1]
    sessions = [ReportedSession(**vars(session)) for session in latest]
    weakest = sorted(
        (stat for stat in repo.word_stats_all(user_id) if stat.correct_count + stat.wrong_count >= 2),
        key=lambda stat: (success_rate(stat.correct_count, stat.correct_count + stat.wrong_count), -stat.wrong_count),
    )[:weak]
    words = {word.id: word for word in vocabulary.words_get(word_ids=[stat.word_id for stat in weakest])}
    return StudentReport(progress, sessions, [(words[stat.word_id], stat) for stat in weakest if stat.word_id in words])
