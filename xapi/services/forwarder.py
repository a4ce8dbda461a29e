"""The forwarder: a periodic task (xapi.jobs) that delivers each rule's statements to its
target, at least once, in the order they were stored.

A run reads the `all` index from the rule's cursor, ascending, up to the store's
consistent-through time (so a statement still being written is never stepped over),
keeps what the rule's filter keeps, and POSTs it to `<endpoint>/statements` in batches
of at most BATCH, with the statements' ids; then moves the cursor past what it read,
from the cursor it read (a conditional update): a second run at the same time delivers
the same batch again and stops when it finds the cursor moved, and never takes it back.
The target accepts a statement it already holds with the same id and content, which is
what makes sending one again harmless.

A failure (no connection, a 5xx, a 429) keeps the cursor and sets when to try again,
doubling from XAPI_FORWARDING_RETRY_SECONDS up to XAPI_FORWARDING_RETRY_MAX_SECONDS (or
the target's Retry-After, when later); any other refusal (a 4xx) pauses the rule until
an administrator resumes it. Either is shown in the admin.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings

from langportal.errors import Unavailable
from langportal.storage.retry import retrying
from xapi import repositories as statements_repo
from xapi.repositories import forwarding as repo
from xapi.repositories.forwarding import CursorMoved, ForwardingRule
from xapi.services import attachments
from xapi.services.families import ALL, family_key
from xapi.services.forwarding import rule_matches, voided_id
from xapi.services.queries import consistent_through
from xapi.services.statements import timestamp

logger = logging.getLogger(__name__)

BATCH = 50  # statements per POST
PAGE = 100  # index items read at once
VERSION_HEADER = "X-Experience-API-Version"
ERROR_MAX_CHARS = 500
_XAPI_2_ONLY = ("contextAgents", "contextGroups")  # Context properties 1.0.3 has not


class DeliveryFailed(Exception):
    """The target did not take a batch: `retry` when trying again later may work."""

    def __init__(self, message: str, *, retry: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message, self.retry, self.retry_after = message[:ERROR_MAX_CHARS], retry, retry_after


@dataclass(frozen=True)
class Outcome:
    """What a run did for one rule: the statements delivered, and why it stopped short."""

    delivered: int
    error: str | None = None


@dataclass(frozen=True)
class Pending:
    """A statement to deliver, its position in the index, and the sha2 of its attachments."""

    sort: str
    statement: dict[str, Any]
    attachments: frozenset[str]


def forwarding_run(
    *, seconds: float, now: datetime | None = None, clock: Callable[[], float] = time.monotonic
) -> dict[str, int]:
    """Forward the statements of every enabled rule that is due, within about `seconds`
    (each rule delivers at least one batch); how many were delivered and how many rules
    failed."""
    deadline = clock() + seconds
    moment = now or datetime.now(UTC)
    done = {"forwarded": 0, "failed": 0}
    with requests.Session() as session:
        for rule in repo.forwardings_all():
            if not rule.enabled or (rule.retry_at is not None and rule.retry_at > timestamp(moment)):
                continue
            try:
                outcome = rule_forward(rule, now=moment, more_time=lambda: clock() < deadline, session=session)
            except Unavailable:
                logger.warning("Forwarding %s stopped: the store is unavailable; the next run goes on.", rule.rule_id)
                continue
            done["forwarded"] += outcome.delivered
            done["failed"] += outcome.error is not None
            if clock() >= deadline:
                break
    return done


def rule_forward(
    rule: ForwardingRule, *, now: datetime, more_time: Callable[[], bool], session: requests.Session
) -> Outcome:
    """Deliver the rule's statements from its cursor up to the store's consistent-through
    time at `now`, while `more_time()`. A failed delivery is recorded on the rule, its
    cursor where it last moved to: that batch is sent again next time."""
    through = consistent_through(now)
    cursor = read = rule.cursor
    pending: list[Pending] = []
    delivered = 0
    while True:
        entries, more = statements_repo.index_page(
            family_key(ALL), since=None, until=through, ascending=True, after=read, limit=PAGE
        )
        pending += _kept(rule, entries)
        read = entries[-1].sort if entries else read
        finished = more is None or not more_time()
        while len(pending) >= BATCH or (finished and pending):
            batch, pending = pending[:BATCH], pending[BATCH:]
            try:
                _deliver(rule, batch, session)
            except DeliveryFailed as failure:
                _failed(rule, failure, read=cursor, failures=1 if delivered else rule.failures + 1, now=now)
                return Outcome(delivered, failure.message)
            moved = _advance(rule, cursor, batch[-1].sort if pending else read, len(batch))
            if moved is None:
                return Outcome(delivered)  # another run got further: it goes on from there
            cursor, delivered = moved, delivered + len(batch)
            if not more_time():
                return Outcome(delivered)
        if finished:
            if read != cursor:
                _advance(rule, cursor, read, 0)  # past the statements the filter left out
            return Outcome(delivered)


def _kept(rule: ForwardingRule, entries: list[statements_repo.IndexEntry]) -> list[Pending]:
    """The statements of these index items that the rule forwards, in order. A voiding
    statement is judged by the statement it voids (when that is still stored)."""
    stored = statements_repo.statements_get(entry.statement_id for entry in entries)
    bodies = {key: json.loads(found.body) for key, found in stored.items()}
    targets_ids = [target for body in bodies.values() if (target := voided_id(body))]
    targets = {key: json.loads(found.body) for key, found in statements_repo.statements_get(targets_ids).items()}
    kept = []
    for entry in entries:
        key = entry.statement_id.lower()
        body = bodies.get(key)
        if body is None or stored[key].voided:
            continue  # erased, or voided since it was listed: its voiding statement follows
        target_id = voided_id(body)
        judged = targets.get(target_id.lower(), body) if target_id else body
        if rule_matches(rule, judged):
            kept.append(Pending(entry.sort, body, stored[key].attachments))
    return kept


def _deliver(rule: ForwardingRule, batch: list[Pending], session: requests.Session) -> None:
    """POST the batch to the target's statements resource, with the content of its
    attachments (multipart/mixed) when it has any; DeliveryFailed unless it took them."""
    document = json.dumps([for_version(item.statement, rule.version) for item in batch], ensure_ascii=False).encode()
    sha2s = sorted({sha2 for item in batch for sha2 in item.attachments})
    content_type, body = "application/json", document
    if sha2s:
        content_type, body = attachments.multipart_write(document, attachments.attachments_read(sha2s))
    timeout = settings.XAPI_FORWARDING_TIMEOUT_SECONDS
    try:
        answer = session.post(
            f"{rule.endpoint}/statements",
            data=body,
            headers={"Content-Type": content_type, VERSION_HEADER: rule.version},
            auth=(rule.target_key, rule.target_secret),
            timeout=(timeout, timeout),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise DeliveryFailed(f"Could not reach the target: {type(error).__name__}: {error}", retry=True) from None
    if 200 <= answer.status_code < 300:
        return
    said = f"The target answered {answer.status_code}: {answer.text[:300]}"
    if answer.status_code == 429 or answer.status_code >= 500:
        raise DeliveryFailed(said, retry=True, retry_after=_seconds(answer.headers.get("Retry-After")))
    raise DeliveryFailed(f"{said} (paused: check the rule, then resume it)", retry=False)


def for_version(statement: dict[str, Any], version: str) -> dict[str, Any]:
    """A statement as a target of `version` takes it: for 1.0.3, a 1.0.0 statement,
    without the context agents and groups that xAPI 2.0 added."""
    if version != "1.0.3" or not str(statement.get("version", "1.0.0")).startswith("2."):
        return statement
    converted = _without_2_0_context({**statement, "version": "1.0.0"})
    if converted["object"].get("objectType") == "SubStatement":
        converted["object"] = _without_2_0_context(converted["object"])
    return converted


def _without_2_0_context(part: dict[str, Any]) -> dict[str, Any]:
    if "context" not in part:
        return part
    return {**part, "context": {name: value for name, value in part["context"].items() if name not in _XAPI_2_ONLY}}


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (its HTTP-date form is not worth the trouble here)."""
    return float(retry_after) if retry_after and retry_after.strip().isdigit() else None


