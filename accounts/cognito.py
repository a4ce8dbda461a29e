"""Users of the Cognito user pool: create, update, sign in.

Used by the local stack and the `local_user` / `local_token` commands. Passwords of
local users are kept in LOCAL_USERS_FILE (under var/, never committed) so that a
token can be fetched for any of them later.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from botocore.exceptions import ClientError
from django.conf import settings

from accounts import roles
from langportal import aws
from langportal.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    generated: bool  # the password was made up now, not given or remembered


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str
    user_id: str


def generate_password() -> str:
    """A password that meets the pool's policy (length, digits, letters)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(16))
        if (
            any(c.isdigit() for c in password)
            and any(c.isupper() for c in password)
            and any(c.islower() for c in password)
        ):
            return password


def is_local_endpoint() -> bool:
    """True when Cognito is the emulator on this machine, never a real user pool."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP") or os.environ.get("AWS_ENDPOINT_URL") or ""
    return urlparse(endpoint).hostname in {"127.0.0.1", "localhost", "::1"}


def _users_file() -> Path:
    return Path(settings.LOCAL_USERS_FILE)


def _remembered() -> dict[str, str]:
    path = _users_file()
    return json.loads(path.read_text()) if path.is_file() else {}


def _remember(username: str, password: str) -> None:
    passwords = _remembered() | {username: password}
    path = _users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passwords, indent=2))
    path.chmod(0o600)


def user_upsert(*, username: str, group: str, password: str | None = None, pool_id: str | None = None) -> Credentials:
    """Create the user or update their password and group."""
    if group not in roles.GROUPS:
        raise InvalidInput(f"Unknown group {group!r}; choose one of {', '.join(roles.GROUPS)}.")
    cognito, pool_id = aws.client("cognito-idp"), pool_id or settings.COGNITO_USER_POOL_ID
    known = password or _remembered().get(username)
    password = known or generate_password()
    with aws.unavailable_on_outage("Cognito"):
        with contextlib.suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
        try:
            cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        except cognito.exceptions.InvalidPasswordException as error:
            raise InvalidInput(error.response["Error"]["Message"]) from error
        listed = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
        current = {listed_group["GroupName"] for listed_group in listed}
        for other in current - {group}:
            cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=username, GroupName=other)
        if group not in current:
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    _remember(username, password)
    return Credentials(username, password, generated=known is None)


class ChallengeRequired(Exception):
    """Cognito wants more than a password (a new password, a second factor...): `session`
    is Cognito's handle on the sign-in, to answer the challenge with."""

    def __init__(self, challenge: str, *, username: str = "", session: str = ""):
        self.challenge, self.username, self.session = challenge, username, session
        super().__init__(challenge)


TOTP_CHALLENGE = "SOFTWARE_TOKEN_MFA"


class WrongCode(Exception):
    """The one-time code does not match (or came too late for its 30 seconds)."""


class SignInExpired(Exception):
    """Cognito's handle on a sign-in, or the token of one, is no longer valid: start again."""


def _tokens(result: dict) -> Tokens:
    if "ChallengeName" in result:
        raise ChallengeRequired(result["ChallengeName"], session=result.get("Session", ""))
    tokens = result["AuthenticationResult"]
    return Tokens(tokens["IdToken"], tokens["AccessToken"], tokens.get("RefreshToken", ""), "")


