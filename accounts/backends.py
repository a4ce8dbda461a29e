"""Teachers sign in to the admin with their Cognito username and password."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from accounts import cognito
from accounts.authentication import CognitoTokenValidator
from accounts.models import User


class CognitoBackend(BaseBackend):
    """Django authentication against the user pool (InitiateAuth, USER_PASSWORD_AUTH).

    Raises cognito.ChallengeRequired when Cognito wants more than a password (a one-time
    code, for those who have set one up), and
    Unavailable when Cognito cannot be reached; a wrong password is None, as Django
    expects.
    """

    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs):
        if not username or not password:
            return None
        tokens = cognito.sign_in(username=username, password=password)
        if tokens is None:
            return None
        user = User.objects.get_or_create_for_cognito(CognitoTokenValidator().validate(tokens.id_token))
        user.cognito_tokens = tokens  # for a second factor's setup, which needs the access token
        return user

    def get_user(self, user_id: str) -> User | None:
        """The user of a session: this server's copy, or Cognito's when it has none."""
        user = User.objects.filter(sub=user_id).first()
        if user is not None:
            return user
        identity = cognito.identity(sub=user_id)
        return User.objects.upsert(**identity) if identity else None
