"""Agents and Groups as xAPI identifies them: by one Inverse Functional Identifier (IFI)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_ifi(agent: dict[str, Any]) -> str | None:
    """The IFI of an Agent or identified Group as one string; None for an anonymous Group.

    Two objects are the same Agent (or Group) when their IFIs are equal; the objectType
    is left out, as the standard compares by IFI alone.
    """
    for name in IFIS:
        if name in agent:
            value = agent[name]
            if name == "account":
                return "account:" + json.dumps([value.get("homePage"), value.get("name")], ensure_ascii=False)
            return f"{name}:{value}"
    return None


def ifi_digest(ifi: str) -> str:
    return hashlib.sha256(ifi.encode()).hexdigest()[:32]


def agent_only_ifi(agent: dict[str, Any]) -> dict[str, Any]:
    """The least that identifies an Agent or Group (`format=ids`): its IFI, with its
    objectType when it has one; an anonymous Group keeps its members, each reduced."""
    reduced: dict[str, Any] = {"objectType": agent["objectType"]} if "objectType" in agent else {}
    for name in IFIS:
        if name in agent:
            reduced[name] = agent[name]
            return reduced
    reduced["member"] = [agent_only_ifi(member) for member in agent.get("member", [])]
    return reduced


def person(agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object of the agents resource: what we know of the Agent, as lists.

    The store does not merge identities, so a Person holds the one Agent's name and IFI.
    """
    found: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        found["name"] = [agent["name"]]
    for name in IFIS:
        if name in agent:
            found[name] = [agent[name]]
    return found
