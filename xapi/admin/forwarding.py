"""Forwarding rules in the admin: the list (each rule's state, how far it has got, its
last error, how many statements it delivered), a new rule, pausing and resuming one, and
deleting one after a confirmation. The target's secret is asked for, never shown back."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from langportal.errors import InvalidInput
from xapi.admin.common import administrators_only, context
from xapi.services import forwarding


class ForwardingForm(forms.Form):
    name = forms.CharField(max_length=forwarding.NAME_MAX_LENGTH, help_text="Whose store it is, say.")
    endpoint = forms.CharField(
        max_length=forwarding.ENDPOINT_MAX_LENGTH,
        widget=forms.URLInput,
        help_text="The target's xAPI base URL, such as https://lrs.school.example/xapi (statements are sent to "
        "its /statements).",
    )
    target_key = forms.CharField(label="Key", max_length=forwarding.TARGET_CREDENTIAL_MAX_LENGTH, strip=False)
    target_secret = forms.CharField(
        label="Secret",
        max_length=forwarding.TARGET_CREDENTIAL_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="The Basic credential the target gave langportal. The secret is kept to send, never shown again.",
    )
    version = forms.ChoiceField(
        label="xAPI version", choices=[(version, version) for version in forwarding.VERSIONS], initial="2.0.0"
    )
    verbs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Only statements with these verbs: their IRIs, one a line. None: every verb.",
    )
    activity_prefix = forms.CharField(
        label="Activity id prefix",
        required=False,
        help_text="Only statements about an activity whose id starts with this, such as https://school.example/.",
    )
    langportal_only = forms.BooleanField(
        label="Only langportal's own statements", required=False, help_text="Study sessions and reviews, not tools'."
    )
    enabled = forms.BooleanField(label="Start at once", required=False, initial=True)


@administrators_only
def forwarding_list(request):
    rules = [
        {
            "rule": rule,
            "state": forwarding.forwarding_state(rule),
            "position": forwarding.cursor_time(rule),
            "verbs": sorted(rule.verbs),
        }
        for rule in forwarding.forwardings_list()
    ]
    return TemplateResponse(
        request, "admin/xapi/forwarding_list.html", context(request, title="Forwarding statements", rules=rules)
    )


@administrators_only
def forwarding_add(request):
    """A new rule; it forwards every statement the store holds, from the first."""
    if request.method != "POST":
        return _form(request, ForwardingForm())
    form = ForwardingForm(request.POST)
    if form.is_valid():
        given = form.cleaned_data
        try:
            rule = forwarding.forwarding_create(
                **{**given, "verbs": given["verbs"].splitlines(), "activity_prefix": given["activity_prefix"] or None},
                created_by=request.user.username,
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Made the rule “{rule.name}”.")
            return HttpResponseRedirect(reverse("admin:xapi_forwarding"))
    return _form(request, form, status=400)


def _form(request, form: ForwardingForm, *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(
        request,
        "admin/xapi/forwarding_form.html",
        context(request, title="New forwarding rule", form=form),
        status=status,
    )


@administrators_only
@require_POST
def forwarding_pause(request, rule_id: str):
    rule = forwarding.forwarding_pause(rule_id)
    messages.success(request, f"Paused “{rule.name}”.")
    return HttpResponseRedirect(reverse("admin:xapi_forwarding"))


@administrators_only
@require_POST
def forwarding_resume(request, rule_id: str):
    rule = forwarding.forwarding_resume(rule_id)
    messages.success(request, f"Resumed “{rule.name}”: it goes on from where it stopped.")
    return HttpResponseRedirect(reverse("admin:xapi_forwarding"))


@administrators_only
def forwarding_delete(request, rule_id: str):
    if request.method == "POST":
        rule = forwarding.forwarding_delete(rule_id)
        messages.success(request, f"Deleted the rule “{rule.name}”; the target keeps what it received.")
        return HttpResponseRedirect(reverse("admin:xapi_forwarding"))
    rule = forwarding.forwarding_get(rule_id)
    return TemplateResponse(
        request, "admin/xapi/forwarding_delete.html", context(request, title="Delete a forwarding rule", rule=rule)
    )
