from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate

from accounts.cognito import ChallengeRequired
from langportal.errors import Unavailable


class CognitoLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: a Cognito username and password, for teachers."""

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
            try:
                self.user_cache = authenticate(self.request, username=username, password=password)
            except ChallengeRequired as challenge:
                raise forms.ValidationError(
                    self.error_messages["challenge"], code="challenge", params={"challenge": challenge.challenge}
                ) from challenge
            except Unavailable as error:
                raise forms.ValidationError(self.error_messages["unavailable"], code="unavailable") from error
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active or not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")
