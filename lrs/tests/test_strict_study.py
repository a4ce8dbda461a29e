"""Studying on DynamoDB as AWS behaves (the strict emulator): stale reads, lost answers,
conflicts with running transactions, partial batches and a class on one hot word."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from langportal.errors import Unavailable
from langportal.local.strict import Fault
from lrs import repositories as repo
from lrs import services

ONLY_TRANSACTIONS = frozenset({"TransactWriteItems"})


def test_a_review_right_after_starting_a_session_finds_it(student_api, vocabulary_words, strict_dynamodb):
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0))
    for _ in range(3):
        session = student_api.post(
            "/api/study_sessions", {"group_id": vocabulary_words.id, "activity": "quiz"}, format="json"
        ).json()
        answer = student_api.post(
            f"/api/study_sessions/{session['id']}/review", {"word_id": "1", "correct": True}, format="json"
        )
        assert answer.status_code == 201, answer.content


def test_a_student_sees_what_they_just_did_under_stale_reads(student_api, session, student_id, strict_dynamodb):
    """Sessions, reviews and word statistics are listed by consistent queries."""
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0))
    newer = student_api.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}, format="json").json()
    answered = student_api.post(
        f"/api/study_sessions/{newer['id']}/review", {"word_id": "2", "correct": False}, format="json"
    ).json()
    sessions = student_api.get(f"/api/study_sessions/{student_id}").json()["study_sessions"]
    assert [(item["id"], item["review_items_count"]) for item in sessions] == [(newer["id"], 1), (session["id"], 0)]
    reviews = student_api.get(f"/api/study_sessions/{student_id}/{newer['id']}").json()["reviews"]
    assert [item["id"] for item in reviews] == [answered["review_id"]]
    stats = student_api.get(f"/api/progress/{student_id}/words").json()["words"]
    assert [(item["word_id"], item["wrong_count"]) for item in stats] == [("2", 1)]


def test_a_repeated_review_answers_the_first_body_under_stale_reads(review, session, student_id, strict_dynamodb):
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0))
    first = review("2", False, key="again-1")
    again = review("2", False, key="again-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() == {**first.json(), "session_id": session["id"], "correct": False}
    assert repo.session_get(student_id, session["id"]).review_items_count == 1


def test_a_review_whose_answer_is_lost_is_recorded_once(review, session, student_id, strict_dynamodb):
    strict_dynamodb.configure(lost=Fault(1.0, limit=3, operations=ONLY_TRANSACTIONS))
    assert review("1", True, key="lost-1").status_code == 503
    retried = review("1", True, key="lost-1")
    assert retried.status_code == 201
    assert repo.session_get(student_id, session["id"]).review_items_count == 1
    assert repo.student_get(student_id).reviews_count == 1


def test_a_session_start_whose_answer_is_lost_makes_one_session(
    student_api, vocabulary_words, student_id, strict_dynamodb
):
    strict_dynamodb.configure(lost=Fault(1.0, limit=3, operations=ONLY_TRANSACTIONS))
    body = {"group_id": vocabulary_words.id, "activity": "quiz"}
    assert student_api.post("/api/study_sessions", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1").status_code == 503
    retried = student_api.post("/api/study_sessions", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert retried.status_code == 201
    assert [session.id for session in repo.sessions_page(student_id, limit=5).items] == [retried.json()["id"]]


def test_ending_a_session_while_reviews_hold_it_is_retried(student_api, session, student_id, strict_dynamodb):
    strict_dynamodb.configure(conflict=Fault(1.0, limit=2, operations=ONLY_TRANSACTIONS))
    ended = student_api.post(f"/api/study_sessions/{session['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended"] is True
    assert strict_dynamodb.faults["conflict"] == 2


def test_a_review_meeting_running_transactions_is_retried_and_counted_once(
    review, session, student_id, vocabulary_words, strict_dynamodb
):
    strict_dynamodb.configure(conflict=Fault(1.0, limit=2, operations=ONLY_TRANSACTIONS))
    assert review("1", True).status_code == 201
    assert strict_dynamodb.faults["conflict"] == 2
    today = datetime.now(UTC).date().isoformat()
    assert repo.day_tallies([today])[today].reviews == 1
    assert repo.group_tallies([vocabulary_words.id])[vocabulary_words.id].reviews == 1
    assert repo.session_get(student_id, session["id"]).review_items_count == 1


def test_the_streak_job_waits_out_a_review_holding_the_student(vocabulary_words, strict_dynamodb, make_caller):
    caller, monday = make_caller("u-streak"), datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    session = services.session_start(caller=caller, group_id=vocabulary_words.id, activity="quiz", now=monday)
    services.review_record(caller=caller, session_id=session.id, word_id="1", correct=True, now=monday)
    strict_dynamodb.configure(conflict=Fault(1.0, limit=1, operations=frozenset({"UpdateItem"})))
    assert services.streaks_reset(now=monday + timedelta(days=3)) == 1
    assert repo.student_get("u-streak").current_streak == 0


def test_a_streak_reset_whose_answer_is_lost_is_counted_once(vocabulary_words, strict_dynamodb, make_caller):
    caller, monday = make_caller("u-lost"), datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    session = services.session_start(caller=caller, group_id=vocabulary_words.id, activity="quiz", now=monday)
    services.review_record(caller=caller, session_id=session.id, word_id="1", correct=True, now=monday)
    strict_dynamodb.configure(lost=Fault(1.0, limit=1, operations=frozenset({"UpdateItem"})))
    assert services.streaks_reset(now=monday + timedelta(days=3)) == 1  # botocore's resend finds it done
    assert strict_dynamodb.faults["lost"] == 1


def test_a_card_answered_a_moment_ago_is_not_due_under_stale_reads(vocabulary_words, strict_dynamodb, make_caller):
    caller, monday = make_caller("u-due"), datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    session = services.session_start(caller=caller, group_id=vocabulary_words.id, activity="quiz", now=monday)
    services.review_record(caller=caller, session_id=session.id, word_id="1", correct=False, now=monday)
    later = monday + timedelta(minutes=5)
    assert [card.word_id for card in services.cards_due(user_id=caller.sub, now=later)] == ["1"]
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0))
    services.review_record(caller=caller, session_id=session.id, word_id="1", correct=True, now=later)
    assert services.cards_due(user_id=caller.sub, now=later) == []
    assert strict_dynamodb.faults["stale"] > 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/study_sessions/{user}/{long}",
        "/api/progress/{long}",
        "/api/progress/{long}/words",
        "/api/study_sessions/{long}",
        "/api/recommendations/{long}",
    ],
)
def test_ids_aws_would_refuse_are_404_without_asking_it(teacher_api, make_tokens, strict_dynamodb, path):
    user = make_tokens("student").user_id
    response = teacher_api.get(path.format(user=user, long="A" * 2048))
    assert response.status_code == 404
    assert strict_dynamodb.faults["validation"] == 0


def test_answers_for_a_session_id_aws_would_refuse_are_404(student_api, vocabulary_words, strict_dynamodb):
    response = student_api.post(
        f"/api/study_sessions/{'A' * 2048}/review", {"word_id": "1", "correct": True}, format="json"
    )
    assert response.status_code == 404
    assert student_api.post(f"/api/study_sessions/{'A' * 2048}/end").status_code == 404
    assert strict_dynamodb.faults["validation"] == 0


@pytest.fixture
def history(vocabulary_words, make_caller):
    """A student with three sessions of twenty reviews."""
    caller = make_caller("u-history")
    for _ in range(3):
        session = services.session_start(caller=caller, group_id=vocabulary_words.id, activity="quiz")
        for number in range(20):
            services.review_record(caller=caller, session_id=session.id, word_id=str(1 + number % 3), correct=True)
    return caller.sub


def nothing_left(user_id: str) -> bool:
    return (
        repo.sessions_page(user_id, limit=10).items == []
        and repo.word_stats_page(user_id, limit=10).items == []
        and repo.student_get(user_id) is None
    )


def test_a_history_reset_finishes_despite_partial_batches(history, strict_dynamodb, make_caller):
    strict_dynamodb.configure(partial=Fault(1.0))
    services.history_reset(caller=make_caller("teacher", is_teacher=True), user_id=history)
    assert nothing_left(history)
    assert strict_dynamodb.faults["partial"] >= 4  # each session's reviews, and the statistics


def test_a_reset_cut_short_is_503_and_running_it_again_finishes(history, strict_dynamodb, make_caller):
    """Throttled past botocore's attempts after its first batch: a 503, half a history
    left, and the next reset deletes the rest."""
    strict_dynamodb.configure(throttle=Fault(1.0, limit=3, after=1, operations=frozenset({"BatchWriteItem"})))
    teacher = make_caller("teacher", is_teacher=True)
    with pytest.raises(Unavailable):
        services.history_reset(caller=teacher, user_id=history)
    assert len(repo.sessions_page(history, limit=10).items) > 0 and repo.student_get(history) is not None
    services.history_reset(caller=teacher, user_id=history)
    assert nothing_left(history)


def test_a_class_answering_one_word_at_once_gets_no_503(vocabulary_words, strict_dynamodb, make_caller):
    """200 students answer the same card at the same moment. Transactions hold their items
    for 10 ms and 2% meet a conflict anyway, as on AWS: the shared counters are sharded,
    so no review fails and every one is counted."""
    students = [make_caller(f"class-{number:03d}") for number in range(200)]
    sessions = {
        student.sub: services.session_start(caller=student, group_id=vocabulary_words.id, activity="quiz").id
        for student in students
    }
    strict_dynamodb.configure(contention_ms=10, conflict=Fault(0.02))

    def answer(student) -> str:
        try:
            services.review_record(caller=student, session_id=sessions[student.sub], word_id="1", correct=True)
        except Unavailable as error:
            return error.message
        return "recorded"

    with ThreadPoolExecutor(max_workers=8) as pool:  # as many as the web tier serves at once
        outcomes = list(pool.map(answer, students))
    assert outcomes == ["recorded"] * 200
    today = datetime.now(UTC).date().isoformat()
    assert repo.day_tallies([today])[today].reviews == 200
    assert repo.group_tallies([vocabulary_words.id])[vocabulary_words.id].reviews == 200
    assert [(tally.name, tally.reviews) for tally in repo.most_missed_words(limit=5)] == [("1", 200)]
    assert strict_dynamodb.faults["contention"] > 0
