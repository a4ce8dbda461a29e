"""Progress, streaks (counted in the student's time zone) and the daily streak job."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from langportal.errors import PermissionDenied
from lrs import lambdas, services
from lrs import repositories as repo
from lrs.repositories import Student

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def study(make_caller):
    """study(user_id, when, ...): one session with one right answer, as that student."""

    def studied(user_id: str, when: datetime, *, time_zone: str | None = None, group_id="1", word_id="1"):
        caller = make_caller(user_id)
        session = services.session_start(
            caller=caller, group_id=group_id, activity="quiz", time_zone=time_zone, now=when
        )
        services.review_record(caller=caller, session_id=session.id, word_id=word_id, correct=True, now=when)
        return session

    return studied


# --- the streak rule -----------------------------------------------------------------


def test_first_review_starts_a_streak_of_one():
    streak = services.streak_after(None, MONDAY)
    assert (streak.last_study_day, streak.current, streak.longest) == ("2026-11-23", 1, 1)
    assert streak.expires_at == "2026-11-25T00:00:00Z"  # a whole Tuesday without a review breaks it


def test_next_day_extends_and_same_day_changes_nothing():
    monday = Student("u", last_study_day="2026-11-23", current_streak=4, longest_streak=9)
    assert services.streak_after(monday, MONDAY + timedelta(days=1)).current == 5
    assert services.streak_after(monday, MONDAY + timedelta(hours=5)) is None


def test_a_missed_day_starts_over_but_keeps_the_longest():
    monday = Student("u", last_study_day="2026-11-23", current_streak=4, longest_streak=9)
    streak = services.streak_after(monday, MONDAY + timedelta(days=2))
    assert (streak.current, streak.longest) == (1, 9)


def test_days_are_counted_in_the_students_time_zone():
    tokyo = Student("u", time_zone="Asia/Tokyo", last_study_day="2026-11-23", current_streak=1, longest_streak=1)
    late_monday_utc = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # already Tuesday 01:00 in Tokyo
    streak = services.streak_after(tokyo, late_monday_utc)
    assert (streak.last_study_day, streak.current) == ("2026-11-24", 2)
    assert streak.expires_at == "2026-11-25T15:00:00Z"  # Thursday 00:00 in Tokyo


def test_current_streak_reads_zero_once_broken():
    student = Student("u", current_streak=3, streak_expires_at="2026-11-25T00:00:00Z")
    assert services.current_streak(student, datetime(2026, 11, 24, 23, 59, tzinfo=UTC)) == 3
    assert services.current_streak(student, datetime(2026, 11, 25, 0, 0, tzinfo=UTC)) == 0


# --- progress ------------------------------------------------------------------------


def test_progress_after_some_study(student_api, student_id, vocabulary_words, study):
    for day in range(3):
        study(student_id, datetime.now(UTC) - timedelta(days=2 - day), word_id=str(day + 1))
    body = student_api.get(f"/api/progress/{student_id}").json()
    assert body == {
        **body,
        "user_id": student_id,
        "sessions_count": 3,
        "reviews_count": 3,
        "correct_count": 3,
        "success_rate": 100.0,
        "words_studied": 3,
        "words_available": 3,
        "active_groups": [{"id": "1", "name": "Greetings"}],
        "current_streak": 3,
        "longest_streak": 3,
        "time_zone": "UTC",
    }
    assert body["last_session"]["review_items_count"] == 1


def test_progress_counts_answers_right_answers_and_words_apart(student_api, student_id, review, session):
    review("1", True)
    review("1", False)
    review("2", True)
    body = student_api.get(f"/api/progress/{student_id}").json()
    counts = ("reviews_count", "correct_count", "words_studied", "success_rate")
    assert [body[count] for count in counts] == [3, 2, 2, 66.7]


def test_progress_of_a_student_who_never_studied(student_api, student_id, vocabulary_words):
    body = student_api.get(f"/api/progress/{student_id}").json()
    assert (body["last_session"], body["sessions_count"], body["success_rate"], body["current_streak"]) == (
        None,
        0,
        0.0,
        0,
    )


def test_a_students_time_zone_is_kept_and_their_days_counted_in_it(vocabulary_words, study, make_caller):
    study("u", MONDAY, time_zone="Asia/Tokyo")  # Monday 19:00 in Tokyo
    tuesday_in_tokyo = MONDAY + timedelta(hours=6)  # Tuesday 01:00 there, still Monday in UTC
    study("u", tuesday_in_tokyo)  # a session started without naming a time zone
    progress = services.progress_get(caller=make_caller("u"), user_id="u", now=tuesday_in_tokyo)
    assert (progress.time_zone, progress.current_streak) == ("Asia/Tokyo", 2)


def test_word_statistics_are_listed(student_api, student_id, review, session):
    review("2", False)
    review("2", True)
    body = student_api.get(f"/api/progress/{student_id}/words").json()
    assert [(item["word_id"], item["correct_count"], item["wrong_count"]) for item in body["words"]] == [("2", 1, 1)]


def test_cards_come_due_as_they_were_answered_least_remembered_first(vocabulary_words, make_caller):
    caller = make_caller("u")
    session = services.session_start(caller=caller, group_id=vocabulary_words.id, activity="quiz", now=MONDAY)
    for minute, (word_id, correct) in enumerate([("1", True), ("1", True), ("2", True), ("3", False)]):
        when = MONDAY + timedelta(minutes=minute)
        services.review_record(caller=caller, session_id=session.id, word_id=word_id, correct=correct, now=when)

    def due(now: datetime) -> list[str]:
        return [card.word_id for card in services.cards_due(user_id=caller.sub, now=now)]

    assert due(MONDAY + timedelta(minutes=5)) == ["3"]  # a wrong answer comes back within minutes
    assert due(MONDAY + timedelta(days=1)) == ["3", "2"]  # right twice, word 1 waits longer
    assert due(MONDAY + timedelta(days=30)) == ["3", "2", "1"]
    wrong = services.cards_due(user_id=caller.sub, now=MONDAY + timedelta(days=30))[0]
    assert due(wrong.due) == ["3"]  # due at the second it falls due


# --- the streak job ------------------------------------------------------------------


def test_job_resets_only_broken_streaks_and_is_idempotent(vocabulary_words, study):
    study("lapsed", MONDAY)
    study("keen", MONDAY)
    study("keen", MONDAY + timedelta(days=1))
    thursday = MONDAY + timedelta(days=3)
    assert services.streaks_reset(now=MONDAY + timedelta(days=2)) == 1  # Wednesday: "lapsed" missed Tuesday
    assert repo.student_get("lapsed").current_streak == 0
    assert repo.student_get("keen").current_streak == 2
    assert services.streaks_reset(now=MONDAY + timedelta(days=2)) == 0
    assert services.streaks_reset(now=thursday) == 1
    assert repo.student_get("keen").longest_streak == 2


def test_job_looks_back_a_week_for_streaks_that_broke_and_no_further(vocabulary_words, study, make_caller):
    study("lapsed", MONDAY)  # breaks on Wednesday 25 November at 00:00
    study("older", MONDAY - timedelta(days=1))  # breaks a day earlier
    a_week_on = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # the job reads 25 November to today
    assert services.streaks_reset(now=a_week_on) == 1
    assert repo.student_get("lapsed").current_streak == 0
    assert repo.student_get("older").current_streak == 1  # left to a job that ran in time
    older = services.progress_get(caller=make_caller("older"), user_id="older", now=a_week_on)
    assert older.current_streak == 0  # what the student sees all the same


def test_progress_reads_the_last_session_alone_however_many_there_are(
    vocabulary_words, study, make_caller, dynamodb_reads
):
    def progress_read() -> tuple[str, int]:
        """The last session's id in the student's progress, and the items read for it."""
        dynamodb_reads.items = 0
        return services.progress_get(caller=make_caller("u"), user_id="u").last_session.id, dynamodb_reads.items

    study("u", MONDAY)
    _, after_one = progress_read()
    latest = [study("u", MONDAY + timedelta(hours=hours)) for hours in range(1, 5)][-1]
    assert progress_read() == (latest.id, after_one)


def test_job_resets_a_streak_at_the_instant_it_breaks(vocabulary_words, study, make_caller):
    study("lapsed", MONDAY)
    breaks = datetime.fromisoformat(repo.student_get("lapsed").streak_expires_at)
    assert services.progress_get(caller=make_caller("lapsed"), user_id="lapsed", now=breaks).current_streak == 0
    assert services.streaks_reset(now=breaks) == 1


def test_job_leaves_a_streak_that_breaks_later_today(vocabulary_words, study, make_caller):
    study("tokyo", MONDAY, time_zone="Asia/Tokyo")  # Monday 19:00 there: breaks Wednesday 00:00, Tuesday 15:00 UTC
    tuesday = MONDAY + timedelta(days=1)
    assert services.streaks_reset(now=tuesday) == 0
    assert services.progress_get(caller=make_caller("tokyo"), user_id="tokyo", now=tuesday).current_streak == 1
    assert services.streaks_reset(now=tuesday + timedelta(hours=5)) == 1


def test_job_reads_only_expiring_streaks(vocabulary_words, dynamodb_reads, study):
    for number in range(5):
        study(f"student-{number}", MONDAY)
    study("active", MONDAY + timedelta(days=2))
    dynamodb_reads.items = 0
    dynamodb_reads.calls.clear()
    assert services.streaks_reset(now=MONDAY + timedelta(days=2)) == 5
    assert dynamodb_reads.items == 5
    assert "Scan" not in dynamodb_reads.calls


def test_job_leaves_a_streak_renewed_meanwhile(vocabulary_words, study):
    study("u", MONDAY)
    expired = repo.streaks_expiring("2026-11-25", until="2026-11-26T00:00:00Z")
    study("u", MONDAY + timedelta(days=1))  # renewed after the job read it
    assert repo.streak_reset(*expired[0]) is False
    assert repo.student_get("u").current_streak == 2


def test_job_counts_only_the_streaks_it_reset(vocabulary_words, study, meanwhile):
    study("u", MONDAY)  # breaks at Wednesday 00:00
    midnight = datetime(2026, 11, 25, tzinfo=UTC)
    meanwhile(repo, "streak_reset", lambda: study("u", midnight - timedelta(seconds=10)))  # renewed in time
    assert services.streaks_reset(now=midnight + timedelta(seconds=30)) == 0
    assert repo.student_get("u").current_streak == 2


def test_the_command_runs_the_job(vocabulary_words, capsys, study):
    study("lapsed", datetime.now(UTC) - timedelta(days=3))
    study("keen", datetime.now(UTC))
    call_command("reset_streaks")
    assert "Reset 1 broken streak." in capsys.readouterr().out
    assert (repo.student_get("lapsed").current_streak, repo.student_get("keen").current_streak) == (0, 1)


def test_the_lambda_runs_the_job(vocabulary_words, study):
    study("lapsed", datetime.now(UTC) - timedelta(days=3))
    study("keen", datetime.now(UTC))
    assert lambdas.reset_streaks({"source": "aws.events"}, None) == {"reset": 1}
    assert (repo.student_get("lapsed").current_streak, repo.student_get("keen").current_streak) == (0, 1)
    assert lambdas.reset_streaks({"source": "aws.events"}, None) == {"reset": 0}  # running it again resets nothing more


# --- resetting a student's history ---------------------------------------------------


def test_teacher_resets_one_students_history(teacher_api, student_api, student_id, review, session, make_tokens, study):
    review("1", True)
    other = make_tokens("other-student").user_id
    study(other, datetime.now(UTC))
    assert teacher_api.post(f"/api/progress/{student_id}/reset").status_code == 204
    assert repo.sessions_page(student_id, limit=10).items == []
    assert repo.reviews_page(session["id"], limit=10).items == []
    assert repo.word_stat_get(student_id, "1") is None
    assert repo.student_get(student_id) is None
    assert repo.student_get(other).reviews_count == 1  # nobody else's history is touched
    assert student_api.get(f"/api/progress/{student_id}").json()["reviews_count"] == 0


def test_students_cannot_reset_anything(student_api, student_id, review, api_error):
    review("1", True)
    api_error(student_api.post(f"/api/progress/{student_id}/reset"), 403, "permission_denied")
    assert repo.student_get(student_id).reviews_count == 1


def test_the_reset_service_refuses_a_student_even_their_own(student_id, review, make_caller):
    review("1", True)
    with pytest.raises(PermissionDenied):
        services.history_reset(caller=make_caller(student_id), user_id=student_id)
    assert repo.student_get(student_id).reviews_count == 1


@pytest.mark.parametrize("method", ["delete", "post"])
def test_there_is_no_way_to_wipe_everything(teacher_api, aws, method):
    for path in ("/api/progress", "/api/progress/reset", "/api/study_sessions/reset"):
        assert getattr(teacher_api, method)(path).status_code in {404, 405}
