"""What a student has done: their totals and streak, their word statistics, the cards
due, and the one rule for a success rate that every page showing one uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lrs import repositories as repo
from lrs import scheduling
from lrs.repositories import Session, Student, WordStat
from lrs.services.access import Caller, Listing, check_may_read, listing_read
from lrs.services.streaks import current_streak
from vocabulary import services as vocabulary


def success_rate(correct: int, total: int) -> float:
    """A percentage with one decimal; 0.0 when nothing was answered."""
    return round(100 * correct / total, 1) if total else 0.0


@dataclass(frozen=True)
class Progress:
    user_id: str
    last_session: Session | None
    sessions_count: int
    reviews_count: int
    correct_count: int
    words_studied: int
    words_available: int
    active_groups: list[vocabulary.Group]
    current_streak: int
    longest_streak: int
    time_zone: str

    @property
    def success_rate(self) -> float:
        return success_rate(self.correct_count, self.reviews_count)


def progress_get(*, caller: Caller, user_id: str, now: datetime | None = None) -> Progress:
    check_may_read(caller, user_id)
    now = now or datetime.now(UTC)
    student = repo.student_get(user_id) or Student(user_id)
    last = repo.sessions_page(user_id, limit=1).items
    return Progress(
        user_id=user_id,
        last_session=last[0] if last else None,
        sessions_count=student.sessions_count,
        reviews_count=student.reviews_count,
        correct_count=student.correct_count,
        words_studied=student.words_studied,
        words_available=vocabulary.words_total(),
        active_groups=vocabulary.groups_get(group_ids=sorted(student.group_ids, key=int)),
        current_streak=current_streak(student, now),
        longest_streak=student.longest_streak,
        time_zone=student.time_zone or "UTC",
    )


def word_stats_list(*, caller: Caller, user_id: str, limit: int, cursor: str | None = None) -> Listing:
    """A student's word statistics, a page at a time."""
    check_may_read(caller, user_id)
    return listing_read(
        lambda start: repo.word_stats_page(user_id, limit=limit, start=start),
        scope=f"word-stats:{user_id}",
        cursor=cursor,
    )


def word_stats_for(*, user_id: str, word_ids: list[str]) -> dict[str, WordStat]:
    """One student's statistics for these words (those never reviewed are left out)."""
    return repo.word_stats_get(user_id, word_ids)


@dataclass(frozen=True)
class DueCard:
    word_id: str
    due: datetime
    retrievability: float


def cards_due(*, user_id: str, now: datetime) -> list[DueCard]:
    """A student's FSRS cards due now, the least likely remembered first."""
    cards = [
        DueCard(word_id, scheduling.card_due(card), scheduling.retrievability(card, now))
        for word_id, card in repo.cards_due(user_id, until=scheduling.due_key(now))
    ]
    return sorted(cards, key=lambda card: (card.retrievability, card.due))


def groups_studied(*, user_id: str) -> list[str]:
    """Ids of the groups a student has had sessions in."""
    student = repo.student_get(user_id)
    return sorted(student.group_ids, key=int) if student else []
