"""Forwarding rules, one item each by id, all in one partition. The forwarder moves a
rule's cursor only from the cursor it read (a conditional update), so that two runs never
take it back."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.condition import Condition

from langportal.errors import Conflict
from langportal.storage.dynamo import dynamodb_errors
from xapi.models import ForwardingModel

RULE = "rule"  # the partition of every rule


class CursorMoved(Conflict):
    """The rule's cursor is not where this run read it (another run moved it), or the
    rule is gone."""


@dataclass(frozen=True)
class ForwardingRule:
    rule_id: str
    name: str
    endpoint: str
    target_key: str
    target_secret: str
    version: str
    verbs: frozenset[str]
    activity_prefix: str | None
    langportal_only: bool
    enabled: bool
    created: str
    created_by: str
    cursor: str | None = None
    forwarded: int = 0
    failures: int = 0
    last_error: str | None = None
    failed_at: str | None = None
    retry_at: str | None = None


def _rule(item: ForwardingModel) -> ForwardingRule:
    return ForwardingRule(
        rule_id=item.rule_id,
        name=item.name,
        endpoint=item.endpoint,
        target_key=item.target_key,
        target_secret=item.target_secret,
        version=item.version,
        verbs=frozenset(item.verbs or ()),
        activity_prefix=item.activity_prefix,
        langportal_only=item.langportal_only,
        enabled=item.enabled,
        created=item.created,
        created_by=item.created_by,
        cursor=item.cursor,
        forwarded=int(item.forwarded or 0),
        failures=int(item.failures or 0),
        last_error=item.last_error,
        failed_at=item.failed_at,
        retry_at=item.retry_at,
    )


def forwarding_get(rule_id: str) -> ForwardingRule | None:
    with dynamodb_errors():
        try:
            return _rule(ForwardingModel.get(RULE, rule_id, consistent_read=True))
        except ForwardingModel.DoesNotExist:
            return None


def forwardings_all() -> list[ForwardingRule]:
    """Every rule: an administrator's few, read whole, oldest first."""
    with dynamodb_errors():
        return sorted(map(_rule, ForwardingModel.query(RULE, consistent_read=True)), key=lambda rule: rule.created)


def forwarding_create(rule: ForwardingRule) -> None:
    """Store a new rule (Conflict when its id is taken)."""
    item = ForwardingModel(
        RULE,
        rule.rule_id,
        name=rule.name,
        endpoint=rule.endpoint,
        target_key=rule.target_key,
        target_secret=rule.target_secret,
        version=rule.version,
        verbs=set(rule.verbs) or None,
        activity_prefix=rule.activity_prefix,
        langportal_only=rule.langportal_only,
        enabled=rule.enabled,
        created=rule.created,
        created_by=rule.created_by,
    )
    with dynamodb_errors():
        item.save(condition=ForwardingModel.rule_id.does_not_exist())


def forwarding_enable(rule_id: str, *, enabled: bool) -> None:
    """Pause a rule, or resume it with its errors forgotten (it tries again at once);
    Conflict when it is gone."""
    actions = [ForwardingModel.enabled.set(enabled)]
    if enabled:
        actions += [
            ForwardingModel.failures.set(0),
            ForwardingModel.last_error.remove(),
            ForwardingModel.failed_at.remove(),
            ForwardingModel.retry_at.remove(),
        ]
    with dynamodb_errors():
        ForwardingModel(RULE, rule_id).update(actions, condition=ForwardingModel.rule_id.exists())


def forwarding_delete(rule_id: str) -> None:
    """Remove a rule (removing it twice is harmless)."""
    with dynamodb_errors():
        ForwardingModel(RULE, rule_id).delete()


def _at(cursor: str | None) -> Condition:
    """The rule is there, its cursor where this run read it."""
    if cursor is None:
        return ForwardingModel.rule_id.exists() & ForwardingModel.cursor.does_not_exist()
    return ForwardingModel.cursor == cursor


def forwarding_advance(rule_id: str, *, read: str | None, cursor: str, forwarded: int) -> None:
    """Move the cursor from `read` to `cursor`, counting the statements delivered, and
    forget past failures; CursorMoved when the cursor is not at `read`."""
    actions = [
        ForwardingModel.cursor.set(cursor),
        ForwardingModel.forwarded.add(forwarded),
        ForwardingModel.failures.set(0),
        ForwardingModel.last_error.remove(),
        ForwardingModel.failed_at.remove(),
        ForwardingModel.retry_at.remove(),
    ]
    _update_at(rule_id, read, actions)


def forwarding_failed(
    rule_id: str, *, read: str | None, error: str, failed_at: str, retry_at: str | None, failures: int
) -> None:
    """Record a failed delivery, the cursor kept: when to try again, or (no `retry_at`)
    the rule paused until an administrator resumes it. CursorMoved when the cursor is
    not at `read`: another run got further, and this failure is past."""
    actions = [
        ForwardingModel.last_error.set(error),
        ForwardingModel.failed_at.set(failed_at),
        ForwardingModel.failures.set(failures),
    ]
    if retry_at is None:
        actions += [ForwardingModel.enabled.set(False), ForwardingModel.retry_at.remove()]
    else:
        actions.append(ForwardingModel.retry_at.set(retry_at))
    _update_at(rule_id, read, actions)


def _update_at(rule_id: str, read: str | None, actions: list) -> None:
    try:
        with dynamodb_errors():
            ForwardingModel(RULE, rule_id).update(actions, condition=_at(read))
    except Conflict as conflict:
        raise CursorMoved() from conflict