def _advance(rule: ForwardingRule, read: str | None, cursor: str, forwarded: int) -> str | None:
    """Move the rule's cursor from `read`; None when another run moved it first."""
    try:
        retrying(lambda: repo.forwarding_advance(rule.rule_id, read=read, cursor=cursor, forwarded=forwarded))
    except CursorMoved:
        current = repo.forwarding_get(rule.rule_id)
        if current is None or current.cursor != cursor:
            return None
        # Where we moved it: the update was made and its answer lost.
    return cursor


def retry_delay(failures: int) -> float:
    """Seconds before trying again after `failures` failures in a row."""
    first, most = settings.XAPI_FORWARDING_RETRY_SECONDS, settings.XAPI_FORWARDING_RETRY_MAX_SECONDS
    return min(first * 2 ** min(failures - 1, 32), most)


def _failed(rule: ForwardingRule, failure: DeliveryFailed, *, read: str | None, failures: int, now: datetime) -> None:
    """Record the failure on the rule, its cursor kept at `read`: when to try again, or
    the rule paused. Nothing when another run has moved the cursor meanwhile."""
    retry_at = None
    if failure.retry:
        waited = min(failure.retry_after or 0, settings.XAPI_FORWARDING_RETRY_MAX_SECONDS)
        retry_at = timestamp(now + timedelta(seconds=max(retry_delay(failures), waited)))
    logger.warning("Forwarding %s to %s failed: %s", rule.rule_id, rule.endpoint, failure.message)
    with contextlib.suppress(CursorMoved):  # another run delivered meanwhile: this failure is past
        retrying(
            lambda: repo.forwarding_failed(
                rule.rule_id,
                read=read,
                error=failure.message,
                failed_at=timestamp(now),
                retry_at=retry_at,
                failures=failures,
            )
        )
