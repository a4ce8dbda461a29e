"""manage.py erase_student: the plan printed, a dry run that erases nothing, the job run here."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from langportal.jobs import services as jobs
from lrs import repositories as repo


def erase_student(*arguments: str) -> str:
    out = StringIO()
    call_command("erase_student", *arguments, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue()


def test_a_dry_run_prints_the_plan_and_erases_nothing(studying, stored):
    aiko = studying("aiko", [("1", True), ("2", False)])
    before = stored()
    out = erase_student(aiko, "--dry-run")
    assert f"Data of aiko ({aiko}):" in out
    assert "  reviews: 2\n  study sessions: 1\n  word statistics and FSRS cards: 2\n" in out
    assert out.endswith("Dry run: nothing was erased.\n")
    assert stored() == before and jobs.jobs_recent() == []


def test_the_erasure_runs_here_and_names_the_operator(studying):
    aiko = studying("aiko", [("1", True), ("2", False)])
    out = erase_student(aiko, "--actor", "ops")
    [job] = jobs.jobs_recent()
    assert (job.kind, job.status, job.actor, job.actor_id) == ("erase_student", "done", "ops", "operator:ops")
    assert f"Erasure job {job.id}\n" in out
    assert "Erased 13 items: " in out and "reviews erased: 2" in out and "xAPI statements erased: 3" in out
    assert repo.student_get(aiko) is None and list(repo.sessions_from(aiko)) == []


def test_an_id_that_names_no_user_is_refused(aws):
    with pytest.raises(CommandError, match=r"No such student\."):
        erase_student("no such user")
    assert jobs.jobs_recent() == []
