"""Importing words in the admin: a CSV or JSON file is previewed row by row, then imported
by a job (vocabulary.jobs.imports), whose page (langportal.jobs.admin) shows its progress
live and offers the rows it left out as a CSV. An Anki deck (.apkg) goes through a
mapping step of its own first (vocabulary.admin.anki)."""

from __future__ import annotations

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
from vocabulary.admin.anki import anki_mapping, anki_upload
from vocabulary.admin.common import bounded_upload
from vocabulary.admin.common import context as _context
from vocabulary.admin.common import import_limit as _import_limit
from vocabulary.jobs import imports as word_imports

IMPORT_SALT = "vocabulary.admin.import"


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
    preview, token = None, None
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
