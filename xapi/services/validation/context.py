"""A statement's Context: who else took part, in what, and where."""

from __future__ import annotations

from typing import Any

from . import values
from .activities import check_activity
from .actors import check_agent, check_agent_or_group, check_group
from .errors import invalid
from .fields import array, child, extensions, formatted, iri, item, properties, string, uuid
from .objects import check_statement_ref
from .versions import XAPI_2_0

CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")
_CONTEXT = (
    *("registration", "instructor", "team", "contextActivities", "revision"),
    *("platform", "language", "statement", "extensions"),
)
_CONTEXT_2_0 = (*_CONTEXT, "contextAgents", "contextGroups")


def check_context(value: Any, path: str, *, version: str, object_is_activity: bool) -> None:
    """A Context; its single context activities become arrays of one, as they are stored.

    "revision" and "platform" describe an Activity, so only a statement about an Activity
    (`object_is_activity`) may have them.
    """
    context = properties(value, path, of="a Context", optional=_CONTEXT_2_0 if version == XAPI_2_0 else _CONTEXT)
    if "registration" in context:
        uuid(context["registration"], child(path, "registration"))
    if "instructor" in context:
        check_agent_or_group(context["instructor"], child(path, "instructor"))
    if "team" in context:
        check_group(context["team"], child(path, "team"))
    if "contextActivities" in context:
        context["contextActivities"] = _context_activities(
            context["contextActivities"], child(path, "contextActivities")
        )
    for key in ("revision", "platform"):
        if key in context:
            string(context[key], child(path, key))
            if not object_is_activity:
                invalid(child(path, key), "is only allowed when the statement's object is an Activity")
    if "language" in context:
        formatted(context["language"], child(path, "language"), values.is_language_tag, "an RFC 5646 language tag")
    if "statement" in context:
        check_statement_ref(context["statement"], child(path, "statement"))
    if "extensions" in context:
        extensions(context["extensions"], child(path, "extensions"))
    if "contextAgents" in context:
        _check_relevant(context["contextAgents"], child(path, "contextAgents"), kind="contextAgent", who="agent")
    if "contextGroups" in context:
        _check_relevant(context["contextGroups"], child(path, "contextGroups"), kind="contextGroup", who="group")


def _context_activities(value: Any, path: str) -> dict[str, list[Any]]:
    context_activities = properties(value, path, of="a contextActivities object", optional=CONTEXT_ACTIVITY_KINDS)
    as_arrays = {}
    for kind, activities in context_activities.items():
        kind_path = child(path, kind)
        if isinstance(activities, dict):
            check_activity(activities, kind_path)
            as_arrays[kind] = [activities]
        elif isinstance(activities, list):
            for index, activity in enumerate(activities):
                check_activity(activity, item(kind_path, index))
            as_arrays[kind] = activities
        else:
            invalid(kind_path, "must be an Activity or an array of Activities")
    return as_arrays


def _check_relevant(value: Any, path: str, *, kind: str, who: str) -> None:
    """xAPI 2.0's contextAgents or contextGroups: Agents (or Groups) with the types that
    say how they relate to the statement."""
    for index, entry in enumerate(array(value, path)):
        entry_path = item(path, index)
        relevant = properties(
            entry, entry_path, of=f"a {kind}", required=("objectType", who), optional=("relevantTypes",)
        )
        if string(relevant["objectType"], child(entry_path, "objectType")) != kind:
            invalid(child(entry_path, "objectType"), f'must be "{kind}" (case matters)')
        if who == "agent":
            check_agent(relevant["agent"], child(entry_path, "agent"))
        else:
            check_group(relevant["group"], child(entry_path, "group"))
        if "relevantTypes" in relevant:
            types_path = child(entry_path, "relevantTypes")
            for type_index, relevant_type in enumerate(array(relevant["relevantTypes"], types_path, non_empty=True)):
                iri(relevant_type, item(types_path, type_index))
