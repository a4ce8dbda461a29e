"""Erasing a student's data from the admin: the button on their page, the dry run, the
confirmation that starts the job, and the refusals."""

from django.test import Client

from langportal.jobs import services as jobs
from langportal.local.strict import Fault
from lrs import repositories as repo

ANSWERS = [("1", False), ("2", True), ("3", True)]


def erase_page(user_id: str) -> str:
    return f"/admin/lrs/students/{user_id}/erase/"


def test_the_student_page_links_to_the_dry_run(teacher_browser, studying):
    aiko = studying("aiko", ANSWERS)
    html = teacher_browser.get(f"/admin/lrs/students/{aiko}/?name=aiko").content.decode()
    assert f'href="{erase_page(aiko)}?name=aiko" class="deletelink" id="erase-link">Erase all data…</a>' in html


def test_the_dry_run_names_the_student_counts_each_kind_and_writes_nothing(teacher_browser, studying, stored):
    aiko = studying("aiko", ANSWERS)
    before = stored()
    response = teacher_browser.get(erase_page(aiko))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="erase-subject">aiko (user id <code>{aiko}</code>)' in html
    assert "cannot be undone" in html.split('id="erase-warning"')[1]
    plan = html.split('id="erase-plan"')[1]
    for label, count in (
        ("reviews", 3),
        ("study sessions", 1),
        ("word statistics and FSRS cards", 3),
        ("Idempotency-Keys and their stored answers", 4),
        ("hint rate counters", 1),
        ("audit entries naming them (kept, naming nobody)", 0),
        ("totals, groups studied and streak", 1),
    ):
        assert f"<tr><th>{label}</th><td>{count}</td></tr>" in plan
    assert 'id="confirm-erase"' in html and "csrfmiddlewaretoken" in html
    assert stored() == before
    assert jobs.jobs_recent() == []


def test_confirming_starts_the_job_which_erases_everything(teacher_browser, studying):
    aiko = studying("aiko", ANSWERS)
    response = teacher_browser.post(erase_page(aiko))
    [job] = jobs.jobs_recent()
    assert response.status_code == 302 and response["Location"] == f"/admin/jobs/{job.id}/"
    assert (job.kind, job.status, job.actor, job.options["user_id"]) == ("erase_student", "queued", "sensei", aiko)
    assert (
        f"Erasing all data of aiko: job {job.id} has started."
        in teacher_browser.get(response["Location"]).content.decode()
    )
    assert jobs.job_run(job.id, seconds=60).status == "done"
    assert repo.student_get(aiko) is None and list(repo.sessions_from(aiko)) == []
    summary = teacher_browser.get(response["Location"]).content.decode()
    assert '<span class="job-status">done</span>' in summary and "sessions erased" in summary


def test_a_confirmation_without_its_csrf_token_is_refused(teacher_browser, studying, browser_copy):
    aiko = studying("aiko", ANSWERS)
    forged = browser_copy(teacher_browser)
    forged.handler.enforce_csrf_checks = True
    assert forged.post(erase_page(aiko)).status_code == 403
    assert jobs.jobs_recent() == []


def test_a_user_who_never_studied_has_nothing_to_erase(teacher_browser, aws):
    html = teacher_browser.get(erase_page("never-studied")).content.decode()
    assert "Nothing is stored about never-studied." in html and 'id="confirm-erase"' not in html


def test_an_id_that_names_no_user_is_404(teacher_browser):
    for method in (teacher_browser.get, teacher_browser.post):
        assert method(erase_page("no%20such%20user")).status_code == 404
    assert jobs.jobs_recent() == []


def test_strangers_are_sent_to_sign_in(studying, db):
    aiko = studying("aiko", ANSWERS)
    for method in (Client().get, Client().post):
        response = method(erase_page(aiko))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert jobs.jobs_recent() == [] and repo.student_get(aiko) is not None


def test_the_database_unavailable_is_503_with_retry_after(
    teacher_browser, studying, settings, strict_dynamodb, no_botocore_backoff
):
    aiko = studying("aiko", ANSWERS)
    strict_dynamodb.configure(throttle=Fault(1.0, operations=frozenset({"Query"})))
    response = teacher_browser.get(erase_page(aiko))
    assert response.status_code == 503 and response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert "The database is unavailable." in response.content.decode()
