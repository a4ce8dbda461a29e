"""Activities' canonical definitions: what the statements of credentials allowed to
define them (the `define` scope) said of each, merged: a language map gains the
languages each statement gives, other properties take the latest value.

The definitions are updated after the statements that carry them are stored; they
describe activities and never decide whether a statement is accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from langportal.storage.retry import retrying
from xapi.repositories import activities as repo
from xapi.services.families import activity_objects

LANGUAGE_MAPS = ("name", "description")


def activity_get(activity_id: str) -> dict[str, Any]:
    """The activity as the store knows it: its id alone when nothing defined it."""
    known = repo.activity_get(activity_id)
    return known.activity if known else {"objectType": "Activity", "id": activity_id}


def activities_define(statements: list[dict[str, Any]]) -> None:
    """Merge the definitions these statements give into the canonical ones."""
    given: dict[str, dict[str, Any]] = {}
    for statement in statements:
        for activity in activity_objects(statement):
            if "definition" in activity:
                given[activity["id"]] = merged(given.get(activity["id"], {}), activity["definition"])
    for activity_id, definition in given.items():
        _define(activity_id, definition)


def _define(activity_id: str, definition: dict[str, Any]) -> None:
    def attempt() -> None:
        known = repo.activity_get(activity_id)
        activity = {"objectType": "Activity", "id": activity_id}
        activity["definition"] = merged(known.activity.get("definition", {}) if known else {}, definition)
        repo.activity_put(activity, updated=datetime.now(UTC).isoformat(), replaces=known)

    retrying(attempt)


def merged(known: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`given` over `known`, with the languages of their language maps combined."""
    result = dict(known)
    for name, value in given.items():
        if name in LANGUAGE_MAPS and isinstance(result.get(name), dict):
            result[name] = {**result[name], **value}
        else:
            result[name] = value
    return result
