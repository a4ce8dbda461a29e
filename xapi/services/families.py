"""The ways a statement can be found: each filter of the statements resource is a family
of index keys, and a statement is written under the key of every value it matches.

A key is `<family>#<digest of the value>`: values are IRIs and agents of any length, and a
digest keeps every key short and of one size. A statement that targets another by a
StatementRef is also found by the families of its target (the standard's filter rule for
StatementRefs), which the store adds when it has the target.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from xapi.services.agents import agent_ifi

ALL = "all"
AGENT = "agent"
RELATED_AGENT = "related-agent"
VERB = "verb"
ACTIVITY = "activity"
RELATED_ACTIVITY = "related-activity"
REGISTRATION = "registration"
AUTHORITY = "authority"
TARGET = "target"  # the statement a StatementRef points at, to find those that target it
# Every Agent a statement names, as related_agents finds them; kept when the statement is
# voided (no query reads it), so that erasing someone's data finds voided statements too.
NAMED = "named"

# Families a statement inherits from the one it targets, and those it keeps to itself.
INHERITED = frozenset({AGENT, RELATED_AGENT, VERB, ACTIVITY, RELATED_ACTIVITY, REGISTRATION})
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


def family_key(family: str, value: str | None = None) -> str:
    if value is None:
        return family
    return f"{family}#{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def family_of(key: str) -> str:
    return key.split("#", 1)[0]


def statement_families(statement: dict[str, Any]) -> set[str]:
    """Every key `statement` is found by (its targets' keys are added by the store)."""
    keys = {family_key(ALL)}
    actor, target, context = statement["actor"], statement["object"], statement.get("context", {})
    keys.update(family_key(AGENT, ifi) for ifi in _ifis([actor, target]))
    related = set(_ifis(_related_agents(statement)))
    keys.update(family_key(RELATED_AGENT, ifi) for ifi in related)
    keys.update(family_key(NAMED, ifi) for ifi in related)
    keys.add(family_key(VERB, statement["verb"]["id"]))
    if _is_activity(target):
        keys.add(family_key(ACTIVITY, target["id"]))
    keys.update(family_key(RELATED_ACTIVITY, activity["id"]) for activity in activity_objects(statement))
    if "registration" in context:
        keys.add(family_key(REGISTRATION, context["registration"].lower()))
    if "authority" in statement and (ifi := agent_ifi(statement["authority"])):
        keys.add(family_key(AUTHORITY, ifi))
    if target.get("objectType") == "StatementRef":
        keys.add(family_key(TARGET, target["id"].lower()))
    return keys


def hidden_when_voided(keys: frozenset[str]) -> set[str]:
    """The keys a voided statement is no longer found by."""
    return {key for key in keys if family_of(key) != NAMED}


def inherited(keys: set[str] | frozenset[str]) -> set[str]:
    """The keys of a targeted statement that the statements targeting it are found by too."""
    return {key for key in keys if family_of(key) in INHERITED}


def _is_activity(target: dict[str, Any]) -> bool:
    return target.get("objectType", "Activity") == "Activity"


def _ifis(agents: list[dict[str, Any]]) -> Iterator[str]:
    for agent in agents:
        if agent.get("objectType", "Agent") in ("Agent", "Group") and (ifi := agent_ifi(agent)):
            yield ifi


def _related_agents(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The actor, object, authority, instructor and team, theirs in a SubStatement, context
    agents and groups (2.0), and the members of each Group among them."""
    found = [statement["actor"], statement["object"]]
    if "authority" in statement:
        found.append(statement["authority"])
    found += _context_agents(statement.get("context", {}))
    target = statement["object"]
    if target.get("objectType") == "SubStatement":
        found += [target["actor"], target["object"], *_context_agents(target.get("context", {}))]
    return found + [member for agent in found for member in agent.get("member", [])]


def _context_agents(context: dict[str, Any]) -> list[dict[str, Any]]:
    found = [context[name] for name in ("instructor", "team") if name in context]
    found += [entry["agent"] for entry in context.get("contextAgents", []) if "agent" in entry]
    found += [entry["group"] for entry in context.get("contextGroups", []) if "group" in entry]
    return found


def activity_objects(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every Activity in a statement: its object, its context activities, and those of a
    SubStatement object."""
    target = statement["object"]
    if _is_activity(target):
        yield target
    yield from _context_activities(statement)
    if target.get("objectType") == "SubStatement":
        if _is_activity(target["object"]):
            yield target["object"]
        yield from _context_activities(target)


def _context_activities(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    context_activities = statement.get("context", {}).get("contextActivities", {})
    for kind in CONTEXT_ACTIVITY_KINDS:
        activities = context_activities.get(kind, [])
        yield from activities if isinstance(activities, list) else [activities]
