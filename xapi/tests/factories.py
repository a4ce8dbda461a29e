"""Statements for the validation tests: valid ones to start from, and one change at a time.

A path names a property as the validator's messages do: "context.contextActivities.parent[0].id".
"""

from __future__ import annotations

import copy
import re
from typing import Any

VERSIONS = ("2.0.0", "1.0.3")

ACTIVITY_ID = "http://example.com/activities/kanji-quiz"
STATEMENT_ID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
SHA256 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"


def agent(**properties: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": "Hana", "mbox": "mailto:hana@example.com", **properties}


def group(**properties: Any) -> dict[str, Any]:
    """An anonymous Group of two Agents."""
    members = [{"mbox": "mailto:ken@example.com"}, {"account": {"homePage": "http://example.com", "name": "42"}}]
    return {"objectType": "Group", "name": "Class 3B", "member": members, **properties}


def activity(**properties: Any) -> dict[str, Any]:
    return {"objectType": "Activity", "id": ACTIVITY_ID, **properties}


def attachment(**properties: Any) -> dict[str, Any]:
    return {
        "usageType": "http://example.com/attachment-usage/essay",
        "display": {"en-US": "Essay"},
        "contentType": "text/plain; charset=utf-8",
        "length": 27,
        "sha2": SHA256,
        **properties,
    }


def statement(**properties: Any) -> dict[str, Any]:
    """A valid statement with only what the standard requires, plus `properties`."""
    return {
        "actor": agent(),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": activity(),
        **properties,
    }


def full_statement() -> dict[str, Any]:
    """A valid statement that uses every property a client may send."""
    return statement(
        id=STATEMENT_ID,
        object=activity(
            definition={
                "name": {"en-US": "Kanji quiz", "ja": "漢字クイズ"},
                "description": {"en-US": "Pick the reading"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "moreInfo": "https://example.com/quiz",
                "interactionType": "choice",
                "correctResponsesPattern": ["yama"],
                "choices": [{"id": "yama", "description": {"en-US": "yama"}}, {"id": "kawa"}],
                "extensions": {"http://example.com/ext/level": 3},
            }
        ),
        result={
            "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
            "success": True,
            "completion": False,
            "response": "yama",
            "duration": "PT1M30.5S",
            "extensions": {"http://example.com/ext/tries": 2},
        },
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": agent(name="Sato", mbox="mailto:sato@example.com"),
            "team": group(),
            "contextActivities": {"parent": [activity(id="http://example.com/courses/n5")]},
            "revision": "2",
            "platform": "langportal",
            "language": "ja-JP",
            "statement": {"objectType": "StatementRef", "id": STATEMENT_ID},
            "extensions": {"http://example.com/ext/room": None},
        },
        timestamp="2024-05-01T12:00:00.123Z",
        stored="2024-05-01T12:00:01.000Z",
        authority=agent(name="LMS", mbox="mailto:lms@example.com"),
        version="1.0.0",
        attachments=[attachment(description={"en-US": "The essay"}, fileUrl="https://example.com/essay.txt")],
    )


def substatement(**properties: Any) -> dict[str, Any]:
    return {"objectType": "SubStatement", **statement(), **properties}


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _STEP.findall(path)]


def changed(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the property at `path` set to `value`."""
    result = copy.deepcopy(data)
    *parents, last = _steps(path)
    target: Any = result
    for step in parents:
        target = target[step]
    target[last] = value
    return result


def without(data: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of `data` without the property at `path`."""
    result = copy.deepcopy(data)
    *parents, last = _steps(path)
    target: Any = result
    for step in parents:
        target = target[step]
    del target[last]
    return result
