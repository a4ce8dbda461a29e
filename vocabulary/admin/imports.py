"""Importing words in the admin: a CSV or JSON file is previewed row by row, then imported
by a job (vocabulary.jobs.imports), whose page (langportal.jobs.admin) shows its progress
live and offers the rows it left out as a CSV. An Anki deck (.apkg) goes through a
mapping step of its own first (vocabulary.admin.anki).

A file up to IMPORT_MAX_BYTES is posted to the page and previewed whole. A larger one (up
to IMPORT_JOB_MAX_BYTES) goes past the app's request limits: the page's second form
uploads it straight to S3, which sends the browser back to `words_import_uploaded`; that
previews the file's first PREVIEW_ROWS rows of each kind, read from storage, and the job
checks every row."""

from __future__ import annotations

from contextlib import closing
from itertools import islice
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse

from langportal.errors import InvalidInput
from vocabulary import documents, services
from vocabulary.admin.anki import anki_mapping, anki_stored, anki_upload
from vocabulary.admin.common import bounded_upload
from vocabulary.admin.common import context as _context
from vocabulary.admin.common import import_limit as _import_limit
from vocabulary.jobs import imports as word_imports

IMPORT_SALT = "vocabulary.admin.import"
UPLOAD_SALT = "vocabulary.admin.import.upload"
PREVIEW_ROWS = 100  # of each kind, for a file read from storage


class ImportForm(forms.Form):
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "CSV with the export's columns, a JSON vocabulary document (groups and words), or an Anki "
            "deck (.apkg, whose fields you choose next): "
            "a row with an id updates that word, or adds it with that id; a row without one updates "
            "the word with the same Japanese and English, or adds a new word. Rows that would change "
            "nothing are left as they are, so importing a file twice changes nothing. Up to "
            f"{filesizeformat(settings.IMPORT_MAX_BYTES)} and {settings.IMPORT_MAX_ROWS} rows."
        )


def _document_from(name: str, data: bytes) -> documents.Document:
    """The checked entries of a CSV (the export's columns) or of a JSON vocabulary document,
    read within the import limits; InvalidInput when the file cannot be read or passes one."""
    limits = documents.DocumentLimits.imports()
    if not name.lower().endswith(".json"):
        return documents.document_rows(words=documents.csv_rows(data, limits))
    return documents.document_parse(documents.document_loads(data, limits))


def _preview(document: documents.Document) -> list[dict]:
    """What importing each row would do (create, update or leave it unchanged), or why it
    cannot: the groups' rows, then the words', numbered from 1 in their lists."""
    rows = {
        (error.kind, error.position): {
            "errors": [f"{name}: {' '.join(map(str, said))}" for name, said in error.errors.items()]
        }
        for error in document.errors
    }
    for plan in services.import_preview(groups=document.groups, words=document.words):
        rows[(plan.kind, document.positions[plan.kind][plan.position])] = {
            "errors": [plan.error] if plan.error else [],
            "action": plan.action,
            "id": plan.id,
            "row": plan.fields,
        }
    kinds = {"group": 0, "word": 1}
    return [
        {"number": position + 1, "kind": kind, "action": None, "id": None, "row": {}, **row}
        for (kind, position), row in sorted(rows.items(), key=lambda item: (kinds[item[0][0]], item[0][1]))
    ]


@bounded_upload(_import_limit)
def words_import(request):
    if request.method == "POST" and request.POST.get("token"):
        return _import_start(request, request.POST["token"])
    if request.method == "POST" and request.POST.get("anki_token"):
        return anki_mapping(request, request.POST["anki_token"])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # at most IMPORT_MAX_BYTES: bounded_upload cut off anything larger
        try:
            if upload.name.lower().endswith(".apkg"):
                return anki_upload(request, upload)
            data = upload.read()
            preview = _preview(_document_from(upload.name, data))
        except InvalidInput as error:
            form.add_error("file", error.message)
        else:
            key = word_imports.import_file_store(name=upload.name, file=ContentFile(data))
            return _preview_page(request, preview, key=key, name=upload.name, whole=True)
    return _choice_page(request, form)


