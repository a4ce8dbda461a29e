"""The admin's second factor: a one-time code (TOTP) from an authenticator app.

Cognito asks users who have set one up for a code after their password
(SOFTWARE_TOKEN_MFA). With ADMIN_MFA_REQUIRED, teachers and admins who have none yet set
one up at their next sign-in, before they are signed in. Between the steps, the sign-in
waits in the session, which is server-side: Cognito's handles never reach the browser.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import cognito, throttle
from accounts.authentication import CognitoTokenValidator
from accounts.models import User

PENDING = "second_factor"  # session key: the sign-in waiting for its code
BACKEND = "accounts.backends.CognitoBackend"
ISSUER = "langportal"  # the name authenticator apps show


class Needed(Exception):
    """The password was right; the sign-in goes on with a code (`step` says how)."""

    def __init__(self, step: dict):
        self.step = step
        super().__init__(step["kind"])

    @classmethod
    def code(cls, challenge: cognito.ChallengeRequired, next_url: str) -> Needed:
        return cls({"kind": "code", "username": challenge.username, "session": challenge.session, "next": next_url})

    @classmethod
    def setup(cls, username: str, tokens: cognito.Tokens, next_url: str) -> Needed:
        step = {"kind": "setup", "username": username, "access_token": tokens.access_token, "next": next_url}
        return cls(step | {"id_token": tokens.id_token})


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        label="Code",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def begin(request, needed: Needed) -> HttpResponseRedirect:
    request.session[PENDING] = needed.step
    return HttpResponseRedirect(reverse(f"admin:login_{needed.step['kind']}"))


def code(request, site) -> TemplateResponse | HttpResponseRedirect:
    """Ask for the code Cognito challenged the sign-in for."""
    step = _pending(request, "code")
    if step is None:
        return HttpResponseRedirect(reverse("admin:login"))

    def answer(code: str) -> str:
        return cognito.totp_answer(username=step["username"], session=step["session"], code=code).id_token

    form = CodeForm(request.POST or None)
    done = _answered(request, site, step, form, answer, wrong="Wrong code. Enter the one your app shows now.")
    return done or _page(request, site, form, title="Enter your code")


def setup(request, site) -> TemplateResponse | HttpResponseRedirect:
    """Show a new authenticator secret, and switch it on once a code from it is right."""
    step = _pending(request, "setup")
    if step is None:
        return HttpResponseRedirect(reverse("admin:login"))
    if "secret" not in step:
        try:
            step["secret"] = cognito.totp_secret(access_token=step["access_token"])
        except cognito.SignInExpired:
            return _start_again(request, site)
        request.session[PENDING] = step

    def enable(code: str) -> str:
        cognito.totp_enable(access_token=step["access_token"], code=code)
        return step["id_token"]

    form = CodeForm(request.POST or None)
    wrong = "Wrong code. Check the app's clock, and enter the code it shows now."
    if done := _answered(request, site, step, form, enable, wrong=wrong):
        return done
    label = quote(f"{ISSUER}:{step['username']}")
    uri = f"otpauth://totp/{label}?secret={step['secret']}&issuer={ISSUER}"
    return _page(request, site, form, title="Set up a second factor", secret=step["secret"], uri=uri)


def _answered(request, site, step: dict, form: CodeForm, attempt, *, wrong: str):
    """The answer to a posted code: signed in, or start again; None to show the form again
    (nothing posted, or a wrong code, which counts as a failed sign-in)."""
    if request.method != "POST" or not form.is_valid():
        return None
    throttle.check(request, step["username"])
    try:
        id_token = attempt(form.cleaned_data["code"])
    except cognito.WrongCode:
        throttle.failed(request, step["username"])
        form.add_error("code", wrong)
        return None
    except cognito.SignInExpired:
        return _start_again(request, site)
    return _signed_in(request, site, id_token, step)


def _pending(request, kind: str) -> dict | None:
    step = request.session.get(PENDING)
    return step if isinstance(step, dict) and step.get("kind") == kind else None


def _signed_in(request, site, id_token: str, step: dict) -> TemplateResponse | HttpResponseRedirect:
    user = User.objects.get_or_create_for_cognito(CognitoTokenValidator().validate(id_token))
    del request.session[PENDING]
    if not (user.is_active and user.is_staff):
        return _page(request, site, None, title="Sign in", refused=site.login_form.error_messages["not_staff"])
    login(request, user, backend=BACKEND)
    allowed = url_has_allowed_host_and_scheme(step["next"], {request.get_host()}, require_https=request.is_secure())
    return HttpResponseRedirect(step["next"] if allowed else reverse("admin:index"))


def _start_again(request, site) -> TemplateResponse:
    request.session.pop(PENDING, None)
    refused = "This sign-in took too long. Sign in again with your password."
    return _page(request, site, None, title="Sign in", refused=refused)


def _page(request, site, form, *, title: str, **context) -> TemplateResponse:
    context = {**site.each_context(request), "title": title, "form": form, **context}
    return TemplateResponse(request, "admin/second_factor.html", context)


def required_for(user: User) -> bool:
    """Whether this user must add a code to their password to use the admin."""
    return settings.ADMIN_MFA_REQUIRED and user.is_staff