def sign_in(*, username: str, password: str) -> Tokens | None:
    """Tokens for a username and password, or None when they are wrong (or the user is disabled)."""
    cognito = aws.client("cognito-idp")
    try:
        with aws.unavailable_on_outage("Cognito"):
            result = cognito.initiate_auth(
                ClientId=settings.COGNITO_APP_CLIENT_IDS[0],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
    except (cognito.exceptions.NotAuthorizedException, cognito.exceptions.UserNotFoundException):
        return None
    try:
        return _tokens(result)
    except ChallengeRequired as challenge:
        raise ChallengeRequired(challenge.challenge, username=username, session=challenge.session) from None


def totp_answer(*, username: str, session: str, code: str) -> Tokens:
    """Finish a sign-in that Cognito challenged for a one-time code."""
    cognito = aws.client("cognito-idp")
    with _totp_errors(cognito), aws.unavailable_on_outage("Cognito"):
        result = cognito.respond_to_auth_challenge(
            ClientId=settings.COGNITO_APP_CLIENT_IDS[0],
            ChallengeName=TOTP_CHALLENGE,
            Session=session,
            ChallengeResponses={"USERNAME": username, f"{TOTP_CHALLENGE}_CODE": code},
        )
    return _tokens(result)


def totp_secret(*, access_token: str) -> str:
    """A new authenticator secret (base32) for the signed-in user, not yet in use."""
    cognito = aws.client("cognito-idp")
    with _totp_errors(cognito), aws.unavailable_on_outage("Cognito"):
        return cognito.associate_software_token(AccessToken=access_token)["SecretCode"]


def totp_enable(*, access_token: str, code: str) -> None:
    """Check a code from the new secret, then make one-time codes the user's second factor."""
    cognito = aws.client("cognito-idp")
    with _totp_errors(cognito), aws.unavailable_on_outage("Cognito"):
        cognito.verify_software_token(AccessToken=access_token, UserCode=code, FriendlyDeviceName="langportal admin")
        cognito.set_user_mfa_preference(
            AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )


@contextlib.contextmanager
def _totp_errors(cognito):
    try:
        yield
    except (
        cognito.exceptions.CodeMismatchException,
        cognito.exceptions.EnableSoftwareTokenMFAException,
        cognito.exceptions.ExpiredCodeException,  # a code used once already: the next one will do
    ) as error:
        raise WrongCode() from error
    except cognito.exceptions.NotAuthorizedException as error:
        raise SignInExpired() from error


SUB = re.compile(r"[0-9a-fA-F-]{1,64}")


def identity(*, sub: str) -> dict | None:
    """Username, email and groups of the pool's user with this sub, or None."""
    if not SUB.fullmatch(sub):
        return None
    cognito, pool_id = aws.client("cognito-idp"), settings.COGNITO_USER_POOL_ID
    with aws.unavailable_on_outage("Cognito"):
        users = cognito.list_users(UserPoolId=pool_id, Filter=f'sub = "{sub}"', Limit=1)["Users"]
        if not users or not users[0].get("Enabled", True):
            return None
        username = users[0]["Username"]
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
    attributes = {attribute["Name"]: attribute["Value"] for attribute in users[0].get("Attributes", [])}
    return {
        "sub": sub,
        "username": username,
        "email": attributes.get("email", ""),
        "groups": frozenset(group["GroupName"] for group in groups),
    }


def sign_out_everywhere(*, username: str) -> None:
    """Revoke every token Cognito issued to the user (AdminUserGlobalSignOut)."""
    cognito, pool_id = aws.client("cognito-idp"), settings.COGNITO_USER_POOL_ID
    with aws.unavailable_on_outage("Cognito"), contextlib.suppress(cognito.exceptions.UserNotFoundException):
        cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)


@dataclass(frozen=True)
class Member:
    username: str
    sub: str
    email: str


# What Cognito answers a NextToken it did not give (AWS; the emulator says InvalidToken).
BAD_PAGE_TOKEN = frozenset({"InvalidParameterException", "InvalidToken"})


def group_members(*, group: str, limit: int = 60, next_token: str | None = None) -> tuple[list[Member], str | None]:
    """One page of the users in a Cognito group, with the token of the next page."""
    arguments = {"UserPoolId": settings.COGNITO_USER_POOL_ID, "GroupName": group, "Limit": limit}
    if next_token:
        arguments["NextToken"] = next_token
    try:
        with aws.unavailable_on_outage("Cognito"):
            page = aws.client("cognito-idp").list_users_in_group(**arguments)
    except ClientError as error:
        if error.response["Error"]["Code"] in BAD_PAGE_TOKEN:
            raise InvalidInput("This page's link is broken or out of date: start again from the first page.") from error
        raise
    members = []
    for user in page["Users"]:
        attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("Attributes", [])}
        members.append(Member(user["Username"], attributes.get("sub", ""), attributes.get("email", "")))
    return members, page.get("NextToken")


def user_tokens(*, username: str, password: str | None = None) -> Tokens:
    """Sign in with a password (the remembered one by default) and return the tokens."""
    password = password or _remembered().get(username)
    if password is None:
        raise NotFound(f"No password is known for {username!r}; create the user with local_user first.")
    try:
        tokens = sign_in(username=username, password=password)
    except ChallengeRequired as challenge:
        raise NotFound(f"Cannot sign in as {username!r}: Cognito asks for {challenge.challenge}.") from challenge
    if tokens is None:
        raise NotFound(f"Cannot sign in as {username!r}: wrong username or password.")
    with aws.unavailable_on_outage("Cognito"):
        user = aws.client("cognito-idp").get_user(AccessToken=tokens.access_token)
    sub = next(attribute["Value"] for attribute in user["UserAttributes"] if attribute["Name"] == "sub")
    return Tokens(tokens.id_token, tokens.access_token, tokens.refresh_token, sub)
