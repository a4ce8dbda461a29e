"""The admin's large-file import: the file goes from the browser straight to S3, past the
app's request limits, and comes back as a preview of its first rows read from storage."""

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from langportal.jobs import services as jobs
from vocabulary import services
from vocabulary.admin.imports import PREVIEW_ROWS, UPLOAD_SALT

UPLOADED = "/admin/vocabulary/words/import/uploaded/"


def rows_csv(count: int, label: str = "large") -> bytes:
    return ("japanese,english\n" + "".join(f"大{n},{label} {n}\n" for n in range(count))).encode()


def total_words() -> int:
    return services.words_list(page=1, per_page=1, sort_by="created_at", descending=False).total


def test_a_file_past_the_posted_limit_is_uploaded_to_storage_and_imports_every_row(
    admin_import, teacher_browser, words, settings
):
    document = rows_csv(PREVIEW_ROWS + 150)
    settings.IMPORT_MAX_BYTES = len(document) // 2
    posted = teacher_browser.post(admin_import.URL, {"file": SimpleUploadedFile("big.csv", document)})
    assert posted.status_code == 413
    before = total_words()

    preview = admin_import.upload(document, "big.csv")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert f"The first {PREVIEW_ROWS} rows of each kind are shown: {PREVIEW_ROWS} rows can be imported" in page
    assert page.count('class="import-ok"') == PREVIEW_ROWS and "大99" in page and "大100" not in page
    assert 'value="Import the file"' in page
    assert total_words() == before  # a preview writes nothing

    assert "words created: 250" in admin_import.confirm(page)
    assert total_words() == before + 250
    [job] = jobs.jobs_recent()
    assert (job.status, job.total, job.options["name"]) == ("done", 250, "upload.csv")
    assert services.object_start(job.input_key, 1) is None  # read through, then removed


def test_a_small_uploaded_document_is_previewed_whole(admin_import, words):
    document = {
        "groups": [{"name": "Uploaded group"}],
        "words": [
            {"japanese": "雲", "english": "cloud", "parts": {}},
            {"japanese": "", "english": "nothing", "parts": {}},
        ],
    }
    page = admin_import.upload(json.dumps(document, ensure_ascii=False).encode(), "doc.json").content.decode()
    assert "2 rows can be imported; 1 row has errors" in page and "The first" not in page
    assert 'value="Import 2 rows"' in page
    job_page = admin_import.confirm(page)
    assert "groups created: 1" in job_page and "words created: 1" in job_page
    groups = services.groups_list(page=1, per_page=100, descending=True).items
    assert [group.name for group in groups].count("Uploaded group") == 1


def test_an_uploaded_deck_goes_to_its_mapping_step(admin_import, vocabulary_deck, aws):
    page = admin_import.upload(vocabulary_deck.read_bytes(), "deck.apkg").content.decode()
    assert 'action="/admin/vocabulary/words/import/" id="anki_mapping"' in page
    token = page.split('name="anki_token" value="', 1)[1].split('"', 1)[0]
    key = signing.loads(token, salt="vocabulary.admin.import.anki")["key"]
    assert key.startswith("imports/") and services.object_start(key, 2)[1] == b"PK"


def test_the_form_lets_s3_take_one_file_of_the_limits_to_its_key_and_send_it_back(admin_import, settings, aws):
    _, fields = admin_import.upload_form()
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert {"key": fields["key"]} in conditions and {"bucket": settings.MEDIA_BUCKET} in conditions
    assert ["content-length-range", 1, settings.IMPORT_JOB_MAX_BYTES] in conditions
    assert {"success_action_redirect": fields["success_action_redirect"]} in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(UTC) - timedelta(seconds=settings.JOB_UPLOAD_SECONDS)) < timedelta(minutes=1)
    back = urlsplit(fields["success_action_redirect"])
    assert back.path == UPLOADED
    assert signing.loads(parse_qs(back.query)["upload"][0], salt=UPLOAD_SALT) == fields["key"]


def refused(response, why: str) -> None:
    """The import page again, 400, with why the upload cannot be imported, and no job."""
    assert response.status_code == 400
    assert f'<ul class="errorlist" id="upload-error"><li>{why}' in response.content.decode()
    assert jobs.jobs_recent() == []


def test_an_upload_whose_token_is_forged_or_old_is_refused(teacher_browser, aws):
    forged = signing.dumps("imports/someone-elses", salt="another salt")
    refused(teacher_browser.get(UPLOADED, {"upload": forged}), "That upload has expired; choose the file again.")
    refused(teacher_browser.get(UPLOADED), "That upload has expired; choose the file again.")


def test_a_return_without_the_file_is_refused(admin_import, teacher_browser):
    _, fields = admin_import.upload_form()
    back = urlsplit(fields["success_action_redirect"])
    refused(teacher_browser.get(f"{back.path}?{back.query}"), "The file did not arrive in storage; choose it again.")


@pytest.mark.parametrize(
    "document, why",
    [
        (b"", "An import file has 1 to"),
        (b"japanese,english\n" + "猫,cat\n".encode("utf-16"), "The document is not UTF-8 text"),
        (b'{"groups": [', "The document is not JSON"),
    ],
)
def test_an_uploaded_file_that_cannot_be_read_is_refused(admin_import, words, document, why):
    refused(admin_import.upload(document, "bad.csv"), why)


def test_an_upload_past_the_job_limit_is_refused_and_removed(admin_import, words, settings):
    settings.IMPORT_JOB_MAX_BYTES = 100  # S3 holds the form to it; this holds the file to it again
    form = admin_import.upload_form()
    refused(admin_import.upload(rows_csv(20), "big.csv", form=form), "An import file has 1 to 100 bytes; this one has")
    assert services.object_start(form[1]["key"], 1) is None
