"""Study statistics in the admin: the dashboard, the students, one student, a reset."""

from datetime import UTC, datetime, timedelta

import pytest

from lrs import repositories as repo
from lrs import services
from vocabulary import services as vocabulary


@pytest.fixture
def study(make_caller):
    """study(user_id, username, answers, ...): one session of (word id, correct) answers."""

    def studied(user_id: str, username: str, answers: list[tuple[str, bool]], when=None, group_id: str = "1"):
        caller = make_caller(user_id, username=username)
        when = when or datetime.now(UTC)
        session = services.session_start(caller=caller, group_id=group_id, activity="quiz", now=when)
        for word_id, correct in answers:
            services.review_record(caller=caller, session_id=session.id, word_id=word_id, correct=correct, now=when)

    return studied


def test_dashboard_counts_days_groups_words_and_students(teacher_browser, words, study):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    study("u-1", "aiko", [("1", False), ("1", False), ("1", True), ("2", True)], when=yesterday)
    study("u-2", "ben", [("1", False), ("2", True), ("2", True)])
    html = teacher_browser.get("/admin/lrs/statistics/").content.decode()
    assert "Reviews per day, last 30 days (7 in all)" in html
    assert "<td>Greetings</td><td>7</td><td>57.1%</td>" in html
    hardest = html.split('id="hardest-words"')[1]
    assert hardest.index("こんにちは") < hardest.index("ありがとう")  # 25% right before 100%
    active = html.split('id="active-students"')[1]
    assert "aiko" in active and "ben" in active
    assert "<svg" in html and "<title>Reviews per day" in html


def test_the_dashboard_reads_no_review_items(teacher_browser, words, dynamodb_reads, study):
    """Its reads grow with days, groups and counter shards, not with the reviews counted."""
    reviews = 150
    study("u-1", "aiko", [("1", True)] * reviews)
    dynamodb_reads.items = 0
    dynamodb_reads.calls.clear()
    teacher_browser.get("/admin/lrs/statistics/")
    assert "Scan" not in dynamodb_reads.calls and "Query" in dynamodb_reads.calls
    assert dynamodb_reads.items < 5 * repo.COUNTER_SHARDS < reviews


def test_the_dashboard_shows_every_group_past_the_first_hundred(teacher_browser, aws, study):
    groups = [vocabulary.group_create(name=f"Group {number:03d}") for number in range(101)]
    word = vocabulary.word_create(japanese="水", english="water", group_ids=[groups[-1].id])
    study("u-1", "aiko", [(word.id, True), (word.id, False)], group_id=groups[-1].id)
    html = teacher_browser.get("/admin/lrs/statistics/").content.decode()
    assert "<td>Group 000</td><td>0</td><td>0.0%</td>" in html
    assert "<td>Group 100</td><td>2</td><td>50.0%</td>" in html  # the 101st group in name order


def test_the_hardest_words_are_the_least_often_right_then_the_most_answered(words, study):
    study("u-1", "aiko", [("1", False)] * 3 + [("2", False)] * 4 + [("3", True), ("3", False), ("3", False)])
    hardest = [(word.id, tally.reviews) for word, tally in services.dashboard().hardest]
    assert hardest == [("2", 4), ("1", 3), ("3", 3)]
    assert [word.id for word, _ in services.dashboard(hardest=2).hardest] == ["2", "1"]


def test_the_most_missed_words_are_found_among_many_answered_right(words, study):
    study("u-1", "aiko", [("2", True)] * 150 + [("1", False)] * 3)  # word 2's counters fill every shard
    assert [(tally.name, tally.reviews, tally.correct) for tally in repo.most_missed_words(limit=1)] == [("1", 3, 0)]


def test_active_students_are_those_with_a_live_streak_longest_first(words, study):
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    wednesday = monday + timedelta(days=2)
    for user_id, username, days in (
        ("u-1", "ben", [1]),
        ("u-2", "aiko", [0, 1]),
        ("u-3", "dai", [2]),
        ("u-4", "chika", [0]),  # missed Tuesday: broke at midnight
    ):
        for day in days:
            study(user_id, username, [("1", True)], when=monday + timedelta(days=day))
    active = [(student.username, streak) for student, streak in services.students_active(now=wednesday)]
    assert active == [("aiko", 2), ("ben", 1), ("dai", 1)]


def test_a_student_ahead_of_utc_is_active_until_their_own_midnight(words, study, make_caller):
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
    caller = make_caller("u-1", username="hana")
    session = services.session_start(caller=caller, group_id="1", activity="quiz", time_zone="Asia/Tokyo", now=monday)
    services.review_record(caller=caller, session_id=session.id, word_id="1", correct=True, now=monday)
    tuesday = monday + timedelta(days=1)  # the streak breaks at Wednesday 00:00 in Tokyo, Tuesday 15:00 UTC
    assert [(student.username, streak) for student, streak in services.students_active(now=tuesday)] == [("hana", 1)]
    assert services.students_active(now=tuesday + timedelta(hours=5)) == []


