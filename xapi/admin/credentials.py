"""Basic credentials of the xAPI store in the admin: the list, a new one (its secret shown
on the page that answers the form, that once), and revoking one after a confirmation."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from langportal.errors import InvalidInput
from xapi.admin.common import administrators_only, context
from xapi.services import credentials
from xapi.services.access import SCOPE_DESCRIPTIONS, SCOPES


class CredentialForm(forms.Form):
    name = forms.CharField(
        max_length=credentials.NAME_MAX_LENGTH,
        help_text="What it is for (an LMS, a school's analytics): it names the authority of the statements it stores.",
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope}: {SCOPE_DESCRIPTIONS[scope]}") for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one scope."},
    )


@administrators_only
def credentials_page(request):
    """The credentials, and the form for a new one; a new one's page shows its secret."""
    if request.method != "POST":
        return _list(request, CredentialForm())
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            made = credentials.credential_create(
                name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], created_by=request.user.username
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            return TemplateResponse(
                request,
                "admin/xapi/credential_made.html",
                context(
                    request,
                    title=f"Credential “{made.credential.name}”",
                    made=made,
                    scopes=", ".join(sorted(made.credential.scopes)),
                    endpoint=request.build_absolute_uri(reverse("xapi:about").removesuffix("about")),
                ),
            )
    return _list(request, form, status=400)


def _list(request, form: CredentialForm, *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(
        request,
        "admin/xapi/credential_list.html",
        context(
            request,
            title="xAPI credentials",
            credentials=[_shown(found) for found in credentials.credentials_list()],
            form=form,
        ),
        status=status,
    )


def _shown(credential) -> dict:
    return {**asdict(credential), "scopes": ", ".join(sorted(credential.scopes))}


@administrators_only
def credential_revoke(request, key: str):
    """Revoke a credential, once confirmed: the tools using it are refused from then on."""
    if request.method == "POST":
        credential = credentials.credential_revoke(key)
        messages.success(request, f"Revoked the credential “{credential.name}” ({key}).")
        return HttpResponseRedirect(reverse("admin:xapi_credentials"))
    return TemplateResponse(
        request,
        "admin/xapi/credential_revoke.html",
        context(request, title="Revoke a credential", credential=credentials.credential_get(key)),
    )
