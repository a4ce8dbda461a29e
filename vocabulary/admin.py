"""The vocabulary in the Django admin: words, groups, media, import and export.

The data lives in DynamoDB, not in Django's models, so these are admin views added to
the site (langportal.admin_site) with its look, sign-in, CSRF and staff checks. Every
change goes through the same services and checks as the API.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from dataclasses import asdict
from operator import itemgetter

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from ulid import ULID

from langportal.admin_site import error_headers
from langportal.api.errors import plain_errors
from langportal.api.uploads import SizeLimitUploadHandler, check_content_length
from langportal.errors import DomainError, InvalidInput
from langportal.idempotency import Idempotency
from langportal.ids import is_id
from langportal.paging import PageOutOfRange
from langportal.storage.retry import resending
from vocabulary import documents, services
from vocabulary import japanese as ja
from vocabulary.serializers import PARTS_OF_SPEECH, WordInput

PER_PAGE = 50
SORTABLE = ("japanese", "romaji", "english", "created_at")
SEARCH_MAX_LENGTH = 100
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
IMPORT_SALT = "vocabulary.admin.import"
PROGRESS_MARK = "<!-- progress -->"
MEDIA_FIELDS = ("audio", "image")  # the word form's files


def _context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def _history(events: list, summary: Callable[[dict], str]) -> list[dict]:
    """Audit events as the history table shows them: each side of a change in a few words."""

    def describe(record: dict | None) -> str:
        return summary(record) if record else ""

    return [asdict(event) | {"before": describe(event.before), "after": describe(event.after)} for event in events]


def _word_summary(word: dict) -> str:
    return f"{word['japanese']} · {word['romaji']} · {word['english']}"


def _groups() -> list:
    return services.groups_list(page=1, per_page=100).items


def _refused(error: DomainError | None) -> dict:
    """Status and headers of a page that shows why a service refused a POST (200 if none did)."""
    return {"status": error.status, "headers": error_headers(error)} if error else {}


def bounded_upload(limit: Callable[[], int], files: int = 1):
    """A view whose uploads are held to POST /api/words/upload's rule: a body that says it
    is larger than `files` files of `limit()` bytes is refused unread (413), and a file is
    cut off (413) as soon as its bytes, counted while they stream in, pass the limit."""

    def decorate(view):
        protected = csrf_protect(view)

        # The CSRF check reads the form, so it comes after the upload handlers are in place.
        @csrf_exempt
        @functools.wraps(view)
        def bounded(request, *args, **kwargs):
            if request.method == "POST":
                max_bytes = limit()
                check_content_length(request.META, max_bytes, files=files)
                request.upload_handlers.insert(0, SizeLimitUploadHandler(max_bytes, request))
            return protected(request, *args, **kwargs)

        return bounded

    return decorate


def _media_limit() -> int:
    return settings.MEDIA_MAX_UPLOAD_BYTES


def _import_limit() -> int:
    return settings.IMPORT_MAX_BYTES


# --- words: the change list ----------------------------------------------------------


def _list_query(request) -> tuple[str, str | None, str, bool, int]:
    """The list's search, group, order and page from the URL; InvalidInput (400) when bad."""
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_MAX_LENGTH:
        raise InvalidInput(f"Search for at most {SEARCH_MAX_LENGTH} characters.")
    group_id = request.GET.get("group") or None
    if group_id is not None and not is_id(group_id):
        raise InvalidInput("The group filter takes a group id: a positive whole number.")
    order = request.GET.get("o") or "created_at"
    sort_by, descending = order.removeprefix("-"), order.startswith("-")
    if sort_by not in SORTABLE:
        raise InvalidInput(f"Sort by {', '.join(SORTABLE)}, each optionally with a leading “-”.")
    page_number = request.GET.get("p") or "1"
    if not PAGE_NUMBER.fullmatch(page_number):
        raise InvalidInput("The page must be a positive whole number.")
    return query, group_id, sort_by, descending, int(page_number)


