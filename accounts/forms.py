from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate

from accounts import cognito, second_factor, throttle
from langportal.errors import Unavailable


class CognitoLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: a Cognito username and password, for teachers, then a one-time
    code (accounts/second_factor.py). Failures are counted (accounts/throttle.py)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Wrong username or password.",
        "not_staff": "This account is not a teacher's. Students sign in through the app.",
        "challenge": "Cognito asks this account for more than a password (%(challenge)s), which this page "
        "cannot do: finish signing in once in the app, or ask an administrator to reset the account.",
        "unavailable": "The sign-in service is unavailable. Please try again in a moment.",
    }

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            throttle.check(self.request, username)
            try:
                self.user_cache = authenticate(self.request, username=username, password=password)
            except cognito.ChallengeRequired as challenge:
                if challenge.challenge == cognito.TOTP_CHALLENGE:
                    raise second_factor.Needed.code(challenge, self._next_url()) from None
                raise forms.ValidationError(
                    self.error_messages["challenge"], code="challenge", params={"challenge": challenge.challenge}
                ) from challenge
            except Unavailable as error:
                raise forms.ValidationError(self.error_messages["unavailable"], code="unavailable") from error
            if self.user_cache is None:
                throttle.failed(self.request, username)
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            self.confirm_login_allowed(self.user_cache)
            if second_factor.required_for(self.user_cache):
                raise second_factor.Needed.setup(username, self.user_cache.cognito_tokens, self._next_url())
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active or not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")

    def _next_url(self) -> str:
        return self.request.POST.get(REDIRECT_FIELD_NAME) or self.request.GET.get(REDIRECT_FIELD_NAME) or ""