def words_import_uploaded(request):
    """Where S3 sends the browser once the large-file form has uploaded its file: the
    preview of its first rows, or a deck's mapping step; the import page again (400) with
    why when the file cannot be read."""
    try:
        key = signing.loads(request.GET.get("upload", ""), salt=UPLOAD_SALT, max_age=settings.JOB_UPLOAD_SECONDS)
    except signing.BadSignature:
        return _choice_page(request, ImportForm(), upload_error="That upload has expired; choose the file again.")
    try:
        name = word_imports.import_upload_name(key)
        if name.endswith(".apkg"):
            return anki_stored(request, key=key, name=name)
        groups, words = _first_entries(key, name)
        preview = _preview(documents.document_rows(groups=groups[:PREVIEW_ROWS], words=words[:PREVIEW_ROWS]))
    except InvalidInput as error:
        return _choice_page(request, ImportForm(), upload_error=error.message)
    whole = len(groups) <= PREVIEW_ROWS and len(words) <= PREVIEW_ROWS
    return _preview_page(request, preview, key=key, name=name, whole=whole)


def _first_entries(key: str, name: str) -> tuple[list, list]:
    """Up to PREVIEW_ROWS + 1 groups and words of a stored file, read from its start (one
    more than is shown, to tell whether that is all of them)."""
    if word_imports.import_format(name) == "csv":
        with closing(services.object_stream(key)) as stream:
            return [], list(islice(documents.csv_stream(stream, documents.DocumentLimits.jobs()), PREVIEW_ROWS + 1))
    entries = []
    for kind in ("group", "word"):
        with closing(services.object_stream(key)) as stream:
            entries.append(list(islice(documents.json_stream(stream, kind), PREVIEW_ROWS + 1)))
    return entries[0], entries[1]


def _choice_page(request, form: ImportForm, *, upload_error: str | None = None) -> TemplateResponse:
    """The import page's two forms: a file posted here, and a large one uploaded to S3."""
    key = word_imports.import_upload_key()
    token = signing.dumps(key, salt=UPLOAD_SALT)
    back = request.build_absolute_uri(reverse("admin:vocabulary_import_uploaded")) + "?" + urlencode({"upload": token})
    return TemplateResponse(
        request,
        "admin/vocabulary/import.html",
        _context(
            request,
            title="Import words",
            form=form,
            upload=word_imports.import_upload_form(key=key, redirect=back),
            upload_error=upload_error,
            upload_limit=settings.IMPORT_JOB_MAX_BYTES,
        ),
        status=400 if upload_error else 200,
    )


def _preview_page(request, preview: list[dict], *, key: str, name: str, whole: bool) -> TemplateResponse:
    """What importing the file would do, row by row (its first rows only, unless `whole`),
    and the form that starts its job."""
    return TemplateResponse(
        request,
        "admin/vocabulary/import.html",
        _context(
            request,
            title="Import words",
            preview=preview,
            whole=whole,
            preview_rows=PREVIEW_ROWS,
            token=signing.dumps({"key": key, "name": name}, salt=IMPORT_SALT),
            good=sum(1 for row in preview if not row["errors"]),
            bad=sum(1 for row in preview if row["errors"]),
        ),
    )


def _import_start(request, token: str):
    """Start the job that imports the previewed file, and show its page."""
    try:
        upload = signing.loads(token, salt=IMPORT_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "That import has expired; upload the file again.")
        return HttpResponseRedirect(reverse("admin:vocabulary_import"))
    job = word_imports.import_job_start(
        name=upload["name"], key=upload["key"], actor=request.user.username, actor_id=request.user.sub
    )
    return HttpResponseRedirect(reverse("admin:job", args=[job.id]))
