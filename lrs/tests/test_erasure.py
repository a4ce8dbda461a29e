"""Erasing one student's data (lrs.services.erasure, the job lrs.jobs.erasure): nothing of
theirs stays in any table, everything of others' does, and the teachers' counters lose
their reviews exactly once, however often the job is cut and run again."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from langportal.errors import PermissionDenied, Unavailable
from langportal.jobs import services as jobs
from langportal.local.strict import Fault
from lrs import services
from lrs.jobs import erasure
from lrs.services import StudentNotFound
from vocabulary import services as vocabulary

AIKO_ANSWERS = [("1", False), ("2", True), ("3", True), ("1", True)]
BEN_ANSWERS = [("1", True), ("2", False)]


class Killed(BaseException):
    """The worker died (as a Lambda whose time ran out, or a killed process)."""


def naming(tables: dict[str, list[dict]], user_id: str, username: str) -> dict[str, list[dict]]:
    """The items, by table, with a value that holds the user id or is the username."""

    def names(value) -> bool:
        if isinstance(value, dict):
            return any(map(names, value.values()))
        if isinstance(value, list | set | tuple):
            return any(map(names, value))
        return isinstance(value, str) and (user_id in value or value == username)

    found = {table: [item for item in items if names(item)] for table, items in tables.items()}
    return {table: items for table, items in found.items() if items}


def tallies(tables: dict[str, list[dict]]) -> dict[str, tuple[int, int, int]]:
    """The teachers' counters that count something: reviews, right and wrong, by name."""
    counted = {
        item["name"]: (int(item["reviews"]), int(item["correct"]), int(item.get("wrong", 0)))
        for item in tables["stats"]
    }
    return {name: counts for name, counts in counted.items() if any(counts)}


def erase(user_id: str, caller):
    job = erasure.erasure_job_start(caller=caller, user_id=user_id, actor="sensei")
    return run(job)


def run(job, **when):
    """Run the job to its end (or its death): saves come every 100 rows, never by time."""
    return jobs.job_run(job.id, seconds=600, clock=lambda: 0.0, **when)


@pytest.fixture
def teacher(make_caller):
    return make_caller("teacher-sub", is_teacher=True, username="sensei")


@pytest.fixture
def kill_after(monkeypatch):
    """Kill the job's run right after its nth item is erased, before the run saves it."""

    def arm(number: int):
        calls = {"items": 0}
        real = services.erasure_item_erase

        def erase_item(item):
            outcome = real(item)
            calls["items"] += 1
            if calls["items"] == number:
                monkeypatch.setattr(services, "erasure_item_erase", real)
                raise Killed()
            return outcome

        monkeypatch.setattr(services, "erasure_item_erase", erase_item)

    return arm


def test_nothing_of_the_student_stays_and_everything_of_another_does(studying, stored, teacher, make_xapi_user, xapi):
    ben = studying("ben", BEN_ANSWERS)
    before = stored()
    aiko = studying("aiko", AIKO_ANSWERS)
    tool = make_xapi_user("aiko")  # an xAPI tool of hers keeps a state and a profile of her
    state = {"activityId": "http://example.com/quiz", "agent": tool.agent, "stateId": "bookmark"}
    profile = {"agent": tool.agent, "profileId": "preferences"}
    assert tool.put("activities/state", {"page": 3}, state).status_code == 204
    assert tool.put("agents/profile", {"furigana": True}, profile, if_none_match="*").status_code == 204
    word = vocabulary.word_create(japanese="猫", english="cat", actor="aiko")  # aiko was a teacher once
    assert set(naming(stored(), aiko, "aiko")) == {
        "study-sessions",
        "reviews",
        "word-stats",
        "students",
        "xapi-statements",
        "idempotency-keys",
        "rate-counters",
        "audit",
    }
    job = erase(aiko, teacher)
    assert (job.status, job.done, job.total) == ("done", 23, 23)
    assert job.counts == {
        "reviews erased": 4,
        "sessions erased": 1,
        "word statistics erased": 3,
        "xAPI statements erased": 5,  # the session's start and its 4 answers
        "xAPI documents erased": 2,
        "idempotency keys erased": 5,
        "rate counters erased": 1,
        "audit entries anonymised": 1,
        "totals erased": 1,
    }
    after = stored()
    assert naming(after, aiko, "aiko") == {}
    assert xapi.get("activities/state", state).status_code == 404  # its keys are digests: asked for
    assert xapi.get("agents/profile", profile).status_code == 404
    assert naming(after, ben, "ben") == naming(before, ben, "ben")
    assert tallies(after) == tallies(before)  # the day's, group's and words' counters lose aiko's reviews
    assert [(event.actor, event.action) for event in vocabulary.word_history(word_id=word.id)] == [
        (vocabulary.ERASED_ACTOR, "create")
    ]
    assert not default_storage.exists(f"erasures/{job.id}.jsonl")


