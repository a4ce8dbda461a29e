"""Batches cut in two, as AWS does under load: the part processed and the part sent back
as unprocessed, each in the shape of the request."""

from __future__ import annotations

from typing import Any

from langportal.local.strict.protocol import Answer, json_answer


def batch_keys(requests: dict[str, Any], entries: list[tuple[str, Any]]) -> dict[str, Any]:
    """BatchGetItem's RequestItems (and UnprocessedKeys) for these keys: each table keeps its
    ConsistentRead, projection and attribute names."""
    grouped: dict[str, Any] = {}
    for name, key in entries:
        grouped.setdefault(name, {**requests[name], "Keys": []})["Keys"].append(key)
    return grouped


def batch_writes(requests: dict[str, Any], entries: list[tuple[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, list[Any]] = {}
    for name, entry in entries:
        grouped.setdefault(name, []).append(entry)
    return grouped


def with_unprocessed(answer: Answer, operation: str, unprocessed: dict[str, Any]) -> Answer:
    """moto's answer to the processed part, with the rest where AWS puts it."""
    data = answer.json()
    if operation == "BatchGetItem":
        merged = data.get("UnprocessedKeys") or {}
        for name, request in unprocessed.items():
            merged.setdefault(name, {**request, "Keys": []})["Keys"].extend(request["Keys"])
            data.setdefault("Responses", {}).setdefault(name, [])
        data["UnprocessedKeys"] = merged
    else:
        merged = data.get("UnprocessedItems") or {}
        for name, entries in unprocessed.items():
            merged.setdefault(name, []).extend(entries)
        data["UnprocessedItems"] = merged
    return json_answer(data, answer.status, answer.headers)
