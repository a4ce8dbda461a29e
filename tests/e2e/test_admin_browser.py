"""The teachers' admin in a real browser (Debian's Chromium, driven by Playwright) against
the local stack. Every page visited is saved as a screenshot in test-artifacts/."""

import csv
import io
import json
import re
import tempfile
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

from vocabulary.tests import samples

from .conftest import ROOT, every_word

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS, headless=True, viewport={"width": 1280, "height": 900}
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    browser.clear_cookies()
    tab = browser.new_page()
    yield tab
    tab.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def passwords(stack) -> dict[str, str]:
    return json.loads((stack.data_dir / "local-users.json").read_text())


def sign_in(page, stack, username: str) -> None:
    page.goto(f"{stack.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", passwords(stack)[username])
    page.click("input[type=submit]")


def test_a_teacher_manages_a_word_from_sign_in_to_search(page, stack, tmp_path):
    sign_in(page, stack, "teacher")
    expect(page.locator("#site-name")).to_contain_text("langportal")
    expect(page.locator("a[href='/admin/vocabulary/words/']").first).to_be_visible()
    shoot(page, "01-index")

    english = f"bicycle {uuid.uuid4().hex[:6]}"
    page.goto(f"{stack.url}/admin/vocabulary/words/add/")
    page.fill("#id_japanese", "自転車")
    expect(page.locator("#romaji-suggestion")).to_contain_text("jitensha")  # suggested while typing
    page.fill("#id_english", english)
    page.select_option("#id_part_of_speech", "noun")
    shoot(page, "02-add-word")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Added 「自転車」 (jitensha).")

    audio = tmp_path / "jitensha.wav"
    audio.write_bytes(samples.wav(seconds=1))
    page.set_input_files("#id_audio", str(audio))
    page.click("input[name=_save]")
    expect(page.locator("#audio-player")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("upload audio")
    shoot(page, "03-word-with-audio")
    word_page = page.url

    page.goto(f"{stack.url}/admin/vocabulary/words/")
    page.fill("#searchbar", english)
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list")).to_contain_text("自転車")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    shoot(page, "04-search")

    # Deleting it leaves the shared stack's vocabulary as it was seeded.
    page.goto(word_page)
    page.click("a.deletelink")
    shoot(page, "04-delete-confirmation")
    page.click("input[value='Yes, delete it']")
    expect(page.locator(".messagelist")).to_contain_text("Deleted 「自転車」.")
    page.fill("#searchbar", english)
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody")).to_contain_text("No words.")


def test_a_validation_error_shows_next_to_its_field(page, stack):
    sign_in(page, stack, "teacher")
    page.goto(f"{stack.url}/admin/vocabulary/words/add/")
    page.fill("#id_japanese", "bicycle")
    page.fill("#id_english", "bicycle")
    page.click("input[name=_save]")
    expect(page.locator(".field-japanese .errorlist")).to_contain_text("Must contain Japanese script")
    shoot(page, "05-validation-error")


def test_the_dashboard_and_a_students_page(page, stack, student_tokens, student):
    session = student.post("/api/study_sessions", json={"group_id": "1", "activity": "quiz"}).json()
    for word_id, correct in (("1", True), ("2", False), ("3", True)):
        student.post(f"/api/study_sessions/{session['id']}/review", json={"word_id": word_id, "correct": correct})
    sign_in(page, stack, "teacher")
    page.goto(f"{stack.url}/admin/lrs/statistics/")
    expect(page.locator("#reviews-per-day svg")).to_be_visible()
    expect(page.locator("#active-students")).to_contain_text("student")
    shoot(page, "06-dashboard")

    page.goto(f"{stack.url}/admin/lrs/students/")
    page.click("#result_list a:text-is('student')")
    expect(page.locator("#progress")).to_contain_text("Reviews")
    expect(page.locator("#trend svg")).to_be_visible()
    assert re.search(r"/admin/lrs/students/[0-9a-f-]+/", page.url)
    shoot(page, "07-student")


def test_a_student_is_refused(page, stack):
    sign_in(page, stack, "student")
    expect(page.locator(".errornote")).to_contain_text("Students sign in through the app")
    shoot(page, "08-student-refused")


def test_signing_out(page, stack):
    sign_in(page, stack, "teacher")
    page.click("#logout-form button")
    expect(page.locator("body")).to_contain_text("Logged out")
    page.goto(f"{stack.url}/admin/vocabulary/words/")
    assert "/admin/login/" in page.url


def test_an_import_runs_as_a_job_whose_progress_bar_moves_on_its_own(page, stack, teacher, tmp_path):
    run = uuid.uuid4().hex[:6]
    rows = "".join(f",輸入{n},ゆにゅう,,browser {run} {n:03d},noun,\n" for n in range(120))
    upload = tmp_path / "browser-words.csv"
    upload.write_text(f"id,japanese,kana,romaji,english,part_of_speech,group_ids\n{rows},,,,no japanese,,\n")
    sign_in(page, stack, "teacher")
    page.goto(f"{stack.url}/admin/vocabulary/words/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("#import_form input[type=submit]")
    expect(page.locator("#import-preview-summary")).to_contain_text("120 rows can be imported; 1 row has errors")
    page.click("#import_confirm input[type=submit]")
    expect(page.locator("#job .job-status")).to_have_text(re.compile("queued|running|done"))
    shoot(page, "20-import-job")
    expect(page.locator("#job-summary")).to_contain_text("rejected: 1, words created: 120", timeout=120_000)
    bar = page.locator("#job progress.job-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("121", "121")
    shoot(page, "21-import-done")
    with page.expect_download() as download:
        page.click("#job-errors")
    report = download.value.path().read_text()
    assert report.splitlines()[0] == "row,error,entry" and "no japanese" in report
    page.goto(f"{stack.url}/admin/jobs/")
    expect(page.locator("tr.job").first).to_contain_text("browser-words.csv")
    expect(page.locator("tr.job .job-status").first).to_have_text("done")
    shoot(page, "22-imports")
    for word in (word for word in every_word(teacher) if run in word["english"]):  # the stack is shared
        assert teacher.delete(f"/api/words/{word['id']}").status_code == 204


def test_a_large_file_goes_straight_to_storage_and_comes_back_as_a_preview(page, stack, teacher, tmp_path):
    run = uuid.uuid4().hex[:6]
    upload = tmp_path / "large-words.csv"
    upload.write_text("japanese,english\n" + "".join(f"大{n},large {run} {n:03d}\n" for n in range(150)))
    sign_in(page, stack, "teacher")
    page.goto(f"{stack.url}/admin/vocabulary/words/import/")
    page.set_input_files("#id_upload_file", str(upload))
    page.click("#upload_form input[type=submit]")  # to S3, which sends the browser back
    expect(page.locator("#import-preview-summary")).to_contain_text(
        "The first 100 rows of each kind are shown: 100 rows can be imported"
    )
    assert page.url.startswith(f"{stack.url}/admin/vocabulary/words/import/uploaded/?upload=")
    shoot(page, "24-large-upload-preview")
    page.click("#import_confirm input[type=submit]")
    expect(page.locator("#job-summary")).to_contain_text("words created: 150", timeout=120_000)
    imported = [word for word in every_word(teacher) if run in word["english"]]
    assert len(imported) == 150
    for word in imported:  # the stack is shared
        assert teacher.delete(f"/api/words/{word['id']}").status_code == 204


def test_a_teacher_exports_a_students_history_from_their_page(page, stack, student_tokens, student):
    session = student.post("/api/study_sessions", json={"group_id": "1", "activity": "quiz"}).json()
    answers = {}
    for word_id, correct in (("1", True), ("2", False), ("3", True)):
        review = student.post(
            f"/api/study_sessions/{session['id']}/review", json={"word_id": word_id, "correct": correct}
        )
        answers[review.json()["review_id"]] = (word_id, str(correct))
    sign_in(page, stack, "teacher")
    page.goto(f"{stack.url}/admin/lrs/students/")
    page.click("#result_list a:text-is('student')")
    page.select_option("#history-export-format", "csv")
    page.click("#history-export input[type=submit]")
    expect(page.locator("#job-download")).to_be_visible(timeout=120_000)
    shoot(page, "23-history-export-done")
    with page.expect_download() as download:
        page.click("#job-download")
    assert re.fullmatch(r"history-student-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    ours = [row for row in rows if row["session_id"] == session["id"]]  # the stack is shared: other sessions too
    assert {row["review_id"]: (row["word_id"], row["correct"]) for row in ours} == answers
    assert len(ours) == len(answers) and all(row["group_id"] == "1" and row["username"] == "student" for row in ours)
