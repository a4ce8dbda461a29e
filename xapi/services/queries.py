"""Reading statements: one by id, or the statements a query's filters match, a page at a
time in stored order, with a `more` token to go on.

A query reads the index items of one of its filters (the one likely to match fewest:
registration, activity, agent, authority, verb; `all` when it has none), between
`since` and `until`, and keeps the items whose statement is found by every other
filter too: each index item carries all its statement's keys. Only then are the
statements of the page read, by key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing

from langportal.errors import InvalidInput, NotFound, PermissionDenied
from xapi import repositories as repo
from xapi.repositories import IndexEntry
from xapi.services import activities, formats
from xapi.services.access import Principal
from xapi.services.agents import agent_ifi
from xapi.services.families import (
    ACTIVITY,
    AGENT,
    ALL,
    AUTHORITY,
    REGISTRATION,
    RELATED_ACTIVITY,
    RELATED_AGENT,
    VERB,
    family_key,
)
from xapi.services.statements import timestamp
from xapi.services.validation import agent_checked, iri_checked, json_parsed, timestamp_parsed, uuid_checked

MORE_SALT = "xapi.statements.more"
MORE_SECONDS = 24 * 3600  # how long a `more` link works
READ_PAGES = 10  # index pages a request reads at most before it answers with what it has
BOOLEAN = {"true": True, "false": False}

FILTERS = ("agent", "verb", "activity", "registration", "related_activities", "related_agents", "since", "until")
QUERY_PARAMETERS = (*FILTERS, "limit", "format", "attachments", "ascending")


class StatementNotFound(NotFound):
    code = "statement_not_found"
    default_message = "No such statement."


@dataclass(frozen=True)
class StatementQuery:
    """A GET's filters and options, as checked."""

    agent: dict[str, Any] | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None
    until: str | None = None
    limit: int = 0
    ascending: bool = False
    format: str = "exact"
    attachments: bool = False


@dataclass(frozen=True)
class StatementsPage:
    statements: list[dict[str, Any]]
    more: str | None  # a token for the next page
    attachments: list[str] = field(default_factory=list)  # the sha2 of the statements' attachments


def options_parsed(params: Mapping[str, str]) -> tuple[str, bool]:
    """`format` and `attachments`, which every GET of statements takes."""
    chosen = params.get("format", "exact")
    if chosen not in formats.FORMATS:
        raise InvalidInput(f"format is one of {', '.join(formats.FORMATS)}.")
    return chosen, _boolean(params, "attachments")


def query_parsed(params: Mapping[str, str], *, version: str) -> StatementQuery:
    """A query's parameters, as the standard allows them (400 for anything else)."""
    unknown = set(params) - set(QUERY_PARAMETERS)
    if unknown:
        raise InvalidInput(f"Unknown parameters: {', '.join(sorted(unknown))}.")
    chosen, attachments = options_parsed(params)
    agent = None
    if "agent" in params:
        agent = agent_checked(json_parsed(params["agent"], "agent"), version=version)
    since, until = (_time(params, name) for name in ("since", "until"))
    return StatementQuery(
        agent=agent,
        verb=iri_checked(params["verb"], "verb") if "verb" in params else None,
        activity=iri_checked(params["activity"], "activity") if "activity" in params else None,
        registration=uuid_checked(params["registration"], "registration") if "registration" in params else None,
        related_activities=_boolean(params, "related_activities"),
        related_agents=_boolean(params, "related_agents"),
        since=since,
        until=until,
        limit=_limit(params),
        ascending=_boolean(params, "ascending"),
        format=chosen,
        attachments=attachments,
    )


