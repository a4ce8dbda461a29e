"""Storing statements: checked as the standard says, completed with what the store sets
(id, stored, authority, version, timestamp), written once each, never changed.

A statement sent again with its id and the same content is accepted and writes nothing;
with other content it is a conflict (409). A batch is checked whole, against what is
stored, before anything is written, so a batch with one bad statement stores none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from langportal.errors import Conflict, Contended, InvalidInput
from langportal.storage.dynamo import Transaction
from langportal.storage.retry import retrying
from xapi import repositories as repo
from xapi.repositories.statements import StatementExists, StoredStatement, TargetChanged
from xapi.services import activities, attachments
from xapi.services.access import DEFINE, STATEMENTS_WRITE, Principal, langportal_authority
from xapi.services.agents import agent_ifi
from xapi.services.attachments import Attachment
from xapi.services.families import NAMED, family_key, hidden_when_voided, inherited, statement_families
from xapi.services.validation import statements_checked

logger = logging.getLogger(__name__)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
VERSION = "2.0.0"  # of the statements langportal makes
# Properties the store sets, left out when telling a statement sent again from another.
_SET_BY_STORE = ("stored", "authority", "version")


class StatementConflict(Conflict):
    code = "statement_conflict"
    default_message = "A statement with this id is stored already, with other content."


def timestamp(moment: datetime) -> str:
    """A time as the store writes it: UTC, microseconds, `Z`, so that it sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def statements_store(
    data: Any,
    *,
    principal: Principal,
    version: str,
    parts: dict[str, Attachment] | None = None,
    statement_id: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Store one statement or a batch (a PUT names its `statement_id`): the ids, in order."""
    principal.require(STATEMENTS_WRITE)
    statements = statements_checked(data, version=version)
    if statement_id is not None:
        _check_put_id(statements, statement_id)
    for statement in statements:
        principal.require_agent(statement["actor"])
    carried = attachments.attachments_matched(statements, parts or {})
    began = now or datetime.now(UTC)
    prepared = [
        _completed(
            statement, authority=principal.authority, version=version, stored=began + timedelta(microseconds=number)
        )
        for number, statement in enumerate(statements)
    ]
    new = _not_stored(prepared)
    attachments.attachments_keep(carried)
    for statement in new:
        _store(statement)
    if principal.holds(DEFINE):
        activities.activities_define([json.loads(statement.body) for statement in new])
    return [statement.id for statement in prepared]


@dataclass(frozen=True)
class StatementWrite:
    """A statement langportal makes of what it records (a review, a session's start or
    end), written in the transaction that records it: both are stored, or neither."""

    statement: StoredStatement

    def stage(self, transaction: Transaction) -> None:
        # Its id comes from the record, so it is taken only where the record's own
        # condition fails too, and that failure says what happened.
        repo.statement_stage(transaction, self.statement, exists=Contended)


def statement_made(statement: dict, *, stored: datetime) -> StatementWrite:
    """One of langportal's own statements, checked and completed as a client's would be,
    with langportal as its authority. Its id should come from what it records, so that
    recording that again makes the same statement."""
    [checked] = statements_checked(statement, version=VERSION)
    return StatementWrite(_completed(checked, authority=langportal_authority(), version=VERSION, stored=stored))


def _check_put_id(statements: list[dict], statement_id: str) -> None:
    if len(statements) != 1:
        raise InvalidInput("A PUT stores one statement.")
    given = statements[0].get("id")
    if given is not None and given.lower() != statement_id.lower():
        raise InvalidInput("The statement's id is not the statementId of the request.")
    statements[0]["id"] = statement_id


def _completed(statement: dict, *, authority: dict, version: str, stored: datetime) -> StoredStatement:
    """The statement as it is kept: with an id, stored time, authority and version, and a
    timestamp (the stored time when it came without one)."""
    statement.setdefault("id", str(uuid.uuid4()))
    for part in (statement, statement["object"]):
        _context_activities_listed(part)
    digest = statement_digest(statement)
    statement["stored"] = timestamp(stored)
    if statement.get("timestamp") is None:
        statement["timestamp"] = statement["stored"]
    statement["authority"] = authority
    statement.setdefault("version", "2.0.0" if version.startswith("2.") else "1.0.0")
    return StoredStatement(
        id=statement["id"],
        body=json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
        stored=statement["stored"],
        digest=digest,
        families=frozenset(statement_families(statement)),
        attachments=frozenset(attachment["sha2"] for attachment in statement.get("attachments", [])),
    )


def _context_activities_listed(statement: dict) -> None:
    """Each kind of context activity as an array, as the store returns them, whether the
    client sent one Activity or an array of them."""
    found = statement.get("context", {}).get("contextActivities", {})
    for kind, given in found.items():
        if isinstance(given, dict):
            found[kind] = [given]


def statement_digest(statement: dict) -> str:
    """What tells two statements with one id apart: everything the client sent except what
    the store sets, with ids compared without regard to case."""
    sent = {name: value for name, value in statement.items() if name not in _SET_BY_STORE}
    sent["id"] = sent["id"].lower()
    return hashlib.sha256(json.dumps(sent, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _not_stored(prepared: list[StoredStatement]) -> list[StoredStatement]:
    """The statements not stored yet; StatementConflict when one is, with other content."""
    stored = repo.statements_get(statement.id for statement in prepared)
    for statement in prepared:
        earlier = stored.get(statement.id.lower())
        if earlier is not None and earlier.digest != statement.digest:
            raise StatementConflict(f"Statement {statement.id} is stored already, with other content.")
    return [statement for statement in prepared if statement.id.lower() not in stored]


def _store(statement: StoredStatement) -> None:
    """Write one statement, found by its target's families too; a voiding statement voids
    its target in the same transaction. A race with another writer of the same id or
    target is decided on fresh reads."""
    body = json.loads(statement.body)
    target_id = body["object"]["id"] if body["object"].get("objectType") == "StatementRef" else None

    def attempt() -> None:
        target = repo.statement_get(target_id) if target_id else None
        kept = statement
        if target is not None and not target.voided:
            kept = replace(statement, families=statement.families | inherited(target.families))
        voids = None
        if body["verb"]["id"] == VOIDED and target is not None and _voidable(target):
            voids = repo.Voiding(target, frozenset(hidden_when_voided(target.families)))
        try:
            repo.statement_put(kept, voids=voids)
        except StatementExists:
            again = repo.statement_get(statement.id)
            if again is None or again.digest != statement.digest:
                raise StatementConflict(f"Statement {statement.id} is stored already, with other content.") from None
        except TargetChanged:
            raise Contended() from None  # voided meanwhile: read it again

    retrying(attempt)


def _voidable(target: StoredStatement) -> bool:
    """A statement is voided by a voiding statement, unless it is one itself or already is."""
    return not target.voided and json.loads(target.body)["verb"]["id"] != VOIDED


def statements_naming(agent: dict) -> Iterator[str]:
    """The ids of every statement that names `agent` (as related_agents finds them),
    voided ones too, oldest first: what an erasure of their data removes."""
    key, after = family_key(NAMED, agent_ifi(agent)), None
    while True:
        entries, after = repo.index_page(key, since=None, until=None, ascending=True, after=after, limit=100)
        yield from (entry.statement_id for entry in entries)
        if after is None:
            return


def statement_erase(statement_id: str) -> bool:
    """Remove a statement whatever it is (erasing a student's data outranks a statement's
    immutability); False when it was gone already."""
    stored = repo.statement_get(statement_id)
    if stored is None:
        return False
    repo.statement_delete(stored)
    return True
