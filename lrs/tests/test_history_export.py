"""A student's or a group's review history exported from the admin, as a job: every
session and review once, with their values, formula-safe CSV or JSON; refused to those
who may not read it, and for a format there is not."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from langportal import aws
from langportal.errors import PermissionDenied, Unavailable
from langportal.jobs import services as jobs
from langportal.local.strict import Fault
from lrs import repositories as repo
from lrs import services
from lrs.jobs import history
from vocabulary import services as vocabulary


@pytest.fixture
def study(make_api, vocabulary_words):
    """study(username, answers, group_id=Greetings, end=True): one session through the
    API, its answers [(word id, correct)] given in order; the session's id."""

    def studied(username: str, answers: list[tuple[str, bool]], group_id: str | None = None, end: bool = True) -> str:
        api = make_api(username)
        started = api.post(
            "/api/study_sessions", {"group_id": group_id or vocabulary_words.id, "activity": "quiz"}, format="json"
        )
        assert started.status_code == 201, started.content
        session_id = started.json()["id"]
        for word_id, correct in answers:
            answered = api.post(
                f"/api/study_sessions/{session_id}/review", {"word_id": word_id, "correct": correct}, format="json"
            )
            assert answered.status_code == 201, answered.content
        if end:
            assert api.post(f"/api/study_sessions/{session_id}/end").status_code == 200
        return session_id

    return studied


def user_of(make_tokens, username: str) -> str:
    return make_tokens(username).user_id


def expected(user_id: str, username: str, session_id: str) -> list[dict]:
    """The records of a session as stored: a review each, or one without reviews."""
    session = repo.session_get(user_id, session_id)
    reviews = repo.reviews_page(session_id, limit=100).items
    words = {word.id: word for word in vocabulary.words_get(word_ids=[review.word_id for review in reviews])}
    columns = {
        "user_id": user_id,
        "username": username,
        "session_id": session_id,
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "group_id": session.group_id,
        "group_name": session.group_name,
    }
    empty = dict.fromkeys(("review_id", "word_id", "japanese", "english", "correct", "reviewed_at"))
    return [
        {
            **columns,
            "review_id": review.id,
            "word_id": review.word_id,
            "japanese": words[review.word_id].japanese,
            "english": words[review.word_id].english,
            "correct": review.correct,
            "reviewed_at": review.created_at.isoformat(),
        }
        for review in reviews
    ] or [{**columns, **empty}]


def as_csv(records: list[dict]) -> list[list[str]]:
    """The CSV's rows for these records, header first."""
    cells = (
        ["" if record[field] is None else str(record[field]) for field in services.HISTORY_FIELDS] for record in records
    )
    return [list(services.HISTORY_FIELDS), *cells]


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_a_students_history_has_every_session_and_review_once_oldest_first(history_export, study, make_tokens):
    first = study("aiko", [("1", True), ("2", False), ("1", False)])
    second = study("aiko", [], end=False)
    study("ben", [("3", True)])  # another student's
    aiko = user_of(make_tokens, "aiko")
    records = expected(aiko, "aiko", first) + expected(aiko, "aiko", second)
    assert len(records) == 4 and records[-1]["review_id"] is None and records[-1]["ended_at"] is None
    assert rows(history_export(user_id=aiko)) == as_csv(records)


def test_json_is_the_same_records_as_an_array(history_export, study, make_tokens):
    session = study("aiko", [("3", True), ("2", False)])
    aiko = user_of(make_tokens, "aiko")
    exported = json.loads(history_export(user_id=aiko, format="json"))
    assert exported == expected(aiko, "aiko", session)
    assert [record["correct"] for record in exported] == [True, False]


def test_a_groups_history_is_every_students_sessions_of_that_group(
    history_export, study, make_tokens, vocabulary_words
):
    food = vocabulary.group_create(name="Food")
    water = vocabulary.word_create(japanese="水", english="water", group_ids=[food.id])
    aiko_greetings = study("aiko", [("1", True)])
    study("aiko", [(water.id, False)], group_id=food.id)  # another group's
    ben_greetings = study("ben", [("2", False), ("3", True)])
    ben_empty = study("ben", [], end=False)
    study("chika", [(water.id, True)], group_id=food.id)  # never studied Greetings
    make_tokens("dai")  # never studied
    aiko, ben = user_of(make_tokens, "aiko"), user_of(make_tokens, "ben")
    exported = json.loads(history_export(group_id=vocabulary_words.id, format="json"))
    of_aiko = expected(aiko, "aiko", aiko_greetings)
    of_ben = expected(ben, "ben", ben_greetings) + expected(ben, "ben", ben_empty)
    assert exported in (of_aiko + of_ben, of_ben + of_aiko)  # student after student, in Cognito's order


def test_an_export_is_named_after_the_students_username(history_export, study, make_tokens):
    study("aiko", [("1", True)])
    started = history_export.start(user_id=user_of(make_tokens, "aiko"))
    assert "<strong>History aiko</strong>" in history_export.client.get(started["Location"]).content.decode()


def test_a_history_is_counted_by_its_reviews(study, make_tokens, vocabulary_words):
    """The count sizes an export's progress: a student's reviews, or a group's."""
    study("aiko", [("1", True), ("2", False)])
    study("ben", [("3", True)])
    assert services.history_count(user_id=user_of(make_tokens, "aiko")) == 2
    assert services.history_count(group_id=vocabulary_words.id) == 3
    assert services.history_count(user_id=user_of(make_tokens, "chika")) == 0  # never studied


def test_csv_cells_that_start_like_formulas_are_quoted(history_export, study, make_tokens, vocabulary_words):
    equal = vocabulary.word_create(japanese="等しい", english="=1+1", group_ids=[vocabulary_words.id])
    study("aiko", [(equal.id, True)])
    exported = rows(history_export(user_id=user_of(make_tokens, "aiko")))
    english = exported[0].index("english")
    assert exported[1][english] == "'=1+1"