def _boolean(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false")
    if value not in BOOLEAN:
        raise InvalidInput(f"{name} is true or false.")
    return BOOLEAN[value]


def _limit(params: Mapping[str, str]) -> int:
    value = params.get("limit", "0")
    if not value.isdigit():
        raise InvalidInput("limit is a whole number, 0 for as many as the store gives.")
    return int(value)


def _time(params: Mapping[str, str], name: str) -> str | None:
    if name not in params:
        return None
    return timestamp(timestamp_parsed(params[name], name))


def consistent_through(now: datetime | None = None) -> str:
    """Every statement stored before this time is in every answer (the standard's
    X-Experience-API-Consistent-Through)."""
    return timestamp((now or datetime.now(UTC)) - timedelta(seconds=settings.XAPI_CONSISTENCY_SECONDS))


def statement_read(statement_id: str, *, principal: Principal, voided: bool) -> repo.StoredStatement:
    """One statement by id (`statementId`), or a voided one (`voidedStatementId`)."""
    principal.require_statements_read()
    stored = repo.statement_get(uuid_checked(statement_id, "statementId" if not voided else "voidedStatementId"))
    if stored is None or stored.voided != voided or not _may_read(principal, stored):
        raise StatementNotFound()
    return stored


def _may_read(principal: Principal, stored: repo.StoredStatement) -> bool:
    return (
        family_key(AGENT, agent_ifi(principal.own_agent)) in stored.families
        if principal.own_agent
        else (not principal.reads_only_own or family_key(AUTHORITY, agent_ifi(principal.authority)) in stored.families)
    )


def statements_read(query: StatementQuery, *, principal: Principal, after: str | None = None) -> StatementsPage:
    """A page of the statements `query` matches, and a token for the next when there is one."""
    principal.require_statements_read()
    keys = _required_keys(query, principal)
    primary, required = (keys[0] if keys else family_key(ALL)), frozenset(keys)
    limit = min(query.limit or settings.XAPI_STATEMENTS_LIMIT, settings.XAPI_STATEMENTS_LIMIT)
    if query.since and query.until and query.since >= query.until:
        return StatementsPage([], None)
    matched: list[IndexEntry] = []
    cursor = after
    for _ in range(READ_PAGES):
        entries, cursor = repo.index_page(
            primary, since=query.since, until=query.until, ascending=query.ascending, after=cursor, limit=limit + 1
        )
        matched += [entry for entry in entries if required <= entry.families]
        if len(matched) > limit or cursor is None:
            break
    page, rest = matched[:limit], matched[limit:]
    # Past a full page, go on after its last statement; a read cut short goes on where it stopped.
    more = page[-1].sort if rest else cursor
    stored = repo.statements_get(entry.statement_id for entry in page)
    statements = [
        found
        for entry in page
        if (found := stored.get(entry.statement_id.lower())) and not found.voided and found.digest == entry.digest
    ]
    return StatementsPage(
        [json.loads(statement.body) for statement in statements],
        _more_token(query, principal, more) if more else None,
        [sha2 for statement in statements for sha2 in sorted(statement.attachments)],
    )


def _required_keys(query: StatementQuery, principal: Principal) -> list[str]:
    """The keys every matched statement has, the likely fewest matches first."""
    agent = query.agent
    if principal.own_agent is not None:
        if agent is not None and (agent_ifi(agent) != agent_ifi(principal.own_agent) or query.related_agents):
            raise PermissionDenied("You may only read your own statements.")
        agent = principal.own_agent
    keys = []
    if query.registration:
        keys.append(family_key(REGISTRATION, query.registration.lower()))
    if query.activity:
        keys.append(family_key(RELATED_ACTIVITY if query.related_activities else ACTIVITY, query.activity))
    if agent is not None:
        keys.append(family_key(RELATED_AGENT if query.related_agents else AGENT, agent_ifi(agent)))
    if principal.reads_only_own:
        keys.append(family_key(AUTHORITY, agent_ifi(principal.authority)))
    if query.verb:
        keys.append(family_key(VERB, query.verb))
    return keys


def _more_token(query: StatementQuery, principal: Principal, after: str) -> str:
    return signing.dumps(
        {"query": asdict(query), "principal": agent_ifi(principal.authority), "after": after},
        salt=MORE_SALT,
        compress=True,
    )


def more_read(token: str, *, principal: Principal) -> tuple[StatementQuery, StatementsPage]:
    """The page a `more` token names (400 when it is not one of ours, or has expired)."""
    try:
        given = signing.loads(token, salt=MORE_SALT, max_age=MORE_SECONDS)
    except signing.BadSignature:
        raise InvalidInput("This more link is not valid, or has expired.") from None
    if given["principal"] != agent_ifi(principal.authority):
        raise PermissionDenied("This more link was given to another client.")
    query = StatementQuery(**given["query"])
    return query, statements_read(query, principal=principal, after=given["after"])


def canonical_activities() -> formats.Activities:
    """Canonical activities by id, each read once per answer."""
    known: dict[str, dict[str, Any]] = {}

    def activity(activity_id: str) -> dict[str, Any]:
        if activity_id not in known:
            known[activity_id] = activities.activity_get(activity_id)
        return known[activity_id]

    return activity
