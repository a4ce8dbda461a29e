"""One item or one page of a query, read consistently, with storage failures mapped."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from langportal.storage.dynamo import dynamodb_errors


@dataclass(frozen=True)
class Cursor:
    """Where a page of a query stopped (DynamoDB's LastEvaluatedKey), or None at the end."""

    items: list
    next_key: dict | None


def item_get(model, *key):
    """The item with this key, or None."""
    with dynamodb_errors():
        try:
            return model.get(*key, consistent_read=True)
        except DoesNotExist:
            return None


def page_read(query, convert) -> Cursor:
    """Run `query` (one page of a PynamoDB query) and convert its items."""
    with dynamodb_errors():
        results = query()
        items = [convert(item) for item in results]
    return Cursor(items, results.last_evaluated_key)
