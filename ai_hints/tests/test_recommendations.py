"""GET /api/recommendations/{user_id}: due FSRS cards, least remembered first, then new words."""

from datetime import UTC, datetime, timedelta

import pytest

from ai_hints import services
from lrs import services as lrs
from vocabulary import services as vocabulary

MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def amy(make_caller):
    return make_caller("amy")


def studied(caller: lrs.Caller, answers: list[tuple[str, bool]], when: datetime = MORNING) -> None:
    session = lrs.session_start(caller=caller, group_id="1", activity="flashcards", now=when)
    for minute, (word_id, correct) in enumerate(answers):
        lrs.review_record(
            caller=caller, session_id=session.id, word_id=word_id, correct=correct, now=when + timedelta(minutes=minute)
        )


def picks(caller: lrs.Caller, now: datetime, limit: int = 20) -> list[tuple[str, str]]:
    return [
        (item.word.id, item.reason)
        for item in services.recommendations(caller=caller, user_id=caller.sub, limit=limit, now=now)
    ]


def test_due_cards_come_least_remembered_first_then_new_words(words, amy):
    studied(amy, [("1", True), ("2", False)])
    # Greetings holds words 1, 2 and 4; 4 was never studied. Food (3) is not a group she studies.
    # (FSRS counts elapsed time in whole days.)
    assert picks(amy, MORNING + timedelta(days=2)) == [("2", "due"), ("1", "due"), ("4", "new")]


def test_cards_not_yet_due_are_not_recommended(words, amy):
    studied(amy, [("1", True)])
    assert picks(amy, MORNING + timedelta(minutes=5)) == [("2", "new"), ("4", "new")]


def test_a_card_remembered_twice_is_due_later(words, amy):
    studied(amy, [("1", True), ("1", True), ("2", True)])  # 1 graduates; 2 is still learning
    later = MORNING + timedelta(days=1)
    assert picks(amy, later) == [("2", "due"), ("4", "new")]
    assert picks(amy, MORNING + timedelta(days=3))[:2] == [("2", "due"), ("1", "due")]


def test_the_limit_is_kept(words, amy):
    studied(amy, [("1", False), ("2", True)])
    assert picks(amy, MORNING + timedelta(days=2), limit=1) == [("1", "due")]


def test_a_student_with_no_history_gets_nothing(words, make_caller):
    assert picks(make_caller("newcomer"), MORNING) == []


def test_over_the_api_with_ownership(student_api, make_api, teacher_api, make_tokens, words):
    user_id = make_tokens("student").user_id
    session = student_api.post("/api/study_sessions", {"group_id": "1", "activity": "quiz"}, format="json").json()
    student_api.post(f"/api/study_sessions/{session['id']}/review", {"word_id": "1", "correct": False}, format="json")
    body = student_api.get(f"/api/recommendations/{user_id}?limit=5").json()
    assert body["user_id"] == user_id
    assert [(item["word_id"], item["reason"]) for item in body["recommendations"]] == [("2", "new"), ("4", "new")]
    assert set(body["recommendations"][0]) == {
        "word_id",
        "japanese",
        "romaji",
        "english",
        "reason",
        "due",
        "retrievability",
    }
    assert make_api("someone-else").get(f"/api/recommendations/{user_id}").status_code == 403
    assert teacher_api.get(f"/api/recommendations/{user_id}").status_code == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=many"])
def test_bad_limits_are_400(student_api, make_tokens, aws, query):
    user_id = make_tokens("student").user_id
    assert student_api.get(f"/api/recommendations/{user_id}?{query}").status_code == 400


def test_new_words_stop_at_the_limit(words, amy):
    studied(amy, [("1", True)])  # Greetings' 2 and 4 are new to her
    assert picks(amy, MORNING + timedelta(minutes=5), limit=1) == [("2", "new")]


def test_a_word_in_two_studied_groups_is_recommended_once(words, amy):
    studied(amy, [("1", True)])
    session = lrs.session_start(caller=amy, group_id="2", activity="flashcards", now=MORNING)
    lrs.review_record(caller=amy, session_id=session.id, word_id="3", correct=True, now=MORNING)
    # Sushi (4) is in Greetings and in Food, both of which she studies.
    assert picks(amy, MORNING + timedelta(minutes=5)) == [("2", "new"), ("4", "new")]


def test_a_deleted_word_is_not_recommended(words, amy):
    studied(amy, [("1", False), ("2", True)])
    vocabulary.word_delete(word_id="1")
    assert picks(amy, MORNING + timedelta(days=2)) == [("2", "due"), ("4", "new")]


def test_due_cards_leave_only_the_rest_of_the_limit_to_new_words(words, amy):
    studied(amy, [("1", False)])  # Greetings' 2 and 4 are new to her
    assert picks(amy, MORNING + timedelta(days=2), limit=2) == [("1", "due"), ("2", "new")]


def test_new_words_come_from_each_studied_group_in_turn_up_to_the_limit(words, amy):
    colours = vocabulary.group_create(name="Colours")
    new = [vocabulary.word_create(japanese=kanji, english=kanji, group_ids=[colours.id]).id for kanji in "赤青黄白"]
    studied(amy, [("1", True), ("2", True)])  # Greetings leaves 4 new
    session = lrs.session_start(caller=amy, group_id=colours.id, activity="flashcards", now=MORNING)
    lrs.review_record(caller=amy, session_id=session.id, word_id=new[0], correct=True, now=MORNING)
    assert picks(amy, MORNING + timedelta(minutes=5), limit=3) == [("4", "new"), (new[1], "new"), (new[2], "new")]


def test_a_group_is_looked_through_past_its_first_hundred_words(aws, amy):
    group = vocabulary.group_create(name="Many")
    ids = [vocabulary.word_create(japanese="語", english=f"word {n}", group_ids=[group.id]).id for n in range(101)]
    session = lrs.session_start(caller=amy, group_id=group.id, activity="flashcards", now=MORNING)
    for word_id in ids[:100]:
        lrs.review_record(caller=amy, session_id=session.id, word_id=word_id, correct=True, now=MORNING)
    assert picks(amy, MORNING + timedelta(minutes=5), limit=1) == [(ids[100], "new")]