def words_list(request):
    query, group_id, sort_by, descending, page_number = _list_query(request)
    if query:
        words, page = services.words_search(text=query), None
    else:
        try:
            page = services.words_list(
                page=page_number, per_page=PER_PAGE, sort_by=sort_by, descending=descending, group_id=group_id
            )
        except PageOutOfRange:
            return HttpResponseRedirect(request.path)
        words = page.items
    groups = _groups()
    return TemplateResponse(
        request,
        "admin/vocabulary/word_list.html",
        _context(
            request,
            title="Words",
            words=words,
            page=page,
            pages=_page_links(page),
            query=query,
            group_id=group_id,
            groups=groups,
            group_names={group.id: group.name for group in groups},
            sort_by=sort_by,
            descending=descending,
            columns=[(column, column.replace("_", " ")) for column in SORTABLE],
            export_query=request.GET.urlencode(),
        ),
    )


def _page_links(page) -> list[int | None]:
    """Page numbers to show: the first, the last, and those around the current one."""
    if page is None or page.total_pages <= 1:
        return []
    wanted = {1, page.total_pages, *range(page.page - 2, page.page + 3)}
    shown, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= page.total_pages):
        if number - previous > 1:
            shown.append(None)
        shown.append(number)
        previous = number
    return shown


def words_export(request):
    """The current list (all pages, the current filter and order) as CSV, streamed."""
    query, group_id, sort_by, descending, _ = _list_query(request)
    if group_id is not None:
        services.group_get(group_id=group_id)  # GroupNotFound now: once streaming, no status can change

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(documents.CSV_COLUMNS)
        if query:
            batches = [services.words_search(text=query)]
        else:
            batches = _all_pages(sort_by=sort_by, descending=descending, group_id=group_id)
        for words in batches:
            for word in words:
                writer.writerow(documents.csv_row(word))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="words.csv"'
    return response


def _all_pages(**query):
    page_number = 1
    while True:
        page = services.words_list(page=page_number, per_page=100, **query)
        yield page.items
        if page_number >= page.total_pages:
            return
        page_number += 1


# --- words: add, change, delete ------------------------------------------------------


