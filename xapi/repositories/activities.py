"""Activities' canonical definitions, one item each, replaced only by a writer that read
the item as it is (a condition on its `updated` time)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from langportal.errors import Conflict, Contended
from langportal.storage.dynamo import dynamodb_errors
from xapi.models import ActivityModel


class ActivityMoved(Contended):
    """Another writer changed the definition since it was read."""


@dataclass(frozen=True)
class KnownActivity:
    activity: dict[str, Any]
    updated: str


def _key(activity_id: str) -> str:
    return hashlib.sha256(activity_id.encode()).hexdigest()  # IRIs may pass DynamoDB's key size


def activity_get(activity_id: str) -> KnownActivity | None:
    with dynamodb_errors():
        try:
            item = ActivityModel.get(_key(activity_id), consistent_read=True)
        except ActivityModel.DoesNotExist:
            return None
    return KnownActivity(json.loads(item.activity), item.updated)


def activity_put(activity: dict[str, Any], *, updated: str, replaces: KnownActivity | None) -> None:
    item = ActivityModel(
        _key(activity["id"]), activity=json.dumps(activity, ensure_ascii=False, separators=(",", ":")), updated=updated
    )
    condition = (
        ActivityModel.activity_key.does_not_exist() if replaces is None else ActivityModel.updated == replaces.updated
    )
    try:
        with dynamodb_errors():
            item.save(condition=condition)
    except Conflict:
        raise ActivityMoved() from None
