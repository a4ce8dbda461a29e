"""Users are a cache of Cognito identities, created or refreshed from token claims; the
admin's sessions live in DynamoDB, which every web instance shares."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac
from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from accounts import roles
from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class CognitoUserManager(UserManager):
    def get_or_create_for_cognito(self, payload: dict[str, Any]) -> User:
        """The user for verified token claims, written only when the claims changed.

        Called by django-cognito-jwt's authentication with the token's payload, on every
        API request: the user of claims seen in the last USER_CACHE_SECONDS comes from
        this process's memory, not the database (whose SELECT was a third of a request's
        own time).
        """
        groups = frozenset(payload.get("cognito:groups", []))
        username = payload.get("cognito:username") or payload.get("username") or payload["sub"]
        claims = (payload["sub"], username, payload.get("email", ""), groups)
        now = time.monotonic()
        seen = _users_seen.get(claims)
        if seen is not None and now - seen[0] < USER_CACHE_SECONDS:
            return seen[1]
        user = self.upsert(sub=claims[0], username=username, email=claims[2], groups=groups)
        if len(_users_seen) >= USERS_CACHED:
            _users_seen.clear()  # rarely reached: one process sees few users at a time
        _users_seen[claims] = (now, user)
        return user

    def upsert(self, *, sub: str, username: str, email: str, groups: frozenset[str]) -> User:
        """The cached user for a Cognito identity, created or brought up to date."""
        claims = {
            "username": username,
            "email": email,
            "is_staff": roles.is_teacher(groups),
            "is_superuser": roles.is_admin(groups),
        }
        user = self.filter(sub=sub).first()
        if user is None:
            # A username freed in Cognito and taken again belongs to the new sub.
            self.filter(username=claims["username"]).exclude(sub=sub).update(username=F("sub"))
            try:
                with transaction.atomic():
                    user = self.create(sub=sub, password=make_password(None), **claims)
            except IntegrityError:  # a concurrent request created it first
                user = self.get(sub=sub)
        changed = [name for name, value in claims.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, claims[name])
            user.save(update_fields=changed)
        return user


USER_CACHE_SECONDS = 60
USERS_CACHED = 10_000
_users_seen: dict[tuple, tuple[float, User]] = {}


def forget_users_seen() -> None:
    """Drop the users kept in memory (a test's database is rolled back after it)."""
    _users_seen.clear()


class User(AbstractUser):
    """A Cognito user, keyed by `sub`: the stable id the API calls user_id.

    Every server may lose its copy; the signed session cookie names the sub, and a
    server that has not seen the user reads them from Cognito again.
    """

    sub = models.CharField(max_length=64, primary_key=True)

    objects = CognitoUserManager()

    @property
    def is_teacher(self) -> bool:
        """Teachers (and admins) are staff; the flag follows their Cognito groups."""
        return self.is_staff

    def get_session_auth_hash(self) -> str:
        """Stable across servers (no local password), and new when the role changes."""
        return salted_hmac(
            "accounts.User.get_session_auth_hash", f"{self.sub}:{self.is_staff}:{self.is_superuser}", algorithm="sha256"
        ).hexdigest()


class AdminSessionModel(TableModel):
    """One admin session (see accounts/sessions.py), under a hash of its cookie's key: whoever
    can read the table cannot sign in with what they read."""

    class Meta(BaseMeta):
        table_name = table_name("admin-sessions")

    key = UnicodeAttribute(hash_key=True)
    data = UnicodeAttribute()  # Django's signed, encoded session dictionary
    expires_at = TTLAttribute()  # DynamoDB deletes expired sessions within days; reads check it first