class WordForm(forms.Form):
    japanese = forms.CharField(max_length=100)
    kana = forms.CharField(required=False, help_text="The reading; computed from the Japanese when empty.")
    romaji = forms.CharField(required=False, help_text="Computed from the reading when empty.")
    english = forms.CharField(max_length=200)
    part_of_speech = forms.ChoiceField(choices=[("", "—"), *((p, p) for p in PARTS_OF_SPEECH)], required=False)
    group_ids = forms.MultipleChoiceField(
        label="Groups", required=False, widget=forms.CheckboxSelectMultiple, help_text="At most 6."
    )
    audio = forms.FileField(required=False)
    image = forms.FileField(required=False)
    # The revision the teacher is editing: saving over someone else's later change is refused.
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_ids"].choices = [(group.id, group.name) for group in groups]
        up_to = filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)
        self.fields["audio"].help_text = f"mp3, ogg, wav or m4a, up to {up_to}; replaces the current one."
        self.fields["image"].help_text = f"png, jpeg or webp, up to {up_to}; replaces the current one."

    def clean(self):
        """The API's own checks, with each error next to its field."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in (*MEDIA_FIELDS, "revision")}
        data["part_of_speech"] = data.get("part_of_speech") or None
        serializer = WordInput(data=data)
        if not serializer.is_valid():
            for field, errors in plain_errors(serializer.errors).items():
                for error in errors if isinstance(errors, list) else [errors]:
                    self.add_error(field if field in self.fields else None, str(error))
            return self.cleaned_data
        self.cleaned_data.update(serializer.validated_data)
        return self.cleaned_data

    def word_fields(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("japanese", "kana", "romaji", "english", "part_of_speech", "group_ids")
        }


@bounded_upload(_media_limit, files=len(MEDIA_FIELDS))
def word_add(request):
    groups = _groups()
    form = WordForm(request.POST or None, request.FILES or None, groups=groups)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            word = services.word_create(actor=request.user.username, **form.word_fields())
        except DomainError as error:
            _form_error(form, error)
            refused = error
        else:
            messages.success(request, f"Added 「{word.japanese}」 ({word.romaji}).")
            for field, problem in _save_media(request, form, word.id):
                messages.error(request, f"The {field} file was not stored: {problem}")
            return HttpResponseRedirect(reverse("admin:vocabulary_word_change", args=[word.id]))
    return TemplateResponse(
        request,
        "admin/vocabulary/word_form.html",
        _context(request, title="Add word", form=form, word=None),
        **_refused(refused),
    )


@bounded_upload(_media_limit, files=len(MEDIA_FIELDS))
def word_change(request, word_id: str):
    word = services.word_get(word_id=word_id)
    groups = _groups()
    initial = {
        **{name: getattr(word, name) for name in ("japanese", "kana", "romaji", "english", "revision")},
        "part_of_speech": word.part_of_speech or "",
        "group_ids": sorted(word.group_ids),
    }
    form = WordForm(request.POST or None, request.FILES or None, groups=groups, initial=initial)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            word = services.word_update(
                word_id=word_id,
                actor=request.user.username,
                revision=form.cleaned_data.get("revision"),
                **form.word_fields(),
            )
        except DomainError as error:
            _form_error(form, error)
            refused = error
            if isinstance(error, services.WordEdited):  # the next save, once reviewed, goes on top
                form.data = form.data.copy()
                form.data["revision"] = services.word_get(word_id=word_id).revision
        else:
            problems = _save_media(request, form, word_id)
            for field, problem in problems:
                form.add_error(field, problem)
            if not problems:
                messages.success(request, f"Saved 「{word.japanese}」.")
                return HttpResponseRedirect(request.path)
    word = services.word_get(word_id=word_id)
    return TemplateResponse(
        request,
        "admin/vocabulary/word_form.html",
        _context(
            request,
            title=f"Change word {word.japanese}",
            form=form,
            word=word,
            audio_url=services.media_url(word.audio_key),
            image_url=services.media_url(word.thumbnail_key or word.image_key),
            history=_history(services.word_history(word_id=word_id), _word_summary),
        ),
        **_refused(refused),
    )


def _save_media(request, form: WordForm, word_id: str) -> list[tuple[str, str]]:
    """Upload the form's files as POST /api/words/upload does; (field, why) of those refused."""
    problems = []
    for field in MEDIA_FIELDS:
        upload = form.cleaned_data.get(field)
        if not upload:
            continue
        try:
            result = services.media_upload(
                word_id=word_id, file=upload, declared_type=upload.content_type, actor=request.user.username
            )
        except DomainError as error:
            problems.append((field, error.message))
            continue
        if result.media_type.kind != field:
            messages.warning(request, f"The file given as {field} is {result.media_type.kind}; it was stored as such.")
    return problems


def _form_error(form: forms.Form, error: DomainError) -> None:
    fields = [name for name in error.details if name in form.fields]
    form.add_error(fields[0] if fields else None, error.message)


def word_delete(request, word_id: str):
    word = services.word_get(word_id=word_id)
    if request.method == "POST":
        services.word_delete(word_id=word_id, actor=request.user.username)
        messages.success(request, f"Deleted 「{word.japanese}」.")
        return HttpResponseRedirect(reverse("admin:vocabulary_words"))
    return TemplateResponse(
        request, "admin/vocabulary/word_delete.html", _context(request, title="Delete word", word=word)
    )


def romaji_suggestion(request):
    """What the server would compute for romaji and kana (the form shows it as you type)."""
    japanese = ja.normalize(request.GET.get("japanese", ""))[:100]
    kana = ja.normalize(request.GET.get("kana", ""))[:200] or None
    if not ja.contains_japanese(japanese):
        return JsonResponse({"kana": "", "romaji": ""})
    kana = kana or ja.reading(japanese)
    return JsonResponse({"kana": kana, "romaji": ja.romanize(japanese, kana)})


# --- groups --------------------------------------------------------------------------


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100)


