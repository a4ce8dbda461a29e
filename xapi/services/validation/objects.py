"""What kind of thing a statement is about, and the Statement Reference."""

from __future__ import annotations

from typing import Any

from .errors import invalid
from .fields import child, properties, string, uuid

OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")


def object_type(value: Any, path: str) -> str:
    """The objectType of a statement's object; an object that names none is an Activity."""
    if not isinstance(value, dict):
        invalid(path, "must be an Activity, Agent, Group, StatementRef or SubStatement (a JSON object)")
    if "objectType" not in value:
        return "Activity"
    kind = string(value["objectType"], child(path, "objectType"))
    if kind not in OBJECT_TYPES:
        invalid(child(path, "objectType"), f"must be one of {', '.join(OBJECT_TYPES)} (case matters)")
    return kind


def check_statement_ref(value: Any, path: str) -> None:
    """A Statement Reference: "objectType": "StatementRef" and the UUID of a statement."""
    reference = properties(value, path, of="a StatementRef", required=("objectType", "id"))
    if string(reference["objectType"], child(path, "objectType")) != "StatementRef":
        invalid(child(path, "objectType"), 'must be "StatementRef" (case matters)')
    uuid(reference["id"], child(path, "id"))