def test_every_position_reads_on_with_the_records_after_it(study, make_tokens, vocabulary_words):
    """A resumed export reads on from the last page's position: nothing twice, nothing missed."""
    study("aiko", [("1", True), ("2", True)])
    study("aiko", [])
    study("ben", [("3", False)])
    for scope in ({"user_id": user_of(make_tokens, "aiko")}, {"group_id": vocabulary_words.id}):
        pages = list(services.history_pages(**scope, size=1))
        everything = [record for records, _ in pages for record in records]
        assert len({(record["session_id"], record["review_id"]) for record in everything}) == len(everything)
        for number, (_, position) in enumerate(pages):
            after = [
                record for records, _ in services.history_pages(**scope, after=position, size=2) for record in records
            ]
            assert after == everything[number + 1 :], (scope, number)


def test_a_history_is_read_by_key_queries_only(study, make_tokens, vocabulary_words, dynamodb_reads):
    study("aiko", [("1", True)])
    for scope in ({"user_id": user_of(make_tokens, "aiko")}, {"group_id": vocabulary_words.id}):
        list(services.history_pages(**scope, size=10))
    assert "Scan" not in dynamodb_reads.calls and "Query" in dynamodb_reads.calls


def test_a_groups_history_reads_nothing_of_students_who_never_studied_it(
    study, make_tokens, vocabulary_words, dynamodb_reads
):
    """Only the students whose totals name the group have their sessions read."""
    food = vocabulary.group_create(name="Food")
    water = vocabulary.word_create(japanese="水", english="water", group_ids=[food.id])
    study("aiko", [("1", True)])
    study("chika", [(water.id, True)], group_id=food.id)

    def items_read() -> int:
        dynamodb_reads.items = 0
        list(services.history_pages(group_id=vocabulary_words.id, size=10))
        return dynamodb_reads.items

    before = items_read()
    for _ in range(3):
        study("chika", [(water.id, False)], group_id=food.id)
    assert items_read() == before


def test_a_students_and_a_groups_pages_have_the_export_form(teacher_browser, study, make_tokens, vocabulary_words):
    aiko = user_of(make_tokens, "aiko")
    study("aiko", [("1", True)])
    student = teacher_browser.get(f"/admin/lrs/students/{aiko}/").content.decode()
    assert f'action="/admin/lrs/students/{aiko}/export/" id="history-export"' in student
    dashboard = teacher_browser.get("/admin/lrs/statistics/").content.decode()
    assert f'action="/admin/lrs/groups/{vocabulary_words.id}/export/"' in dashboard


def test_an_unknown_format_is_refused_with_a_message_and_no_job(history_export, study, make_tokens):
    study("aiko", [("1", True)])
    refused = history_export.start(user_id=user_of(make_tokens, "aiko"), format="xml")
    assert refused.status_code == 400
    assert "Select a valid choice. xml is not one of the available choices." in refused.content.decode()
    assert jobs.jobs_recent() == []


def test_no_such_student_or_group_is_404_and_no_job(history_export, aws):
    assert history_export.start(user_id="not a user id").status_code == 404
    assert history_export.start(group_id="999").status_code == 404
    assert jobs.jobs_recent() == []


def test_the_export_is_a_post(teacher_browser, study, make_tokens):
    study("aiko", [("1", True)])
    assert teacher_browser.get(f"/admin/lrs/students/{user_of(make_tokens, 'aiko')}/export/").status_code == 405
    assert jobs.jobs_recent() == []


def test_who_may_not_read_a_history_cannot_export_it(make_caller, study, make_tokens, vocabulary_words):
    study("aiko", [("1", True)])
    aiko, ben = user_of(make_tokens, "aiko"), make_caller(user_of(make_tokens, "ben"))
    for scope in ({"user_id": aiko}, {"group_id": vocabulary_words.id}):
        with pytest.raises(PermissionDenied) as refused:
            history.history_export_start(caller=ben, format="csv", actor="ben", **scope)
        assert refused.value.status == 403
    assert jobs.jobs_recent() == []


def test_the_command_exports_a_students_history_to_a_file(study, make_tokens, tmp_path):
    session = study("aiko", [("1", True)])
    aiko = user_of(make_tokens, "aiko")
    output = tmp_path / "aiko.csv"
    call_command("export_history", "--student", aiko, "--output", str(output), verbosity=0)
    assert rows(output.read_bytes()) == as_csv(expected(aiko, "aiko", session))


def test_the_command_refuses_no_such_group_and_starts_no_job(aws):
    with pytest.raises(CommandError, match="No group with id 999"):
        call_command("export_history", "--group", "999", verbosity=0)
    assert jobs.jobs_recent() == []


def test_a_run_that_finds_dynamodb_down_is_run_again_to_the_same_file(
    history_export, study, make_tokens, strict_dynamodb, no_botocore_backoff
):
    session = study("aiko", [("1", True), ("2", False)])
    aiko = user_of(make_tokens, "aiko")
    started = history_export.start(user_id=aiko)
    job_id = started["Location"].rstrip("/").rsplit("/", 1)[1]
    strict_dynamodb.configure(throttle=Fault(1.0, operations=frozenset({"Query"})))
    with pytest.raises(Unavailable):
        jobs.job_run(job_id, seconds=60)
    strict_dynamodb.configure(throttle=Fault())
    done = jobs.job_run(job_id, seconds=60)
    assert (done.status, done.output_key) == ("done", f"exports/{job_id}/{done.options['filename']}")
    stored = aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=done.output_key)["Body"].read()
    assert rows(stored) == as_csv(expected(aiko, "aiko", session))
