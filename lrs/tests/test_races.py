"""The study services when another request writes between their reads and their write.

Each test runs the competing request for real at the moment that hurts most: after the
service has read what it decides on, before its transaction."""

from datetime import UTC, datetime, timedelta

import pytest

from langportal.idempotency import Idempotency, IdempotencyKeyReused
from lrs import repositories as repo
from lrs import services

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def student(vocabulary_words, make_caller):
    return make_caller("u-race")


@pytest.fixture
def session_id(student, vocabulary_words) -> str:
    return services.session_start(caller=student, group_id=vocabulary_words.id, activity="quiz", now=MONDAY).id


def key(caller, operation: str, **arguments) -> Idempotency:
    """The Idempotency-Key "k-1" as the API binds it to a request."""
    return Idempotency.of(user_id=caller.sub, key="k-1", operation=operation, arguments=arguments)


def answer(caller, session_id: str, word_id: str = "1", *, correct=True, when=MONDAY, idempotency=None):
    return services.review_record(
        caller=caller, session_id=session_id, word_id=word_id, correct=correct, now=when, idempotency=idempotency
    )


# --- ending a session ----------------------------------------------------------------


def test_a_session_ended_by_another_request_meanwhile_is_409(student, session_id, meanwhile):
    other = meanwhile(repo, "session_end", lambda: services.session_end(caller=student, session_id=session_id))
    with pytest.raises(services.SessionEnded):
        services.session_end(caller=student, session_id=session_id, now=MONDAY + timedelta(hours=1))
    assert repo.session_get(student.sub, session_id).ended_at == other["competitor"].ended_at


def test_a_twin_end_under_the_same_key_gets_the_first_answer(student, session_id, meanwhile):
    once = key(student, "session_end", session_id=session_id)
    twin = meanwhile(
        repo, "session_end", lambda: services.session_end(caller=student, session_id=session_id, idempotency=once)
    )
    ended = services.session_end(caller=student, session_id=session_id, idempotency=once)
    assert ended == twin["competitor"]
    assert repo.session_get(student.sub, session_id).ended_at == ended.ended_at


# --- reviews -------------------------------------------------------------------------


def test_a_review_in_a_session_ended_meanwhile_is_409_and_counts_nothing(student, session_id, meanwhile):
    meanwhile(repo, "review_put", lambda: services.session_end(caller=student, session_id=session_id))
    with pytest.raises(services.SessionEnded):
        answer(student, session_id)
    assert repo.session_get(student.sub, session_id).review_items_count == 0
    assert repo.student_get(student.sub).reviews_count == 0
    assert repo.word_stat_get(student.sub, "1") is None


def test_a_review_of_a_word_answered_meanwhile_is_retried_on_fresh_reads(student, session_id, meanwhile):
    """Both answers count, and the card is moved by both, not by the last alone."""
    meanwhile(repo, "review_put", lambda: answer(student, session_id, correct=False))
    answer(student, session_id, when=MONDAY + timedelta(seconds=5))
    stat = repo.word_stat_get(student.sub, "1")
    assert (stat.correct_count, stat.wrong_count) == (1, 1)
    assert stat.last_reviewed_at == MONDAY + timedelta(seconds=5)
    assert repo.student_get(student.sub).words_studied == 1


def test_a_card_answered_meanwhile_moves_as_if_answered_in_turn(student, session_id, meanwhile, make_caller):
    """The card of a word reviewed before is moved by both answers, as a student who gives
    the same answers one after the other moves theirs."""
    answers = [(MONDAY, True), (MONDAY + timedelta(minutes=1), False), (MONDAY + timedelta(minutes=2), True)]
    answer(student, session_id, correct=answers[0][1], when=answers[0][0])
    meanwhile(repo, "review_put", lambda: answer(student, session_id, correct=answers[1][1], when=answers[1][0]))
    answer(student, session_id, correct=answers[2][1], when=answers[2][0])
    in_turn = make_caller("u-in-turn")
    own_session = services.session_start(caller=in_turn, group_id="1", activity="quiz", now=MONDAY).id
    for when, correct in answers:
        answer(in_turn, own_session, correct=correct, when=when)
    later = MONDAY + timedelta(days=30)
    assert services.cards_due(user_id=student.sub, now=later) == services.cards_due(user_id=in_turn.sub, now=later)
    assert [card.word_id for card in services.cards_due(user_id=student.sub, now=later)] == ["1"]


def test_a_first_review_of_the_day_racing_another_keeps_the_streak_right(student, session_id, meanwhile):
    meanwhile(repo, "review_put", lambda: answer(student, session_id, "2"))
    answer(student, session_id, "3", when=MONDAY + timedelta(seconds=5))
    stored = repo.student_get(student.sub)
    assert (stored.reviews_count, stored.words_studied, stored.current_streak) == (2, 2, 1)
    assert stored.last_study_day == "2026-11-23"


def test_a_review_after_midnight_racing_one_before_it_keeps_the_streak_going(student, session_id, meanwhile):
    """Read before the last answer of Tuesday was stored, the first of Wednesday would
    start the streak over; retried on fresh reads, it carries it on."""
    answer(student, session_id, "1")  # Monday
    midnight = datetime(2026, 11, 25, tzinfo=UTC)
    meanwhile(repo, "review_put", lambda: answer(student, session_id, "2", when=midnight - timedelta(seconds=5)))
    answer(student, session_id, "3", when=midnight + timedelta(seconds=5))
    stored = repo.student_get(student.sub)
    assert (stored.last_study_day, stored.current_streak, stored.longest_streak) == ("2026-11-25", 3, 3)


def test_a_twin_review_under_the_same_key_is_recorded_once(student, session_id, meanwhile):
    once = key(student, "review_record", session_id=session_id, word_id="1", correct=True)
    twin = meanwhile(repo, "review_put", lambda: answer(student, session_id, idempotency=once))
    review = answer(student, session_id, idempotency=once)
    assert review == twin["competitor"]
    assert repo.session_get(student.sub, session_id).review_items_count == 1
    assert repo.student_get(student.sub).reviews_count == 1


def test_a_key_claimed_meanwhile_for_another_answer_is_409(student, session_id, meanwhile):
    theirs = key(student, "review_record", session_id=session_id, word_id="2", correct=True)
    ours = key(student, "review_record", session_id=session_id, word_id="1", correct=True)
    meanwhile(repo, "review_put", lambda: answer(student, session_id, "2", idempotency=theirs))
    with pytest.raises(IdempotencyKeyReused):
        answer(student, session_id, "1", idempotency=ours)
    assert [review.word_id for review in repo.reviews_page(session_id, limit=5).items] == ["2"]


# --- starting a session --------------------------------------------------------------


def test_a_twin_start_under_the_same_key_makes_one_session(student, vocabulary_words, meanwhile):
    once = key(student, "session_start", group_id=vocabulary_words.id, activity="quiz")

    def start():
        return services.session_start(caller=student, group_id=vocabulary_words.id, activity="quiz", idempotency=once)

    twin = meanwhile(repo, "session_create", start)
    assert start() == twin["competitor"]
    assert [session.id for session in repo.sessions_page(student.sub, limit=5).items] == [twin["competitor"].id]
    assert repo.student_get(student.sub).sessions_count == 1
