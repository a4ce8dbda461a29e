"""Importing words in the admin: a CSV or JSON file is previewed row by row, then written
with its progress streamed to the page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from ulid import ULID

from langportal.api.errors import plain_errors
from langportal.errors import DomainError, InvalidInput
from langportal.idempotency import Idempotency
from langportal.storage.retry import resending
from vocabulary import documents, services
from vocabulary.admin.common import bounded_upload
from vocabulary.admin.common import context as _context
from vocabulary.admin.common import import_limit as _import_limit
from vocabulary.serializers import WordInput

IMPORT_SALT = "vocabulary.admin.import"
PROGRESS_MARK = "<!-- progress -->"


class ImportForm(forms.Form):
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "CSV with the export's columns, or a JSON vocabulary document: "
            f"up to {filesizeformat(settings.IMPORT_MAX_BYTES)} and {settings.IMPORT_MAX_ROWS} rows."
        )


def _rows_from(name: str, data: bytes) -> list[dict]:
    """Rows of a CSV (the export's columns) or of a JSON document's "words", read within
    the import limits; InvalidInput when the file cannot be read or passes one."""
    limits = documents.DocumentLimits.imports()
    if not name.lower().endswith(".json"):
        return documents.csv_rows(data, limits)
    document = documents.document_loads(data, limits)
    if not isinstance(document, dict) or not isinstance(document.get("words"), list):
        raise InvalidInput('A JSON import is an object with a "words" list.')
    return document["words"]


def _preview(rows: list[dict]) -> list[dict]:
    """What importing each row would do: create, update, or why it cannot."""
    given = [str(row.get("id", "")).strip() for row in rows if isinstance(row, dict)]
    existing = {word.id: word for word in services.words_get(word_ids=[word_id for word_id in given if word_id])}
    preview = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            preview.append({"number": number, "row": {}, "errors": ["Not a row of fields."], "action": None})
            continue
        fields = {
            key: row[key]
            for key in ("japanese", "kana", "romaji", "english", "part_of_speech", "group_ids")
            if key in row
        }
        serializer = WordInput(data=fields)
        errors = (
            []
            if serializer.is_valid()
            else [
                f"{field}: {' '.join(map(str, messages_))}"
                for field, messages_ in plain_errors(serializer.errors).items()
            ]
        )
        word_id = str(row.get("id", "")).strip()
        action = "update" if word_id in existing else "create"
        if word_id and word_id not in existing:
            errors.append(f"id: no word {word_id} to update (leave the id empty to add a new word)")
        preview.append({"number": number, "row": fields, "id": word_id, "errors": errors, "action": action})
    return preview


@bounded_upload(_import_limit)
def words_import(request):
    if request.method == "POST" and request.POST.get("token"):
        return _import_write(request, request.POST["token"])
    form = ImportForm(request.POST or None, request.FILES or None)
    preview, token = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()  # at most IMPORT_MAX_BYTES: bounded_upload cut off anything larger
        try:
            preview = _preview(_rows_from(upload.name, data))
        except InvalidInput as error:
            form.add_error("file", error.message)
        else:
            key = f"imports/{ULID()}-{'json' if upload.name.lower().endswith('.json') else 'csv'}"
            default_storage.save(key, ContentFile(data))
            token = signing.dumps({"key": key, "name": upload.name}, salt=IMPORT_SALT)
    return TemplateResponse(
        request,
        "admin/vocabulary/import.html",
        _context(
            request,
            title="Import words",
            form=form,
            preview=preview,
            token=token,
            good=sum(1 for row in preview or [] if not row["errors"]),
            bad=sum(1 for row in preview or [] if row["errors"]),
        ),
    )


def _import_write(request, token: str):
    """Write the previewed rows, streaming progress as it goes, then a summary."""
    try:
        upload = signing.loads(token, salt=IMPORT_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "That import has expired; upload the file again.")
        return HttpResponseRedirect(reverse("admin:vocabulary_import"))
    with default_storage.open(upload["key"]) as stored:
        preview = _preview(_rows_from(upload["name"], stored.read()))
    actor = request.user.username

    rows = [row for row in preview if not row["errors"]]
    page = (
        TemplateResponse(
            request,
            "admin/vocabulary/import_progress.html",
            _context(request, title="Importing words", total=len(rows)),
        )
        .render()
        .rendered_content
    )
    head, tail = page.split(PROGRESS_MARK)

    def write(row: dict, fields: dict) -> None:
        # Each row under a key of its own: posting the import again, or retrying a row
        # whose answer was lost, writes it once.
        once = Idempotency.of(
            user_id=request.user.sub,
            key=f"import:{upload['key']}:{row['number']}",
            operation="admin_import",
            arguments=fields,
        )
        if row["action"] == "update":
            services.word_update(word_id=row["id"], actor=actor, idempotency=once, **fields)
        else:
            services.word_create(actor=actor, idempotency=once, **fields)

    def progress():
        yield head
        failed = []
        for done, row in enumerate(rows, start=1):
            fields = _validated(row["row"])
            try:
                resending(lambda row=row, fields=fields: write(row, fields))
            except DomainError as error:
                failed.append(f"row {row['number']}: {error.message}")
            yield f"<script>showProgress({done}, {len(rows)});</script>\n"
        default_storage.delete(upload["key"])
        problems = "".join(f"<li>{escape(problem)}</li>" for problem in failed)
        yield (
            f'<p id="import-summary">Imported {len(rows) - len(failed)} of {len(preview)} rows; '
            f"{len(preview) - len(rows)} rows with errors were left out.</p>"
            f'<ul class="errorlist">{problems}</ul>'
        )
        yield tail

    return StreamingHttpResponse(progress(), content_type="text/html; charset=utf-8")


def _validated(fields: dict) -> dict:
    serializer = WordInput(data=fields)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
