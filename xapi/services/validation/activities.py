"""Activities and their definitions, interaction activities included."""

from __future__ import annotations

from typing import Any

from .errors import invalid
from .fields import array, child, extensions, iri, irl, item, language_map, properties, string

INTERACTION_TYPES = (
    *("true-false", "choice", "fill-in", "long-fill-in", "matching"),
    *("performance", "sequencing", "likert", "numeric", "other"),
)
# The lists of interaction components each interactionType has; the others have none.
_COMPONENTS_OF = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_DEFINITION = (
    *("name", "description", "type", "moreInfo", "extensions"),
    *("interactionType", "correctResponsesPattern", *_COMPONENT_LISTS),
)


def check_activity(value: Any, path: str) -> None:
    """An Activity: an IRI id, and perhaps a definition of what it is."""
    activity = properties(value, path, of="an Activity", required=("id",), optional=("objectType", "definition"))
    if "objectType" in activity and string(activity["objectType"], child(path, "objectType")) != "Activity":
        invalid(child(path, "objectType"), 'must be "Activity" (case matters)')
    iri(activity["id"], child(path, "id"))
    if "definition" in activity:
        check_definition(activity["definition"], child(path, "definition"))


def check_definition(value: Any, path: str) -> None:
    """An Activity Definition; an interaction's patterns and components need its interactionType."""
    definition = properties(value, path, of="an Activity Definition", optional=_DEFINITION)
    for key in ("name", "description"):
        if key in definition:
            language_map(definition[key], child(path, key))
    if "type" in definition:
        iri(definition["type"], child(path, "type"))
    if "moreInfo" in definition:
        irl(definition["moreInfo"], child(path, "moreInfo"))
    if "extensions" in definition:
        extensions(definition["extensions"], child(path, "extensions"))

    interaction_type = None
    if "interactionType" in definition:
        interaction_type = string(definition["interactionType"], child(path, "interactionType"))
        if interaction_type not in INTERACTION_TYPES:
            invalid(child(path, "interactionType"), f"must be one of {', '.join(INTERACTION_TYPES)} (case matters)")
    if "correctResponsesPattern" in definition:
        patterns_path = child(path, "correctResponsesPattern")
        if interaction_type is None:
            invalid(patterns_path, "needs an interactionType in the same definition")
        for index, pattern in enumerate(array(definition["correctResponsesPattern"], patterns_path)):
            string(pattern, item(patterns_path, index))
    for key in _COMPONENT_LISTS:
        if key in definition:
            if interaction_type is None:
                invalid(child(path, key), "needs an interactionType in the same definition")
            if key not in _COMPONENTS_OF.get(interaction_type, ()):
                invalid(child(path, key), f'is not a component list of a "{interaction_type}" interaction')
            _check_components(definition[key], child(path, key))


def _check_components(value: Any, path: str) -> None:
    seen: set[str] = set()
    for index, component in enumerate(array(value, path)):
        component_path = item(path, index)
        component = properties(
            component, component_path, of="an Interaction Component", required=("id",), optional=("description",)
        )
        component_id = string(component["id"], child(component_path, "id"))
        if component_id in seen:
            invalid(child(component_path, "id"), f"{component_id!r} is already the id of another component here")
        seen.add(component_id)
        if "description" in component:
            language_map(component["description"], child(component_path, "description"))
