"""The only code that reads and writes study records in DynamoDB.

A student's sessions are a query on their user id, a session's reviews a query on the
session id, a student's word statistics a query or batch read on their user id; every
read of these tables is consistent, so a student sees what they just did. One review is
one transaction. Access patterns and consistency: docs/data-model.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from langportal.errors import Conflict, Contended
from langportal.idempotency import Claim
from langportal.storage.dynamo import Transaction, batch_get, batch_write, dynamodb_errors
from langportal.storage.retry import retrying
from lrs.models import ReviewModel, StatCounterModel, StudentModel, StudySessionModel, WordStatModel

# Every review adds to one shard of its day's, its group's and its word's counters, chosen
# by the review id's random end: a class of students answering one word at once then
# spreads over this many items of each (see docs/data-model.md for the measurements).
COUNTER_SHARDS = 16


class SessionClosed(Conflict):
    """The session is gone or has ended (the service tells which)."""


class ReviewStored(Conflict):
    """This review is stored already: an earlier attempt of ours went through after all."""


class StudyMoved(Contended):
    """Another review of the same word or day came first: the card and streak were
    computed from what was read, so read again and retry."""


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


@dataclass(frozen=True)
class Review:
    id: str
    session_id: str
    user_id: str
    word_id: str
    correct: bool
    created_at: datetime


@dataclass(frozen=True)
class WordStat:
    word_id: str
    correct_count: int = 0
    wrong_count: int = 0
    last_reviewed_at: datetime | None = None
    card: str | None = None  # FSRS card, JSON
    due: str | None = None


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


@dataclass(frozen=True)
class Cursor:
    """Where a page of a query stopped (DynamoDB's LastEvaluatedKey), or None at the end."""

    items: list
    next_key: dict | None


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


def _review(item: ReviewModel) -> Review:
    return Review(item.review_id, item.session_id, item.user_id, item.word_id, item.correct, item.created_at)


def _word_stat(item: WordStatModel) -> WordStat:
    return WordStat(
        item.word_id, int(item.correct_count), int(item.wrong_count), item.last_reviewed_at, item.card, item.due
    )


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


def _get(model, *key):
    with dynamodb_errors():
        try:
            return model.get(*key, consistent_read=True)
        except DoesNotExist:
            return None


def _page(query, convert) -> Cursor:
    with dynamodb_errors():
        results = query()
        items = [convert(item) for item in results]
    return Cursor(items, results.last_evaluated_key)


# --- sessions ------------------------------------------------------------------------


def session_create(session: Session, *, time_zone: str | None, username: str | None = None, claim: Claim | None = None):
    """Store a new session and count it for the student, in one transaction."""
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
    if claim:
        claim.stage(transaction)
    transaction.commit()


def session_get(user_id: str, session_id: str) -> Session | None:
    item = _get(StudySessionModel, user_id, session_id)
    return _session(item) if item else None


def sessions_page(user_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    """A student's sessions, newest first (session ids are ULIDs)."""
    return _page(
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


def session_end(user_id: str, session_id: str, ended_at: datetime, *, claim: Claim | None = None) -> None:
    """Set end_time once; SessionClosed when the session is missing or already ended."""
    transaction = Transaction()
    transaction.update(
        StudySessionModel(user_id, session_id),
        [StudySessionModel.ended_at.set(ended_at)],
        condition=StudySessionModel.session_id.exists() & StudySessionModel.ended_at.does_not_exist(),
        failure=SessionClosed,
    )
    if claim:
        claim.stage(transaction)
    transaction.commit()


# --- reviews -------------------------------------------------------------------------


def reviews_page(session_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    """A session's reviews in the order they were given."""
    return _page(
        lambda: ReviewModel.query(
            session_id, limit=limit, page_size=limit, last_evaluated_key=start, consistent_read=True
        ),
        _review,
    )


def review_put(
    review: Review,
    *,
    stat_before: WordStat | None,
    group_id: str,
    card: tuple[str, str],
    streak: Streak | None,
    streak_before: str | None,
    claim: Claim | None = None,
) -> None:
    """Record one review: the review, the request's Idempotency-Key (`claim`), the
    session's counters, the student's word statistics and card, their totals, and the
    teachers' counters change in one transaction, or none of them does.

    Conditions guard what may have moved since it was read: the session (SessionClosed:
    ended or gone), the word statistic and the student's last day (StudyMoved: another
    review of the same word or day got there first; the card and streak were computed
    from what was read).
    """
    first_of_word = stat_before is None
    correct = 1 if review.correct else 0
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
    if claim:
        claim.stage(transaction)
    transaction.update(
        StudySessionModel(review.user_id, review.session_id),
        [
            StudySessionModel.review_items_count.add(1),
            StudySessionModel.correct_count.add(correct),
            StudySessionModel.last_review_at.set(review.created_at),
        ],
        condition=StudySessionModel.session_id.exists() & StudySessionModel.ended_at.does_not_exist(),
        failure=SessionClosed,
    )
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
            if first_of_word
            else WordStatModel.last_reviewed_at == stat_before.last_reviewed_at
        ),
        failure=StudyMoved,
    )
    student_actions = [
        StudentModel.reviews_count.add(1),
        StudentModel.correct_count.add(correct),
        StudentModel.words_studied.add(1 if first_of_word else 0),
    ]
    student_condition = None
    if streak is not None:
        student_actions += [
            StudentModel.last_study_day.set(streak.last_study_day),
            StudentModel.current_streak.set(streak.current),
            StudentModel.longest_streak.set(streak.longest),
            StudentModel.streak_expiry_day.set(streak.expiry_day),
            StudentModel.streak_expires_at.set(streak.expires_at),
        ]
        student_condition = (
            StudentModel.last_study_day.does_not_exist()
            if streak_before is None
            else StudentModel.last_study_day == streak_before
        )
    transaction.update(StudentModel(review.user_id), student_actions, condition=student_condition, failure=StudyMoved)
    _stage_counters(transaction, review, group_id)
    transaction.commit()


def _shard(review: Review) -> int:
    return int(review.id[-4:], 36) % COUNTER_SHARDS  # the ULID's random end


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _stage_counters(transaction: Transaction, review: Review, group_id: str) -> None:
    """The teachers' statistics move with the review: per day, per group, per word."""
    correct = 1 if review.correct else 0
    shard = _shard(review)
    for name in (f"day#{_day(review.created_at)}#{shard}", f"group#{group_id}#{shard}"):
        transaction.update(
            StatCounterModel(name), [StatCounterModel.reviews.add(1), StatCounterModel.correct.add(correct)]
        )
    transaction.update(
        StatCounterModel(f"word#{review.word_id}#{shard}"),
        [
            StatCounterModel.reviews.add(1),
            StatCounterModel.correct.add(correct),
            StatCounterModel.wrong.add(1 - correct),
            StatCounterModel.kind.set(f"word#{shard}"),
            StatCounterModel.word_id.set(review.word_id),
        ],
    )


@dataclass(frozen=True)
class Counter:
    name: str  # the day, group id or word id counted
    reviews: int
    correct: int


def _tallies(prefix: str, names: list[str]) -> dict[str, Counter]:
    """`prefix#<name>#<shard>` counters summed over their shards, by name (eventually
    consistent: statistics may lag a second)."""
    keys = [f"{prefix}#{name}#{shard}" for name in names for shard in range(COUNTER_SHARDS)]
    sums: dict[str, list[int]] = {name: [0, 0] for name in names}
    for item in batch_get(StatCounterModel, keys, consistent=False):
        name = item.name.split("#")[1]
        sums[name][0] += int(item.reviews)
        sums[name][1] += int(item.correct)
    return {name: Counter(name, reviews, correct) for name, (reviews, correct) in sums.items()}


def day_tallies(days: list[str]) -> dict[str, Counter]:
    """Reviews and right answers of each UTC day (ISO dates)."""
    return _tallies("day", days)


def group_tallies(group_ids: list[str]) -> dict[str, Counter]:
    return _tallies("group", group_ids)


def most_missed_words(*, limit: int) -> list[Counter]:
    """About the `limit` words with the most wrong answers, most first, with exact tallies.

    Each shard's partition of the index most-missed gives its most missed words; their
    wrong answers summed over the partitions choose the `limit` words whose tallies are
    then read whole (eventually consistent: statistics may lag a second).
    """
    wrong: dict[str, int] = defaultdict(int)
    with dynamodb_errors():
        for shard in range(COUNTER_SHARDS):
            for item in StatCounterModel.most_missed.query(f"word#{shard}", scan_index_forward=False, limit=limit):
                wrong[item.word_id] += int(item.wrong)
    chosen = sorted(wrong, key=lambda word_id: -wrong[word_id])[:limit]
    tallies = _tallies("word", chosen)
    return sorted(tallies.values(), key=lambda tally: tally.correct - tally.reviews)


# --- word statistics and students ----------------------------------------------------


def word_stat_get(user_id: str, word_id: str) -> WordStat | None:
    item = _get(WordStatModel, user_id, word_id)
    return _word_stat(item) if item else None


def word_stats_get(user_id: str, word_ids: list[str]) -> dict[str, WordStat]:
    items = batch_get(WordStatModel, [(user_id, word_id) for word_id in word_ids])
    return {item.word_id: _word_stat(item) for item in items}


def word_stats_page(user_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    return _page(
        lambda: WordStatModel.query(
            user_id, limit=limit, page_size=limit, last_evaluated_key=start, consistent_read=True
        ),
        _word_stat,
    )


def cards_due(user_id: str, *, until: str) -> list[tuple[str, str]]:
    """(word id, card) of a student's cards due by `until`.

    The index due-cards (eventually consistent) names the candidates; the cards are read
    from the table, so a card reviewed a moment ago is not offered again.
    """
    with dynamodb_errors():
        candidates = [item.word_id for item in WordStatModel.due_cards.query(user_id, WordStatModel.due <= until)]
    stats = word_stats_get(user_id, candidates)
    return [(stat.word_id, stat.card) for stat in stats.values() if stat.due and stat.due <= until and stat.card]


def student_get(user_id: str) -> Student | None:
    item = _get(StudentModel, user_id)
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


def history_delete(user_id: str) -> None:
    """Delete every session, review and word statistic, and the totals, of one student.

    Not one transaction (a history can be large): the totals go last, and running it
    again finishes what an interrupted run left.
    """
    with dynamodb_errors():
        sessions = [item.session_id for item in StudySessionModel.query(user_id, consistent_read=True)]
    for session_id in sessions:
        with dynamodb_errors():
            reviews = [item.review_id for item in ReviewModel.query(session_id, consistent_read=True)]
        batch_write(ReviewModel, deletes=[(session_id, review_id) for review_id in reviews])
        batch_write(StudySessionModel, deletes=[(user_id, session_id)])
    with dynamodb_errors():
        stats = [item.word_id for item in WordStatModel.query(user_id, consistent_read=True)]
    batch_write(WordStatModel, deletes=[(user_id, word_id) for word_id in stats])
    batch_write(StudentModel, deletes=[user_id])
