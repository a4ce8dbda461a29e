"""Agents and Groups wherever a statement names them: actor, object, authority, context."""

from __future__ import annotations

from typing import Any

from . import values
from .errors import invalid
from .fields import array, child, formatted, irl, item, properties, string

# The Inverse Functional Identifiers: exactly one names an Agent or an Identified Group.
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")

_AGENT = {"objectType", "name", *IFIS}
_GROUP = {"objectType", "name", "member", *IFIS}


def check_agent_or_group(value: Any, path: str, *, object_type_required: bool = False) -> None:
    """An Agent or a Group, told apart by "objectType" ("Agent" when it is absent).

    As a statement's object it must say which it is (`object_type_required`).
    """
    agent_or_group = properties(value, path, of="an Agent or Group", optional=_GROUP)
    object_type = _object_type(agent_or_group, path, required=object_type_required)
    if object_type == "Group":
        check_group(agent_or_group, path)
    else:
        check_agent(agent_or_group, path)


def check_agent(value: Any, path: str) -> None:
    """An Agent: one person or system, named by exactly one Inverse Functional Identifier."""
    if isinstance(value, dict) and value.get("objectType") == "Group":
        invalid(child(path, "objectType"), 'must be "Agent": a Group cannot stand here')
    agent = properties(value, path, of="an Agent", optional=_AGENT)
    _object_type(agent, path)
    if "name" in agent:
        string(agent["name"], child(path, "name"))
    ifis = _ifis(agent, path)
    if not ifis:
        invalid(path, f"an Agent must have one of {', '.join(IFIS)}")
    _check_ifi(agent, ifis[0], path)


def check_group(value: Any, path: str) -> None:
    """A Group: anonymous (listed by its members) or identified (by one IFI)."""
    group = properties(value, path, of="a Group", optional=_GROUP)
    if _object_type(group, path, required=True) != "Group":
        invalid(child(path, "objectType"), 'must be "Group"')
    if "name" in group:
        string(group["name"], child(path, "name"))
    ifis = _ifis(group, path)
    if ifis:
        _check_ifi(group, ifis[0], path)
    elif "member" not in group:
        invalid(child(path, "member"), "is required in an anonymous Group (one with no mbox, openid or account)")
    if "member" in group:
        members_path = child(path, "member")
        members = array(group["member"], members_path, non_empty=not ifis)
        for index, member in enumerate(members):
            check_agent(member, item(members_path, index))


def check_authority(value: Any, path: str) -> None:
    """Who vouches for the statement: an Agent, or with 3-legged OAuth a Group of two
    Agents (the application, identified by account, and the user)."""
    check_agent_or_group(value, path)
    if value.get("objectType") != "Group":
        return
    if _ifis(value, path):
        invalid(path, "a Group as authority must be anonymous: the two Agents of an OAuth application and user")
    members = value["member"]
    if len(members) != 2:
        invalid(child(path, "member"), "a Group as authority must have exactly two Agents (OAuth application and user)")
    if not any("account" in member for member in members):
        invalid(child(path, "member"), "the OAuth application in an authority Group must be identified by account")


def _object_type(agent_or_group: dict[str, Any], path: str, *, required: bool = False) -> str:
    if "objectType" not in agent_or_group:
        if required:
            invalid(child(path, "objectType"), 'is required: "Agent" or "Group"')
        return "Agent"
    object_type = string(agent_or_group["objectType"], child(path, "objectType"))
    if object_type not in ("Agent", "Group"):
        invalid(child(path, "objectType"), 'must be "Agent" or "Group" (case matters)')
    return object_type


def _ifis(agent_or_group: dict[str, Any], path: str) -> list[str]:
    ifis = [ifi for ifi in IFIS if ifi in agent_or_group]
    if len(ifis) > 1:
        invalid(path, f"must have only one of {', '.join(IFIS)}, not {' and '.join(ifis)}")
    return ifis


def _check_ifi(agent_or_group: dict[str, Any], ifi: str, path: str) -> None:
    ifi_path = child(path, ifi)
    value = agent_or_group[ifi]
    if ifi == "mbox":
        formatted(value, ifi_path, values.is_mailto_iri, "a mailto IRI (mailto:name@example.com)")
    elif ifi == "mbox_sha1sum":
        formatted(value, ifi_path, values.is_sha1_hex, "the hex SHA-1 of a mailto IRI (40 hex digits)")
    elif ifi == "openid":
        formatted(value, ifi_path, values.is_uri, "a URI with a scheme")
    else:
        account = properties(value, ifi_path, of="an Account", required=("homePage", "name"))
        irl(account["homePage"], child(ifi_path, "homePage"))
        string(account["name"], child(ifi_path, "name"))
