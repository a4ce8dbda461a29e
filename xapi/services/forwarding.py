"""Forwarding the store's statements to another LRS (a school's own): the rules, made and
managed by administrators, and which statements each one forwards. The forwarder
(xapi.services.forwarder) delivers them.

A rule names the target's xAPI endpoint, the Basic credential the target gave us, the
xAPI version to speak, and a filter: verb IRIs, a prefix of the object activity's id,
and only the statements langportal made itself; a statement is forwarded when it passes
every part the rule sets. A voiding statement is judged by the statement it voids, so
that a target that received a statement also learns that it was voided.

The target's secret is kept as given (it is sent with every batch) and never shown back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ulid import ULID

from langportal.errors import Conflict, InvalidInput, NotFound
from langportal.ids import is_ulid
from langportal.storage.retry import retrying
from xapi.repositories import forwarding as repo
from xapi.repositories.forwarding import ForwardingRule
from xapi.services.access import langportal_authority
from xapi.services.agents import agent_ifi
from xapi.services.statements import VOIDED
from xapi.services.validation import iri_checked

NAME_MAX_LENGTH = 100
ENDPOINT_MAX_LENGTH = 500
TARGET_CREDENTIAL_MAX_LENGTH = 500
VERBS_MAX = 50
VERSIONS = ("2.0.0", "1.0.3")
# Plain HTTP only to this machine (a local stack): elsewhere statements and the target's
# secret would cross the network in the clear.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ForwardingNotFound(NotFound):
    code = "forwarding_not_found"
    default_message = "No such forwarding rule."


def forwarding_create(
    *,
    name: str,
    endpoint: str,
    target_key: str,
    target_secret: str,
    version: str,
    verbs: list[str] | None = None,
    activity_prefix: str | None = None,
    langportal_only: bool = False,
    enabled: bool = True,
    created_by: str,
) -> ForwardingRule:
    """A new rule, from the beginning of the store (InvalidInput for what it cannot be)."""
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX_LENGTH:
        raise InvalidInput(f"A rule's name has 1 to {NAME_MAX_LENGTH} characters.")
    if version not in VERSIONS:
        raise InvalidInput(f"The xAPI version is one of {', '.join(VERSIONS)}.")
    rule = ForwardingRule(
        rule_id=str(ULID()),
        name=name,
        endpoint=endpoint_checked(endpoint),
        target_key=_target_credential(target_key, "key"),
        target_secret=_target_credential(target_secret, "secret"),
        version=version,
        verbs=frozenset(verbs_checked(verbs or [])),
        activity_prefix=_iri(activity_prefix.strip(), "activity id prefix") if activity_prefix else None,
        langportal_only=langportal_only,
        enabled=enabled,
        created=datetime.now(UTC).isoformat(),
        created_by=created_by,
    )
    retrying(lambda: _stored(rule))
    return rule


def _stored(rule: ForwardingRule) -> None:
    try:
        repo.forwarding_create(rule)
    except Conflict:
        # The id is new, so only this write can have taken it: its answer was lost.
        if repo.forwarding_get(rule.rule_id) != rule:
            raise


def endpoint_checked(endpoint: str) -> str:
    """The target's xAPI base URL, without a trailing slash: https, or http to this
    machine; no credentials, query or fragment in it."""
    endpoint = endpoint.strip().rstrip("/")
    if not 0 < len(endpoint) <= ENDPOINT_MAX_LENGTH:
        raise InvalidInput(f"The endpoint is a URL of at most {ENDPOINT_MAX_LENGTH} characters.")
    parts = urlsplit(endpoint)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise InvalidInput("The endpoint is not a URL.") from None
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput("The endpoint is an https:// URL, such as https://lrs.school.example/xapi.")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise InvalidInput("The endpoint must use https:// (plain http only to this machine).")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidInput("The endpoint has no user, password, query or fragment: give the key and secret apart.")
    return endpoint


def _target_credential(value: str, what: str) -> str:
    if not 0 < len(value) <= TARGET_CREDENTIAL_MAX_LENGTH or value != value.strip():
        raise InvalidInput(f"The target's {what} has 1 to {TARGET_CREDENTIAL_MAX_LENGTH} characters, no spaces around.")
    if what == "key" and ":" in value:
        raise InvalidInput("The target's key has no colon (Basic authentication cannot send one).")
    return value


def verbs_checked(verbs: list[str]) -> list[str]:
    """Verb IRIs, each once, in the order given."""
    verbs = list(dict.fromkeys(verb.strip() for verb in verbs if verb.strip()))
    if len(verbs) > VERBS_MAX:
        raise InvalidInput(f"A rule names at most {VERBS_MAX} verbs.")
    return [_iri(verb, "verb") for verb in verbs]


def _iri(value: str, what: str) -> str:
    try:
        return iri_checked(value, what)
    except InvalidInput:
        raise InvalidInput(f"The {what} {value!r} is not an IRI (such as https://school.example/...).") from None


def forwardings_list() -> list[ForwardingRule]:
    return repo.forwardings_all()


def forwarding_get(rule_id: str) -> ForwardingRule:
    rule = repo.forwarding_get(rule_id) if is_ulid(rule_id) else None
    if rule is None:
        raise ForwardingNotFound()
    return rule


def forwarding_pause(rule_id: str) -> ForwardingRule:
    """Stop forwarding; the rule as it was."""
    return _enable(rule_id, enabled=False)


def forwarding_resume(rule_id: str) -> ForwardingRule:
    """Forward again, at once, from where the rule stopped; its last error is forgotten.
    The rule as it was."""
    return _enable(rule_id, enabled=True)


def _enable(rule_id: str, *, enabled: bool) -> ForwardingRule:
    rule = forwarding_get(rule_id)
    try:
        retrying(lambda: repo.forwarding_enable(rule_id, enabled=enabled))
    except Conflict:
        raise ForwardingNotFound() from None  # deleted meanwhile
    return rule


def forwarding_delete(rule_id: str) -> ForwardingRule:
    """Delete the rule; the rule as it was."""
    rule = forwarding_get(rule_id)
    retrying(lambda: repo.forwarding_delete(rule_id))
    return rule


def rule_matches(rule: ForwardingRule, statement: dict[str, Any]) -> bool:
    """Whether the rule's filter keeps `statement` (a voiding statement aside: see
    xapi.services.forwarder, which judges it by the statement it voids)."""
    if rule.verbs and statement["verb"]["id"] not in rule.verbs:
        return False
    if rule.activity_prefix:
        target = statement["object"]
        if target.get("objectType", "Activity") != "Activity" or not target["id"].startswith(rule.activity_prefix):
            return False
    return not rule.langportal_only or agent_ifi(statement.get("authority", {})) == agent_ifi(langportal_authority())


def voided_id(statement: dict[str, Any]) -> str | None:
    """The id of the statement a voiding statement voids; None for any other statement."""
    target = statement["object"]
    if statement["verb"]["id"] == VOIDED and target.get("objectType") == "StatementRef":
        return target["id"]
    return None


def forwarding_state(rule: ForwardingRule) -> str:
    """What a rule is doing, in a word: forwarding, retrying (after a failure), paused (by
    an administrator), or stopped (the target refused, until it is resumed)."""
    if not rule.enabled:
        return "stopped" if rule.last_error else "paused"
    return "retrying" if rule.retry_at else "forwarding"


def cursor_time(rule: ForwardingRule) -> str | None:
    """When the last statement the rule has got past was stored; None before its first."""
    return rule.cursor.split("#", 1)[0] if rule.cursor else None
