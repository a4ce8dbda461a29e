"""The audit trail: who changed a word or a group, how and when, written in the change's
own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ulid import ULID

from langportal import records
from langportal.errors import Conflict
from langportal.storage.dynamo import Transaction, dynamodb_errors
from vocabulary.models import AuditEventModel
from vocabulary.repositories.records import Group, Word


@dataclass(frozen=True)
class AuditEvent:
    id: str
    subject: str
    actor: str
    action: str
    at: datetime
    before: dict | None
    after: dict | None


Record = Word | Group  # what the audit trail records changes of


def _snapshot(record: Record | None) -> str | None:
    return records.dumps(record) if record is not None else None


def audit_stage(
    transaction: Transaction, subject: str, old: Record | None, new: Record | None, *, actor: str, action: str
) -> None:
    """Record who changed `subject` ("word:12", "group:3") and how, in the change's own transaction."""
    transaction.put(
        AuditEventModel(
            subject,
            str(ULID()),
            actor=actor,
            action=action,
            at=datetime.now(UTC),
            before=_snapshot(old),
            after=_snapshot(new),
        )
    )


def audit_action(old: Record | None, new: Record | None) -> str:
    return "create" if old is None else "delete" if new is None else "update"


def audit_events(subject: str, *, limit: int = 50, before: str | None = None) -> list[AuditEvent]:
    """The latest changes to one subject ("word:12"), newest first: those older than the
    event `before`, when given (event ids are ULIDs, in time order)."""
    older = AuditEventModel.event_id < before if before else None
    with dynamodb_errors():
        items = AuditEventModel.query(subject, older, scan_index_forward=False, limit=limit, consistent_read=True)
        return [
            AuditEvent(
                item.event_id,
                item.subject,
                item.actor,
                item.action,
                item.at,
                json.loads(item.before) if item.before else None,
                json.loads(item.after) if item.after else None,
            )
            for item in items
        ]


def audit_event_keys_by_actor(actor: str) -> list[tuple[str, str]]:
    """(subject, event id) of every event this person made, for an erasure. A scan: the
    trail is read by subject, and nobody reads it by actor otherwise (consistent, so
    that an event written a moment ago is found)."""
    with dynamodb_errors():
        return [
            (item.subject, item.event_id)
            for item in AuditEventModel.scan(
                AuditEventModel.actor == actor, consistent_read=True, attributes_to_get=["subject", "event_id"]
            )
        ]


def audit_actor_replace(subject: str, event_id: str, *, actor: str, replacement: str) -> None:
    """Name `replacement` as the event's actor, if it still names `actor` (an event gone,
    or already renamed, is left as it is)."""
    try:
        with dynamodb_errors():
            AuditEventModel(subject, event_id).update(
                actions=[AuditEventModel.actor.set(replacement)], condition=AuditEventModel.actor == actor
            )
    except Conflict:
        pass  # renamed by an earlier run, or gone: nothing names the person any more
