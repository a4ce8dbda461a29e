"""Parameters and documents for the tests of the document resources."""

from __future__ import annotations

import uuid
from typing import Any

ACTIVITY = "http://example.com/activities/kanji-1"
STATE = "activities/state"
ACTIVITY_PROFILE = "activities/profile"
AGENT_PROFILE = "agents/profile"
RESOURCES = (STATE, ACTIVITY_PROFILE, AGENT_PROFILE)


def agent(name: str = "aiko") -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{name}@example.com"}


def document_params(resource: str, **changes: Any) -> dict[str, Any]:
    """The parameters naming one new document of `resource`."""
    made: dict[str, Any] = {
        STATE: {"activityId": ACTIVITY, "agent": agent(), "stateId": str(uuid.uuid4())},
        ACTIVITY_PROFILE: {"activityId": ACTIVITY, "profileId": str(uuid.uuid4())},
        AGENT_PROFILE: {"agent": agent(), "profileId": str(uuid.uuid4())},
    }[resource]
    made.update(changes)
    return {name: value for name, value in made.items() if value is not None}


def id_name(resource: str) -> str:
    return "stateId" if resource == STATE else "profileId"


def without_id(resource: str, params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if name != id_name(resource)}