def test_the_dashboard_shows_only_the_other_students_reviews_after(studying, teacher):
    studying("ben", BEN_ANSWERS)
    alone = services.dashboard()
    erase(studying("aiko", AIKO_ANSWERS), teacher)
    assert services.dashboard() == alone


def test_the_dry_run_counts_each_kind_and_writes_nothing(studying, stored, teacher):
    aiko = studying("aiko", AIKO_ANSWERS)
    before = stored()
    subject = services.erasure_subject(caller=teacher, user_id=aiko)
    assert services.erasure_counts(services.erasure_plan(subject)) == {
        "review": 4,
        "session": 1,
        "word_stat": 3,
        "xapi_statement": 5,
        "xapi_document": 0,
        "idempotency_key": 5,
        "rate_counter": 1,
        "audit_event": 0,
        "student": 1,
    }
    assert stored() == before
    assert default_storage.listdir("erasures")[1] == []


def test_a_job_killed_midway_and_run_again_erases_everything_once(studying, stored, teacher, make_caller, kill_after):
    ben = studying("ben", BEN_ANSWERS)
    before = stored()
    aiko = studying("aiko", AIKO_ANSWERS)
    caller = make_caller(aiko, username="aiko")
    session = services.session_start(caller=caller, group_id="1", activity="quiz")
    for number in range(150):
        services.review_record(caller=caller, session_id=session.id, word_id="2", correct=number % 3 == 0)
    job = erasure.erasure_job_start(caller=teacher, user_id=aiko, actor="sensei")
    kill_after(137)  # between two saves of progress: items 101 to 137 are erased but not saved
    with pytest.raises(Killed):
        run(job)
    cut = jobs.job_get(job_id=job.id)
    assert (cut.status, cut.done, cut.total) == ("running", 100, 322)
    services.session_start(caller=caller, group_id="1", activity="quiz")  # studying while being erased
    run(job, now=lambda: cut.lease_until + timedelta(seconds=1))  # the dead run's lease has run out
    finished = jobs.job_get(job_id=job.id)
    assert (finished.status, finished.done) == ("done", 322)
    assert finished.counts["reviews erased"] == 154 and finished.counts["sessions erased"] == 2
    after = stored()
    assert naming(after, aiko, "aiko") == {}
    assert naming(after, ben, "ben") == naming(before, ben, "ben")
    assert tallies(after) == tallies(before)  # corrected once for each review, the rerun's own included


def test_an_erasure_under_stale_reads_and_lost_answers_erases_everything_once(
    studying, stored, teacher, strict_dynamodb
):
    ben = studying("ben", BEN_ANSWERS)
    before = stored()
    aiko = studying("aiko", AIKO_ANSWERS)
    writes = frozenset({"TransactWriteItems", "DeleteItem", "UpdateItem"})
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0), lost=Fault(0.3, operations=writes))
    job = erasure.erasure_job_start(caller=teacher, user_id=aiko, actor="sensei")
    for _ in range(20):  # a run that DynamoDB stops frees its job; the next goes on
        try:
            job = run(job)
        except Unavailable:
            job = jobs.job_get(job_id=job.id)
        if job.status not in jobs.UNFINISHED:
            break
    assert (job.status, job.counts["reviews erased"]) == ("done", 4)
    assert strict_dynamodb.faults["lost"] > 0
    strict_dynamodb.configure()
    after = stored()
    assert naming(after, aiko, "aiko") == {}
    assert naming(after, ben, "ben") == naming(before, ben, "ben")
    assert tallies(after) == tallies(before)


def test_a_student_may_not_erase_anyone(studying, make_caller):
    aiko = studying("aiko", AIKO_ANSWERS)
    for user_id in (aiko, "someone-else"):
        with pytest.raises(PermissionDenied):
            erasure.erasure_job_start(caller=make_caller(aiko), user_id=user_id, actor="aiko")
    assert jobs.jobs_recent() == []


def test_an_id_that_names_no_user_is_not_found(aws, teacher):
    with pytest.raises(StudentNotFound):
        erasure.erasure_job_start(caller=teacher, user_id="no such user", actor="sensei")
    assert jobs.jobs_recent() == []


def test_a_user_with_nothing_stored_is_erased_with_nothing_to_do(aws, teacher):
    job = erase("never-studied", teacher)
    assert (job.status, job.done, job.counts) == ("done", 0, {})
