"""Importing words in the admin: a CSV or JSON file is previewed row by row, then written
with its progress streamed to the page."""

from __future__ import annotations

from collections import Counter

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

from langportal.errors import InvalidInput
from vocabulary import documents, services
from vocabulary.admin.common import bounded_upload
from vocabulary.admin.common import context as _context
from vocabulary.admin.common import import_limit as _import_limit

IMPORT_SALT = "vocabulary.admin.import"
PROGRESS_MARK = "<!-- progress -->"


class ImportForm(forms.Form):
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "CSV with the export's columns, or a JSON vocabulary document (groups and words): "
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
        return _import_write(request, request.POST["token"])
    form = ImportForm(request.POST or None, request.FILES or None)
    preview, token = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()  # at most IMPORT_MAX_BYTES: bounded_upload cut off anything larger
        try:
            preview = _preview(_document_from(upload.name, data))
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
        document = _document_from(upload["name"], stored.read())
    checked = len(document.groups) + len(document.words)
    total = checked + len(document.errors)
    page = (
        TemplateResponse(
            request,
            "admin/vocabulary/import_progress.html",
            _context(request, title="Importing words", total=checked),
        )
        .render()
        .rendered_content
    )
    head, tail = page.split(PROGRESS_MARK)

    def progress():
        yield head
        done, failed, actions = 0, [], Counter()
        rows = services.import_rows(
            groups=document.groups,
            words=document.words,
            file=upload["key"],
            actor=request.user.username,
            user_id=request.user.sub,
        )
        for done, plan in enumerate(rows, start=1):
            if plan.error:
                failed.append(f"{plan.kind} row {document.positions[plan.kind][plan.position] + 1}: {plan.error}")
            else:
                actions[plan.action] += 1
            yield f"<script>showProgress({done}, {checked});</script>\n"
        default_storage.delete(upload["key"])
        problems = "".join(f"<li>{escape(problem)}</li>" for problem in failed)
        counts = ", ".join(f"{actions[action]} {action}d" for action in (services.CREATE, services.UPDATE))
        yield (
            f'<p id="import-summary">Imported {done - len(failed)} of {total} rows ({counts}, '
            f"{actions[services.UNCHANGED]} unchanged); "
            f"{total - checked + len(failed)} rows with errors were left out.</p>"
            f'<ul class="errorlist">{problems}</ul>'
        )
        yield tail

    return StreamingHttpResponse(progress(), content_type="text/html; charset=utf-8")
