"""Users are a cache of Cognito identities: created or refreshed from token claims."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import IntegrityError, models, transaction
from django.db.models import F

from accounts import roles


class CognitoUserManager(UserManager):
    def get_or_create_for_cognito(self, payload: dict[str, Any]) -> User:
        """The user for verified token claims, written only when the claims changed.

        Called by django-cognito-jwt's authentication with the token's payload.
        """
        groups = frozenset(payload.get("cognito:groups", []))
        claims = {
            "username": payload.get("cognito:username") or payload.get("username") or payload["sub"],
            "email": payload.get("email", ""),
            "is_staff": roles.is_teacher(groups),
            "is_superuser": roles.is_admin(groups),
        }
        sub = payload["sub"]
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
        user.cognito_groups = groups
        return user


class User(AbstractUser):
    """A Cognito user; `sub` is the stable id the API calls user_id."""

    sub = models.CharField(max_length=64, unique=True)

    objects = CognitoUserManager()

    # Groups of the token that authenticated this request (not stored).
    cognito_groups: frozenset[str] = frozenset()

    @property
    def is_teacher(self) -> bool:
        return roles.is_teacher(self.cognito_groups)