class GroupWordsForm(forms.Form):
    word_ids = forms.CharField(label="Add words", help_text="Word ids, separated by commas or spaces.")

    def clean_word_ids(self) -> list[str]:
        ids = [part for part in self.cleaned_data["word_ids"].replace(",", " ").split() if part]
        if not ids or not all(is_id(part) for part in ids):
            raise forms.ValidationError("Give word ids: positive whole numbers separated by commas or spaces.")
        return ids


def groups_list(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = services.group_create(name=form.cleaned_data["name"], actor=request.user.username)
        messages.success(request, f"Created the group “{group.name}”.")
        return HttpResponseRedirect(reverse("admin:vocabulary_group_change", args=[group.id]))
    return TemplateResponse(
        request, "admin/vocabulary/group_list.html", _context(request, title="Groups", groups=_groups(), form=form)
    )


def group_change(request, group_id: str):
    group = services.group_get(group_id=group_id)
    rename = GroupForm(request.POST if request.POST.get("action") == "rename" else None, initial={"name": group.name})
    add = GroupWordsForm(request.POST if request.POST.get("action") == "add" else None)
    actor = request.user.username
    refused = None
    try:
        if request.POST.get("action") == "rename" and rename.is_valid():
            services.group_rename(group_id=group_id, name=rename.cleaned_data["name"], actor=actor)
            messages.success(request, "Renamed.")
            return HttpResponseRedirect(request.path)
        if request.POST.get("action") == "add" and add.is_valid():
            services.group_add_words(group_id=group_id, word_ids=add.cleaned_data["word_ids"], actor=actor)
            messages.success(request, "Added.")
            return HttpResponseRedirect(request.path)
        if request.POST.get("action") == "remove":
            word_id = request.POST.get("word_id", "")
            if not is_id(word_id):
                raise InvalidInput("Say which word to remove: its id, a positive whole number.")
            services.group_remove_words(group_id=group_id, word_ids=[word_id], actor=actor)
            messages.success(request, "Removed.")
            return HttpResponseRedirect(request.path)
    except DomainError as error:
        messages.error(request, error.message)
        refused = error
    page = services.words_list(page=1, per_page=100, sort_by="japanese", descending=False, group_id=group_id)
    return TemplateResponse(
        request,
        "admin/vocabulary/group_form.html",
        _context(
            request,
            title=f"Group “{group.name}”",
            group=group,
            rename=rename,
            add=add,
            page=page,
            history=_history(services.group_history(group_id=group_id), itemgetter("name")),
        ),
        **_refused(refused),
    )


def group_delete(request, group_id: str):
    group = services.group_get(group_id=group_id)
    if request.method == "POST":
        services.group_delete(group_id=group_id, actor=request.user.username)
        messages.success(request, f"Deleted the group “{group.name}”; its words stay in the vocabulary.")
        return HttpResponseRedirect(reverse("admin:vocabulary_groups"))
    return TemplateResponse(
        request, "admin/vocabulary/group_delete.html", _context(request, title="Delete group", group=group)
    )


# --- import --------------------------------------------------------------------------


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


def urls(site) -> list:
    return [
        path("vocabulary/words/", site.admin_view(words_list), name="vocabulary_words"),
        path("vocabulary/words/add/", site.admin_view(word_add), name="vocabulary_word_add"),
        path("vocabulary/words/export.csv", site.admin_view(words_export), name="vocabulary_words_export"),
        path("vocabulary/words/import/", site.admin_view(words_import), name="vocabulary_import"),
        path("vocabulary/words/romaji/", site.admin_view(romaji_suggestion), name="vocabulary_romaji"),
        path("vocabulary/words/<str:word_id>/change/", site.admin_view(word_change), name="vocabulary_word_change"),
        path("vocabulary/words/<str:word_id>/delete/", site.admin_view(word_delete), name="vocabulary_word_delete"),
        path("vocabulary/groups/", site.admin_view(groups_list), name="vocabulary_groups"),
        path("vocabulary/groups/<str:group_id>/change/", site.admin_view(group_change), name="vocabulary_group_change"),
        path("vocabulary/groups/<str:group_id>/delete/", site.admin_view(group_delete), name="vocabulary_group_delete"),
    ]
