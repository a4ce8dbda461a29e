"""Admin access stays bound to Cognito for as long as a session lasts.

A teacher's session is re-checked against the user pool every
`ADMIN_COGNITO_RECHECK_SECONDS`, and before every change they ask for: someone disabled
or removed from `teachers`/`admins` is signed out within that bound, and can change
nothing even sooner. Signing out ends the session in the shared table and signs the user
out of Cognito, which revokes every token the sign-in made.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser

from accounts import cognito, roles
from accounts.models import User
from langportal.errors import DomainError, Unavailable

logger = logging.getLogger(__name__)

CHECKED_AT = "cognito_checked_at"  # session key: when Cognito last confirmed the role (epoch seconds)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DECIDED = "_langportal_still_staff"  # request attribute: the answer, once per request


def still_staff(request) -> bool:
    """Whether the session's user may use the admin now, asking Cognito when it is due.

    A user Cognito no longer knows as a teacher is signed out here. Raises Unavailable
    when Cognito cannot answer a check that is due: the admin fails closed.
    """
    decided = getattr(request, DECIDED, None)
    if decided is None:
        setattr(request, DECIDED, False)  # until Cognito answers: an error page must not ask again
        try:
            setattr(request, DECIDED, _still_staff(request))
        except DomainError:
            drawn_for_nobody(request)
            raise
    return getattr(request, DECIDED)


def drawn_for_nobody(request) -> None:
    """The page answering a session or Cognito failure shows no user: it must not read the
    session again, nor ask Cognito."""
    setattr(request, DECIDED, False)
    request.user = AnonymousUser()


def _still_staff(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    due = time.time() - request.session.get(CHECKED_AT, 0) >= settings.ADMIN_COGNITO_RECHECK_SECONDS
    if request.method in SAFE_METHODS and not due:
        return True
    identity = cognito.identity(sub=user.sub)
    if identity is not None:
        user = User.objects.upsert(**identity)
    if identity is None or not roles.is_teacher(identity["groups"]):
        logger.info("Signing %s out of the admin: Cognito no longer knows them as a teacher", user.username)
        logout(request)
        return False
    request.session[CHECKED_AT] = time.time()
    return True


def signed_in(sender, request, user, **kwargs) -> None:
    """The sign-in has just asked Cognito: the next check is due in the full interval."""
    request.session[CHECKED_AT] = time.time()


def signed_out(sender, request, user, **kwargs) -> None:
    """Revoke the user's Cognito tokens too; the session itself is already gone."""
    if user is None:
        return
    try:
        cognito.sign_out_everywhere(username=user.username)
    except Unavailable:
        logger.warning("Could not sign %s out of Cognito; their admin session has ended", user.username)
