"""Learning record store rules: sessions, reviews, progress, streaks, resets.

The API, Lambda handlers and management commands all call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from ulid import ULID

from langportal.errors import Conflict, NotFound, PermissionDenied
from langportal.idempotency import Idempotency, idempotent
from langportal.ids import is_ulid, is_user_id
from langportal.paging import Page, cursor_decode, cursor_encode
from lrs import repositories as repo
from lrs import scheduling
from lrs.repositories import Review, Session, Streak, Student, WordStat
from vocabulary import services as vocabulary

STREAK_LOOKBACK_DAYS = 7  # how far back the streak job looks for streaks that broke


class Caller(Protocol):
    """Who is asking: the authenticated user (accounts.models.User fits)."""

    sub: str
    is_teacher: bool


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = "No such study session."


class SessionEnded(Conflict):
    code = "session_ended"
    default_message = "This study session has ended."


class StudentNotFound(NotFound):
    code = "student_not_found"
    default_message = "No such student."


@dataclass(frozen=True)
class Listing:
    items: list
    next_cursor: str | None


@dataclass(frozen=True)
class SessionDetail:
    session: Session
    reviews: Listing


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


def success_rate(correct: int, total: int) -> float:
    """A percentage with one decimal; 0.0 when nothing was answered."""
    return round(100 * correct / total, 1) if total else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def check_may_read(caller: Caller, user_id: str) -> None:
    """Students read their own records; teachers read everyone's (of users that can be)."""
    if caller.sub != user_id and not caller.is_teacher:
        raise PermissionDenied("You may only read your own study records.")
    if not is_user_id(user_id):
        raise StudentNotFound()


# --- sessions ------------------------------------------------------------------------


def session_start(
    *,
    caller: Caller,
    group_id: str,
    activity: str,
    time_zone: str | None = None,
    now: datetime | None = None,
    idempotency: Idempotency | None = None,
) -> Session:
    now = now or _now()
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
    scope = f"sessions:{user_id}"
    page = repo.sessions_page(user_id, limit=limit, start=cursor_decode(cursor, scope=scope))
    return Listing(page.items, cursor_encode(page.next_key, scope=scope))


def session_detail(*, caller: Caller, user_id: str, session_id: str, limit: int, cursor: str | None = None):
    check_may_read(caller, user_id)
    session = session_get(user_id=user_id, session_id=session_id)
    scope = f"reviews:{session_id}"
    page = repo.reviews_page(session_id, limit=limit, start=cursor_decode(cursor, scope=scope))
    return SessionDetail(session, Listing(page.items, cursor_encode(page.next_key, scope=scope)))


def session_end(
    *, caller: Caller, session_id: str, now: datetime | None = None, idempotency: Idempotency | None = None
) -> Session:
    """End one's own session; ending it twice is a conflict."""

    def end() -> Session:
        session = session_get(user_id=caller.sub, session_id=session_id)
        if session.ended_at is not None:
            raise SessionEnded("This study session has already ended.")
        ended = replace(session, ended_at=now or _now())
        try:
            repo.session_end(caller.sub, session_id, ended.ended_at, claim=idempotency and idempotency.claim(ended))
        except repo.SessionClosed:
            raise SessionEnded("This study session has already ended.") from None
        return ended

    return idempotent(idempotency, Session, end)


# --- reviews -------------------------------------------------------------------------


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
    now = now or _now()
    review = Review(str(ULID.from_datetime(now)), session_id, caller.sub, word_id, correct, now)

    def record() -> Review:
        session = session_get(user_id=caller.sub, session_id=session_id)
        if session.ended_at is not None:
            raise SessionEnded()
        vocabulary.word_get(word_id=word_id)
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
            )
        except repo.ReviewStored:
            pass  # an earlier attempt was stored after all
        except repo.SessionClosed:
            raise SessionEnded() from None
        return review

    return idempotent(idempotency, Review, record)


# --- streaks -------------------------------------------------------------------------


def _zone(student: Student | None) -> ZoneInfo:
    return ZoneInfo(student.time_zone if student and student.time_zone else "UTC")


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
        expires_at=_instant(expires),
    )


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_streak(student: Student | None, now: datetime) -> int:
    """The streak as it stands now, even before the daily job has reset a broken one."""
    if student is None or not student.streak_expires_at or student.streak_expires_at <= _instant(now):
        return 0
    return student.current_streak