def test_the_dashboard_shows_the_thirty_days_up_to_today(words):
    today = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    days = [tally.label for tally in services.dashboard(now=today).days]
    assert len(days) == 30
    assert (days[0], days[-1]) == ("2026-10-25", "2026-11-23")


@pytest.fixture
def eleven_words(aws) -> tuple[str, list[str]]:
    """A group of eleven words: one more than a list of the hardest or weakest shows."""
    group = vocabulary.group_create(name="Numbers")
    numbers = "一二三四五六七八九十百"
    words = [
        vocabulary.word_create(japanese=kanji, english=f"number {kanji}", group_ids=[group.id]) for kanji in numbers
    ]
    return group.id, [word.id for word in words]


def test_the_hardest_and_the_weakest_words_are_ten_at_most(eleven_words, study, make_caller):
    group_id, word_ids = eleven_words
    study("u-1", "aiko", [(word_id, False) for word_id in word_ids for _ in range(3)], group_id=group_id)
    assert len(services.dashboard().hardest) == 10
    report = services.student_report(caller=make_caller("teacher", is_teacher=True), user_id="u-1")
    assert len(report.weak_words) == 10


def test_a_students_report_shows_their_latest_fifty_sessions(words, study, make_caller):
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for minutes in range(51):
        study("u-1", "chika", [("1", True)] * (minutes % 3), when=monday + timedelta(minutes=minutes))
    report = services.student_report(caller=make_caller("teacher", is_teacher=True), user_id="u-1")
    assert len(report.sessions) == 50
    assert report.sessions[0].started_at == monday + timedelta(minutes=1)  # the first of 51 left out


def test_students_come_from_cognito(teacher_browser, make_tokens, words):
    make_tokens("chika", "students")
    html = teacher_browser.get("/admin/lrs/students/").content.decode()
    assert "chika" in html


def test_a_student_page_and_resetting_it(teacher_browser, make_tokens, words, study):
    user_id = make_tokens("chika", "students").user_id
    study(user_id, "chika", [("1", False), ("1", False), ("2", True)])
    html = teacher_browser.get(f"/admin/lrs/students/{user_id}/?name=chika").content.decode()
    assert "<td>3 (33.3% right)</td>" in html
    assert "<td>3</td><td>33.3%</td>" in html.split('id="sessions"')[1]  # the session's row, rounded alike
    assert 'id="current-streak">1 day<' in html
    assert "33.3% · 3 reviews, Greetings</title>" in html.split('id="trend"')[1]  # the session's bar
    assert html.split('id="weak-words"')[1].index("こんにちは") > 0
    assert "Yes, reset it" in teacher_browser.get(f"/admin/lrs/students/{user_id}/reset/?name=chika").content.decode()
    assert repo.student_get(user_id) is not None
    teacher_browser.post(f"/admin/lrs/students/{user_id}/reset/?name=chika")
    assert repo.student_get(user_id) is None


def test_a_students_report_has_sessions_oldest_first_and_weak_words_answered_twice(words, study, make_caller):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    study("u-1", "chika", [("1", False)] * 2 + [("2", False)] * 3 + [("3", False)], when=yesterday)
    study("u-1", "chika", [("4", True), ("4", True)])
    teacher = make_caller("teacher", is_teacher=True)
    report = services.student_report(caller=teacher, user_id="u-1")
    assert [session.review_items_count for session in report.sessions] == [6, 2]
    assert [(word.id, stat.wrong_count) for word, stat in report.weak_words] == [("2", 3), ("1", 2), ("4", 0)]
    assert [word.id for word, _ in services.student_report(caller=teacher, user_id="u-1", weak=1).weak_words] == ["2"]


def test_a_students_weak_words_are_the_least_often_right_first(words, study, make_caller):
    study("u-1", "chika", [("1", True)] * 2 + [("1", False)] * 3 + [("2", True)] + [("2", False)] * 2)
    report = services.student_report(caller=make_caller("teacher", is_teacher=True), user_id="u-1")
    assert [word.id for word, _ in report.weak_words] == ["2", "1"]  # 33.3% right, then 40%


def test_active_students_with_the_same_streak_come_in_name_order(words, study):
    for user_id, username in (("u-1", "zeno"), ("u-2", "aiko"), ("u-3", "mio")):
        study(user_id, username, [("1", True)])
    assert [student.username for student, _ in services.students_active()] == ["aiko", "mio", "zeno"]


def test_a_student_page_rates_a_session_as_the_api_does(teacher_browser, make_tokens, teacher_api, words, study):
    user_id = make_tokens("chika", "students").user_id
    study(user_id, "chika", [("1", True), ("1", True), ("2", False)])  # 66.666…%, rounded to one decimal
    last_session = teacher_api.get(f"/api/progress/{user_id}").json()["last_session"]
    html = teacher_browser.get(f"/admin/lrs/students/{user_id}/?name=chika").content.decode()
    row = f"<td>{last_session['review_items_count']}</td><td>{last_session['success_rate']}%</td>"
    assert last_session["success_rate"] == 66.7
    assert row in html.split('id="sessions"')[1]
    assert f"{last_session['success_rate']}% · 3 reviews, Greetings</title>" in html.split('id="trend"')[1]
