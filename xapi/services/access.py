"""Who calls the xAPI store and what they may do: the scopes of xAPI's OAuth and of SQL
LRS, for Basic credentials; and students and teachers signed in with Cognito."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from langportal.errors import PermissionDenied
from xapi.services.agents import agent_ifi

STATEMENTS_WRITE = "statements/write"
STATEMENTS_READ = "statements/read"
STATEMENTS_READ_MINE = "statements/read/mine"
STATE = "state"
DEFINE = "define"
PROFILE = "profile"
ALL_READ = "all/read"
ALL = "all"
SCOPES = (STATEMENTS_WRITE, STATEMENTS_READ, STATEMENTS_READ_MINE, STATE, DEFINE, PROFILE, ALL_READ, ALL)
# What each scope lets a tool do, as the admin explains it.
SCOPE_DESCRIPTIONS = {
    STATEMENTS_WRITE: "store statements",
    STATEMENTS_READ: "read every statement",
    STATEMENTS_READ_MINE: "read the statements this credential stored",
    STATE: "read and write state documents",
    DEFINE: "define activities: the definitions in its statements become the canonical ones",
    PROFILE: "read and write activity and agent profiles",
    ALL_READ: "read everything: statements, documents, activities and agents",
    ALL: "everything, reading and writing",
}

# What each scope grants beyond its own name; all/read also reads what every scope may.
_GRANTS = {ALL: frozenset(SCOPES), STATEMENTS_READ: frozenset({STATEMENTS_READ_MINE})}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    `authority` is the Agent put into the statements it stores. A student (`own_agent`
    set) writes statements only as that Agent, and reads only statements about it, and
    documents of it.
    """

    name: str
    authority: dict[str, Any]
    scopes: frozenset[str]
    own_agent: dict[str, Any] | None = field(default=None)

    def holds(self, scope: str) -> bool:
        return any(scope == held or scope in _GRANTS.get(held, ()) for held in self.scopes)

    def require(self, scope: str, *, reading: bool = False) -> None:
        """PermissionDenied (403) unless the caller holds `scope` (or all/read, `reading`)."""
        if not (self.holds(scope) or (reading and ALL_READ in self.scopes)):
            raise PermissionDenied(f"This credential does not have the scope {scope}.")

    def require_statements_read(self) -> None:
        if self.own_agent is None and not self.holds(STATEMENTS_READ_MINE) and ALL_READ not in self.scopes:
            raise PermissionDenied(f"This credential does not have the scope {STATEMENTS_READ}.")

    @property
    def reads_only_own(self) -> bool:
        """Reads only the statements it is the authority of (statements/read/mine)."""
        return self.own_agent is None and not self.holds(STATEMENTS_READ) and ALL_READ not in self.scopes

    def require_agent(self, agent: dict[str, Any]) -> None:
        """A student acts only as themselves."""
        if self.own_agent is not None and agent_ifi(agent) != agent_ifi(self.own_agent):
            raise PermissionDenied("You may only act as yourself.")


class Administrator(Protocol):
    """Who manages the store (accounts.models.User fits: its admins are superusers)."""

    is_superuser: bool


def require_administrator(caller: Administrator) -> None:
    """Only administrators manage the store's credentials and forwarding: teachers read
    statements, and give no one else access to them."""
    if not caller.is_superuser:
        raise PermissionDenied("Only administrators manage the xAPI store's credentials and forwarding.")


def student_agent(sub: str) -> dict[str, Any]:
    """A langportal user as an xAPI Agent: an account of the Cognito user pool."""
    return {"objectType": "Agent", "account": {"homePage": settings.COGNITO_ISSUER, "name": sub}}


def langportal_authority() -> dict[str, Any]:
    """The authority of the statements langportal makes itself (a review, a session)."""
    return {
        "objectType": "Agent",
        "name": "langportal",
        "account": {"homePage": settings.XAPI_IRI, "name": "langportal"},
    }


def cognito_principal(*, sub: str, username: str, is_teacher: bool) -> Principal:
    """Teachers read everything; a student writes and reads as themselves."""
    agent = student_agent(sub)
    if is_teacher:
        return Principal(username, agent, frozenset({ALL_READ}))
    return Principal(username, agent, frozenset({STATEMENTS_WRITE, STATEMENTS_READ, STATE, PROFILE}), own_agent=agent)
