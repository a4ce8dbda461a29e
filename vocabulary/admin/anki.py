"""Importing an Anki deck in the admin: the `.apkg` uploaded on the import page is kept in
S3, and a mapping step shows each note type with its fields chosen for the Japanese, the
reading and the English (guessed from their names), whether each deck becomes a group,
and the first notes as they would be imported; confirming starts the job
(vocabulary.jobs.anki) and shows its page."""

from __future__ import annotations

import tempfile
from itertools import islice
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from langportal.errors import InvalidInput
from vocabulary import anki, documents
from vocabulary.admin.common import context as _context
from vocabulary.jobs import anki as anki_imports

ANKI_SALT = "vocabulary.admin.import.anki"
PREVIEW_NOTES = 10
NO_READING = ("", "(none)")


class AnkiMappingForm(forms.Form):
    """Which field of each note type is the Japanese, the reading and the English."""

    anki_token = forms.CharField(widget=forms.HiddenInput)
    deck_groups = forms.BooleanField(
        required=False, initial=True, label="Make each deck a group", help_text="by its name: one already there is used"
    )

    def __init__(self, *args, package: anki.Package, **kwargs):
        super().__init__(*args, **kwargs)
        self.package = package
        for note_type in package.note_types:
            guess = anki_imports.anki_mapping_guess(note_type)
            fields = [(name, name) for name in note_type.fields]
            for role in anki_imports.ROLES:
                optional = role == "reading"
                self.fields[_field_name(note_type, role)] = forms.ChoiceField(
                    label=role.capitalize(),
                    choices=[NO_READING, *fields] if optional else fields,
                    required=not optional,
                    initial=guess[role] or "",
                )

    def note_types(self) -> list[dict]:
        """Each note type with its bound selects and sample notes, for the template."""
        return [
            {
                "note_type": note_type,
                "selects": [self[_field_name(note_type, role)] for role in anki_imports.ROLES],
            }
            for note_type in self.package.note_types
        ]

    def mapping(self) -> dict:
        """The mapping as chosen (cleaned) or as first guessed (initial)."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else self.initial_values()
        return {
            note_type.id: {role: values.get(_field_name(note_type, role)) or None for role in anki_imports.ROLES}
            for note_type in self.package.note_types
        }

    def initial_values(self) -> dict:
        return {name: self.get_initial_for_field(field, name) for name, field in self.fields.items()}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                mapping = {
                    note_type.id: {role: cleaned.get(_field_name(note_type, role)) for role in anki_imports.ROLES}
                    for note_type in self.package.note_types
                }
                cleaned["mapping"] = anki_imports.anki_mapping_checked(self.package, mapping)
            except InvalidInput as error:
                raise ValidationError(error.message) from error
        return cleaned


def _field_name(note_type: anki.NoteType, role: str) -> str:
    return f"type-{note_type.id}-{role}"


def anki_upload(request, upload) -> TemplateResponse:
    """The mapping step for a deck just uploaded (its bytes within the import limit);
    InvalidInput, for the file's form error, when it is no package we can read."""
    data = upload.read()
    with tempfile.TemporaryDirectory(prefix="apkg-") as folder:
        path = Path(folder) / "upload.apkg"
        path.write_bytes(data)
        with anki.package_open(path) as package:
            key = anki_imports.anki_file_store(file=ContentFile(data))
            token = signing.dumps({"key": key, "name": upload.name}, salt=ANKI_SALT)
            form = AnkiMappingForm(initial={"anki_token": token}, package=package)
            return _mapping_page(request, form, upload.name)


def anki_stored(request, *, key: str, name: str) -> TemplateResponse:
    """The mapping step for a deck uploaded straight to storage, under `key`; InvalidInput
    when it is no package we can read."""
    with anki_imports.anki_package_stored(key) as package:
        token = signing.dumps({"key": key, "name": name}, salt=ANKI_SALT)
        return _mapping_page(request, AnkiMappingForm(initial={"anki_token": token}, package=package), name)


def anki_mapping(request, token: str):
    """The mapping step posted: shown again with its preview, or its errors (400), or
    confirmed: the job is started and its page shown."""
    try:
        upload = signing.loads(token, salt=ANKI_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "That import has expired; upload the file again.")
        return HttpResponseRedirect(reverse("admin:vocabulary_import"))
    with anki_imports.anki_package_stored(upload["key"]) as package:
        form = AnkiMappingForm(request.POST, package=package)
        if not form.is_valid():
            return _mapping_page(request, form, upload["name"], status=400)
        if request.POST.get("action") != "start":
            return _mapping_page(request, form, upload["name"])
    job = anki_imports.anki_job_start(
        name=upload["name"],
        key=upload["key"],
        mapping=form.cleaned_data["mapping"],
        deck_groups=form.cleaned_data["deck_groups"],
        actor=request.user.username,
        actor_id=request.user.sub,
    )
    return HttpResponseRedirect(reverse("admin:job", args=[job.id]))


def _mapping_page(request, form: AnkiMappingForm, name: str, *, status: int = 200) -> TemplateResponse:
    # Rendered now, while the package the preview reads is open.
    response = TemplateResponse(
        request,
        "admin/vocabulary/import_anki.html",
        _context(
            request,
            title="Import an Anki deck",
            form=form,
            name=name,
            note_count=form.package.note_count,
            decks=form.package.decks_used(),
            preview=_preview(form),
        ),
        status=status,
    )
    return response.render()


def _preview(form: AnkiMappingForm) -> list[dict]:
    """The first notes as the mapping imports them, with the errors of each that we can
    tell before importing."""
    rows = anki_imports.anki_rows(form.package, mapping=form.mapping(), deck_groups=True)
    words = (row for row in rows if row["kind"] == "word")
    return [_shown(number, row) for number, row in enumerate(islice(words, PREVIEW_NOTES), start=1)]


def _shown(number: int, row: dict) -> dict:
    errors = []
    try:
        documents.entry_checked("word", row["entry"])
    except InvalidInput as error:
        errors = [f"{field}: {' '.join(map(str, said))}" for field, said in error.details.items()]
    if row.get("again"):
        errors.append("An earlier note of the deck names this word already.")
    media = row["media"]
    return {"number": number, **row["entry"], "deck": row["deck"], "errors": errors} | {
        kind: str(media[kind]) if kind in media else "" for kind in anki_imports.MEDIA_KINDS
    }
