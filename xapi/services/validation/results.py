"""A statement's Result: score, success, completion, response, duration."""

from __future__ import annotations

from typing import Any

from . import values
from .errors import invalid
from .fields import boolean, child, extensions, formatted, number, properties, string

_RESULT = ("score", "success", "completion", "response", "duration", "extensions")


def check_result(value: Any, path: str) -> None:
    result = properties(value, path, of="a Result", optional=_RESULT)
    if "score" in result:
        _check_score(result["score"], child(path, "score"))
    for key in ("success", "completion"):
        if key in result:
            boolean(result[key], child(path, key))
    if "response" in result:
        string(result["response"], child(path, "response"))
    if "duration" in result:
        formatted(
            result["duration"], child(path, "duration"), values.is_duration, "an ISO 8601 duration (e.g. PT1H30M)"
        )
    if "extensions" in result:
        extensions(result["extensions"], child(path, "extensions"))


def _check_score(value: Any, path: str) -> None:
    """A Score: "scaled" within [-1, 1]; "raw" within [min, max], each where given; min < max."""
    score = properties(value, path, of="a Score", optional=("scaled", "raw", "min", "max"))
    numbers = {key: number(score[key], child(path, key)) for key in score}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        invalid(child(path, "scaled"), "must be between -1 and 1")
    if "min" in numbers and "max" in numbers and numbers["min"] >= numbers["max"]:
        invalid(child(path, "min"), "must be less than max")
    if "raw" in numbers:
        if "min" in numbers and numbers["raw"] < numbers["min"]:
            invalid(child(path, "raw"), "must not be less than min")
        if "max" in numbers and numbers["raw"] > numbers["max"]:
            invalid(child(path, "raw"), "must not be more than max")