def streaks_reset(*, now: datetime | None = None, lookback_days: int = STREAK_LOOKBACK_DAYS) -> int:
    """Set to 0 the stored streaks that broke; returns how many.

    Reads only live streaks that expired, day by day over the last `lookback_days`
    UTC days: the work grows with the students who study, not with their reviews.
    Running it twice resets nothing more.
    """
    now = now or _now()
    until = _instant(now)
    reset = 0
    for days_ago in range(lookback_days, -1, -1):
        day = (now - timedelta(days=days_ago)).date().isoformat()
        for user_id, expires_at in repo.streaks_expiring(day, until=until):
            reset += repo.streak_reset(user_id, expires_at)
    return reset


# --- progress ------------------------------------------------------------------------


def progress_get(*, caller: Caller, user_id: str, now: datetime | None = None) -> Progress:
    check_may_read(caller, user_id)
    now = now or _now()
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
    check_may_read(caller, user_id)
    scope = f"word-stats:{user_id}"
    page = repo.word_stats_page(user_id, limit=limit, start=cursor_decode(cursor, scope=scope))
    return Listing(page.items, cursor_encode(page.next_key, scope=scope))


def word_stats_for(*, user_id: str, word_ids: list[str]) -> dict[str, WordStat]:
    """One student's statistics for these words (those never reviewed are left out)."""
    return repo.word_stats_get(user_id, word_ids)


@dataclass(frozen=True)
class StudiedWord(vocabulary.Word):
    """A word with one student's own right and wrong answers to it (none if never reviewed)."""

    correct_count: int = 0
    wrong_count: int = 0


def words_studied(*, user_id: str, words: list[vocabulary.Word]) -> list[StudiedWord]:
    """These words, each with the student's counts: one batch read of their statistics."""
    stats = word_stats_for(user_id=user_id, word_ids=[word.id for word in words])
    studied = []
    for word in words:
        stat = stats.get(word.id)
        counts = {"correct_count": stat.correct_count, "wrong_count": stat.wrong_count} if stat else {}
        studied.append(StudiedWord(**{field.name: getattr(word, field.name) for field in fields(word)}, **counts))
    return studied


def page_studied(*, user_id: str, page: Page) -> Page:
    """A page of words, each with the student's counts (see words_studied)."""
    return replace(page, items=words_studied(user_id=user_id, words=page.items))


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


def history_reset(*, caller: Caller, user_id: str) -> None:
    """A teacher clears one student's sessions, reviews, statistics and streak."""
    if not caller.is_teacher:
        raise PermissionDenied("Only teachers may reset a student's history.")
    check_may_read(caller, user_id)
    repo.history_delete(user_id)


# --- teachers' statistics ------------------------------------------------------------

HARDEST_MIN_REVIEWS = 3


@dataclass(frozen=True)
class Tally:
    """Reviews and right answers of something (a day, a group, a word)."""

    label: str
    reviews: int
    correct: int

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
    now = now or _now()
    dates = [(now - timedelta(days=back)).date().isoformat() for back in range(days - 1, -1, -1)]
    groups = vocabulary.groups_list(page=1, per_page=100).items
    per_day = repo.day_tallies(dates)
    per_group = repo.group_tallies([group.id for group in groups])
    return Dashboard(
        days=[Tally(day, per_day[day].reviews, per_day[day].correct) for day in dates],
        groups=[Tally(group.name, per_group[group.id].reviews, per_group[group.id].correct) for group in groups],
        hardest=_hardest(hardest),
        active=students_active(now=now),
    )


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
    now = now or _now()
    until = _instant(now + timedelta(days=3))
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
class StudentReport:
    progress: Progress
    sessions: list[Session]
    weak_words: list[tuple[vocabulary.Word, WordStat]]


def student_report(*, caller: Caller, user_id: str, now: datetime | None = None, weak: int = 10) -> StudentReport:
    """One student for a teacher: progress, recent sessions (oldest first), weak words."""
    progress = progress_get(caller=caller, user_id=user_id, now=now)
    sessions = repo.sessions_page(user_id, limit=50).items[::-1]
    stats = repo.word_stats_page(user_id, limit=1000).items
    weakest = sorted(
        (stat for stat in stats if stat.correct_count + stat.wrong_count >= 2),
        key=lambda stat: (success_rate(stat.correct_count, stat.correct_count + stat.wrong_count), -stat.wrong_count),
    )[:weak]
    words = {word.id: word for word in vocabulary.words_get(word_ids=[stat.word_id for stat in weakest])}
    return StudentReport(progress, sessions, [(words[stat.word_id], stat) for stat in weakest if stat.word_id in words])
