"""Groups in the admin: the list, a group's page (rename, its words, add and remove, export), delete."""

from __future__ import annotations

import functools
from operator import itemgetter

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from langportal.errors import DomainError, InvalidInput
from langportal.ids import is_id
from langportal.paging import PageOutOfRange
from vocabulary import services
from vocabulary.admin.common import PER_PAGE, context, history, page_links, page_number, refusal
from vocabulary.admin.words import ExportForm


class GroupForm(forms.Form):
    name = forms.CharField(max_length=services.GROUP_NAME_MAX_LENGTH)


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
    try:
        page = services.groups_list(page=page_number(request), per_page=PER_PAGE)
    except PageOutOfRange:
        return HttpResponseRedirect(request.path)
    return TemplateResponse(
        request,
        "admin/vocabulary/group_list.html",
        context(request, title="Groups", page=page, pages=page_links(request, page), form=form),
    )


def group_change(request, group_id: str):
    group = services.group_get(group_id=group_id)
    number = page_number(request)
    rename = GroupForm(request.POST if request.POST.get("action") == "rename" else None, initial={"name": group.name})
    add = GroupWordsForm(request.POST if request.POST.get("action") == "add" else None)
    actor = request.user.username
    refused = None
    try:
        if request.POST.get("action") == "rename" and rename.is_valid():
            services.group_rename(group_id=group_id, name=rename.cleaned_data["name"], actor=actor)
            messages.success(request, "Renamed.")
            return HttpResponseRedirect(request.get_full_path())
        if request.POST.get("action") == "add" and add.is_valid():
            services.group_add_words(group_id=group_id, word_ids=add.cleaned_data["word_ids"], actor=actor)
            messages.success(request, "Added.")
            return HttpResponseRedirect(request.get_full_path())
        if request.POST.get("action") == "remove":
            word_id = request.POST.get("word_id", "")
            if not is_id(word_id):
                raise InvalidInput("Say which word to remove: its id, a positive whole number.")
            services.group_remove_words(group_id=group_id, word_ids=[word_id], actor=actor)
            messages.success(request, "Removed.")
            return HttpResponseRedirect(request.get_full_path())  # back to the page the word was on
    except DomainError as error:
        messages.error(request, error.message)
        refused = error
    try:
        page = services.words_list(
            page=number, per_page=PER_PAGE, sort_by="japanese", descending=False, group_id=group_id
        )
    except PageOutOfRange:  # its last words were removed, or the link is old
        return HttpResponseRedirect(request.path)
    return TemplateResponse(
        request,
        "admin/vocabulary/group_form.html",
        context(
            request,
            title=f"Group “{group.name}”",
            group=group,
            rename=rename,
            add=add,
            export=ExportForm(initial={"group": group.id}),
            page=page,
            pages=page_links(request, page),
            history=history(request, functools.partial(services.group_history, group_id=group_id), itemgetter("name")),
        ),
        **refusal(refused),
    )


def group_delete(request, group_id: str):
    group = services.group_get(group_id=group_id)
    if request.method == "POST":
        services.group_delete(group_id=group_id, actor=request.user.username)
        messages.success(request, f"Deleted the group “{group.name}”; its words stay in the vocabulary.")
        return HttpResponseRedirect(reverse("admin:vocabulary_groups"))
    return TemplateResponse(
        request, "admin/vocabulary/group_delete.html", context(request, title="Delete group", group=group)
    )
