"""The `format` of statements a GET returns: `exact` as stored, `ids` with Agents,
Groups, Activities and Verbs reduced to what identifies them, `canonical` with each
Activity's canonical definition and every language map cut to the language the
request's Accept-Language prefers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xapi.services.agents import agent_only_ifi
from xapi.services.families import CONTEXT_ACTIVITY_KINDS

FORMATS = ("exact", "ids", "canonical")
_LANGUAGE_MAPS = ("display", "name", "description")
_INTERACTION_COMPONENTS = ("choices", "scale", "source", "target", "steps")

Activities = Callable[[str], dict[str, Any]]


def formatted(
    statement: dict[str, Any], *, format: str, languages: list[str], activities: Activities
) -> dict[str, Any]:
    """`statement` in `format`; `activities` gives an activity's canonical form by id."""
    if format == "ids":
        return _ids(statement)
    if format == "canonical":
        return _canonical(statement, languages, activities)
    return statement


def _ids(statement: dict[str, Any]) -> dict[str, Any]:
    reduced = dict(statement)
    reduced["actor"] = agent_only_ifi(statement["actor"])
    reduced["verb"] = {"id": statement["verb"]["id"]}
    reduced["object"] = _object_ids(statement["object"])
    if "authority" in statement:
        reduced["authority"] = agent_only_ifi(statement["authority"])
    if "context" in statement:
        reduced["context"] = _context_ids(statement["context"])
    return reduced


def _object_ids(target: dict[str, Any]) -> dict[str, Any]:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return _activity_id(target)
    if kind in ("Agent", "Group"):
        return agent_only_ifi(target)
    if kind == "SubStatement":
        return _ids(target)
    return target


def _activity_id(activity: dict[str, Any]) -> dict[str, Any]:
    """An Activity by its id alone: an object without objectType is an Activity."""
    return {"id": activity["id"]}


def _context_ids(context: dict[str, Any]) -> dict[str, Any]:
    reduced = dict(context)
    for name in ("instructor", "team"):
        if name in context:
            reduced[name] = agent_only_ifi(context[name])
    if "contextActivities" in context:
        reduced["contextActivities"] = {
            kind: [_activity_id(activity) for activity in activities]
            for kind, activities in context["contextActivities"].items()
        }
    for name, member in (("contextAgents", "agent"), ("contextGroups", "group")):
        if name in context:
            reduced[name] = [{**entry, member: agent_only_ifi(entry[member])} for entry in context[name]]
    return reduced


def _canonical(statement: dict[str, Any], languages: list[str], activities: Activities) -> dict[str, Any]:
    canonical = dict(statement)
    canonical["verb"] = _languages_cut(statement["verb"], languages)
    canonical["object"] = _object_canonical(statement["object"], languages, activities)
    if "contextActivities" in statement.get("context", {}):
        canonical["context"] = {
            **statement["context"],
            "contextActivities": {
                kind: [_activity_canonical(activity, languages, activities) for activity in found]
                for kind, found in statement["context"]["contextActivities"].items()
                if kind in CONTEXT_ACTIVITY_KINDS
            },
        }
    return canonical


def _object_canonical(target: dict[str, Any], languages: list[str], activities: Activities) -> dict[str, Any]:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return _activity_canonical(target, languages, activities)
    if kind == "SubStatement":
        return _canonical(target, languages, activities)
    return target


def _activity_canonical(activity: dict[str, Any], languages: list[str], activities: Activities) -> dict[str, Any]:
    known = activities(activity["id"])
    if "definition" not in known:
        known = activity  # nothing canonical: the statement's own, cut to the language
    canonical = {**known, "objectType": "Activity"}
    if "definition" in known:
        definition = _languages_cut(known["definition"], languages)
        for name in _INTERACTION_COMPONENTS:
            if name in definition:
                definition[name] = [_languages_cut(component, languages) for component in definition[name]]
        canonical["definition"] = definition
    return canonical


def _languages_cut(thing: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """`thing` with each of its language maps holding only the preferred language."""
    cut = dict(thing)
    for name in _LANGUAGE_MAPS:
        if isinstance(thing.get(name), dict) and thing[name]:
            tag = preferred(thing[name], languages)
            cut[name] = {tag: thing[name][tag]}
    return cut


def preferred(language_map: dict[str, str], languages: list[str]) -> str:
    """The tag of `language_map` that the first fitting entry of `languages` (an
    Accept-Language list, best first) names, by exact tag or by its primary language;
    the map's first tag when none fits."""
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted == "*":
            break
        if wanted in lowered:
            return lowered[wanted]
        for tag_lower, tag in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return tag
    return next(iter(language_map))


def accepted_languages(header: str) -> list[str]:
    """An Accept-Language header's tags, best first (by q, then order)."""
    weighed = []
    for position, entry in enumerate(header.split(",")):
        tag, _, parameters = entry.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighed.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighed)]
