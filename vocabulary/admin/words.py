"""Words in the admin: the list (search, filter, sort, pages), export (a job: CSV, JSON or
an Anki deck), add, change (with audio and image), delete, and the romaji suggested as a
teacher types."""

from __future__ import annotations

import functools

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from langportal.api.errors import plain_errors
from langportal.errors import DomainError, InvalidInput
from langportal.ids import is_id
from langportal.paging import PageOutOfRange
from vocabulary import japanese as ja
from vocabulary import media, services
from vocabulary.admin.common import (
    PER_PAGE,
    bounded_upload,
    context,
    groups_all,
    history,
    media_limit,
    page_links,
    page_number,
    refusal,
)
from vocabulary.jobs import exports as word_exports
from vocabulary.serializers import PARTS_OF_SPEECH, WordInput

SEARCH_MAX_LENGTH = 100
SEARCH_SHOWN = 100  # matches a search shows; a search has no pages
MEDIA_FIELDS = ("audio", "image")  # the word form's files


def _word_summary(word: dict) -> str:
    return f"{word['japanese']} · {word['romaji']} · {word['english']}"


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
    if sort_by not in services.SORT_ORDERS:
        raise InvalidInput(f"Sort by {', '.join(services.SORT_ORDERS)}, each optionally with a leading “-”.")
    return query, group_id, sort_by, descending, page_number(request)


def words_list(request):
    query, group_id, sort_by, descending, number = _list_query(request)
    more, page = False, None
    if query:
        words, more = _matches(query)
    else:
        try:
            page = services.words_list(
                page=number, per_page=PER_PAGE, sort_by=sort_by, descending=descending, group_id=group_id
            )
        except PageOutOfRange:
            return HttpResponseRedirect(request.path)
        words = page.items
    groups = groups_all()
    return TemplateResponse(
        request,
        "admin/vocabulary/word_list.html",
        context(
            request,
            title="Words",
            words=words,
            page=page,
            pages=page_links(request, page),
            query=query,
            more=more,
            search_shown=SEARCH_SHOWN,
            group_id=group_id,
            groups=groups,
            group_names={group.id: group.name for group in groups},
            sort_by=sort_by,
            descending=descending,
            columns=[(column, column.replace("_", " ")) for column in services.SORT_ORDERS],
            export=ExportForm(initial={"group": group_id}),
        ),
    )


def _matches(query: str) -> tuple[list, bool]:
    """The words a search shows, and whether it matched more than those."""
    found = services.words_search(text=query, limit=SEARCH_SHOWN + 1)
    return found[:SEARCH_SHOWN], len(found) > SEARCH_SHOWN


class ExportForm(forms.Form):
    """What to export: a format, and a group (the whole vocabulary when none)."""

    format = forms.ChoiceField(choices=list(word_exports.FORMATS.items()), initial="csv")
    group = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_group(self) -> str | None:
        group_id = self.cleaned_data["group"] or None
        if group_id is not None and not is_id(group_id):
            raise forms.ValidationError("The group is given by its id: a positive whole number.")
        return group_id


@require_POST
def words_export(request):
    """Start an export job (its file is made in the background) and show its page."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        problems = [f"{field}: {error}" for field, errors in form.errors.items() for error in errors]
        raise InvalidInput("; ".join(problems))
    job = word_exports.words_export_start(
        format=form.cleaned_data["format"],
        group_id=form.cleaned_data["group"],
        actor=request.user.username,
        actor_id=request.user.sub,
    )
    return HttpResponseRedirect(reverse("admin:job", args=[job.id]))


# --- words: add, change, delete ------------------------------------------------------


def _formats(kind: str) -> str:
    """The formats accepted for audio or images, as the form lists them: "png, jpg or webp"."""
    names = [extension for extension, media_type in media.ACCEPTED.items() if media_type.kind == kind]
    return f"{', '.join(names[:-1])} or {names[-1]}"


class WordForm(forms.Form):
    """A word's fields with the API's limits; clean() runs the API's own checks."""

    japanese = forms.CharField(max_length=services.JAPANESE_MAX_LENGTH)
    kana = forms.CharField(
        max_length=services.KANA_MAX_LENGTH,
        required=False,
        help_text="The reading; computed from the Japanese when empty.",
    )
    romaji = forms.CharField(
        max_length=services.ROMAJI_MAX_LENGTH, required=False, help_text="Computed from the reading when empty."
    )
    english = forms.CharField(max_length=services.ENGLISH_MAX_LENGTH)
    part_of_speech = forms.ChoiceField(choices=[("", "—"), *((p, p) for p in PARTS_OF_SPEECH)], required=False)
    group_ids = forms.MultipleChoiceField(
        label="Groups",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"At most {services.MAX_GROUPS_PER_WORD}.",
    )
    audio = forms.FileField(required=False)
    image = forms.FileField(required=False)
    # The revision the teacher is editing: saving over someone else's later change is refused.
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_ids"].choices = [(group.id, group.name) for group in groups]
        up_to = filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)
        for kind in MEDIA_FIELDS:
            self.fields[kind].help_text = f"{_formats(kind)}, up to {up_to}; replaces the current one."

    def clean(self):
        """The API's own checks, with each error next to its field."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in (*MEDIA_FIELDS, "revision")}
        data["part_of_speech"] = data.get("part_of_speech") or None
        serializer = WordInput(data=data)
        if not serializer.is_valid():
            for field, errors in plain_errors(serializer.errors).items():
                if field in self.errors:
                    continue  # the form's own check of the field said why already
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


@bounded_upload(media_limit, files=len(MEDIA_FIELDS))
def word_add(request):
    groups = groups_all()
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
        context(request, title="Add word", form=form, word=None),
        **refusal(refused),
    )


@bounded_upload(media_limit, files=len(MEDIA_FIELDS))
def word_change(request, word_id: str):
    word = services.word_get(word_id=word_id)
    groups = groups_all()
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
        context(
            request,
            title=f"Change word {word.japanese}",
            form=form,
            word=word,
            audio_url=services.media_url(word.audio_key),
            image_url=services.media_url(word.thumbnail_key or word.image_key),
            history=history(request, functools.partial(services.word_history, word_id=word_id), _word_summary),
        ),
        **refusal(refused),
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
        request, "admin/vocabulary/word_delete.html", context(request, title="Delete word", word=word)
    )


def romaji_suggestion(request):
    """What the server would compute for romaji and kana (the form shows it as you type)."""
    japanese = ja.normalize(request.GET.get("japanese", ""))[: services.JAPANESE_MAX_LENGTH]
    kana = ja.normalize(request.GET.get("kana", ""))[: services.KANA_MAX_LENGTH] or None
    if not ja.contains_japanese(japanese):
        return JsonResponse({"kana": "", "romaji": ""})
    # The derivation word_create and word_update apply; services has it under no public name.
    kana, romaji = services.derived(japanese, kana, None)
    return JsonResponse({"kana": kana, "romaji": romaji})
