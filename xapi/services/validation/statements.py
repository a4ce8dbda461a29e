"""Statements and SubStatements as an LRS receives them, alone or in a batch."""

from __future__ import annotations

import copy
from typing import Any

from .activities import check_activity
from .actors import check_agent_or_group, check_authority
from .attachments import check_attachments
from .context import check_context
from .errors import invalid
from .fields import child, iri, item, language_map, properties, string, timestamp, uuid
from .objects import check_statement_ref, object_type
from .results import check_result
from .versions import XAPI_2_0, statement_version_allowed, supported

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_REQUIRED = ("actor", "verb", "object")
_SHARED = (*_REQUIRED, "result", "context", "timestamp", "attachments")
_STATEMENT = (*_SHARED, "id", "stored", "authority", "version")
# Set by the LRS for the statement that carries it, so a SubStatement has none of them.
_NOT_IN_SUBSTATEMENT = ("id", "stored", "authority", "version")


def statement_checked(data: object, *, version: str) -> dict[str, Any]:
    """The statement a client sent with X-Experience-API-Version `version` ("2.0.0" or
    "1.0.3"), as the LRS must store it.

    Raises StatementInvalid, naming the property, for anything the standard forbids. What
    changes: a 2.0 timestamp is written in UTC, and a single context activity becomes an
    array of one. The rest is kept as sent; id, stored, authority and version are the
    store's to set.
    """
    statement = copy.deepcopy(data)
    _check_statement(statement, "", version=supported(version))
    return statement


def statements_checked(data: object, *, version: str) -> list[dict[str, Any]]:
    """The statements of a POST body, one statement or an array of them (which may be
    empty), each as statement_checked leaves it; no two may share an id."""
    if isinstance(data, dict):
        return [statement_checked(data, version=version)]
    if not isinstance(data, list):
        invalid("", "must be a statement or an array of statements (JSON)")
    supported(version)
    statements = copy.deepcopy(data)
    index_of_id: dict[str, int] = {}
    for index, statement in enumerate(statements):
        path = item("", index)
        _check_statement(statement, path, version=version)
        if "id" in statement:
            statement_id = statement["id"].lower()  # one UUID, whichever case its hex digits
            if statement_id in index_of_id:
                invalid(child(path, "id"), f"is also the id of statement [{index_of_id[statement_id]}] in this batch")
            index_of_id[statement_id] = index
    return statements


def _check_statement(value: Any, path: str, *, version: str) -> None:
    statement = properties(value, path, of="a Statement", required=_REQUIRED, optional=_STATEMENT)
    if "id" in statement:
        uuid(statement["id"], child(path, "id"))
    _check_shared(statement, path, version=version, in_substatement=False)
    if "stored" in statement:
        timestamp(statement["stored"], child(path, "stored"), version=version)  # the store overwrites it
    if "authority" in statement:
        check_authority(statement["authority"], child(path, "authority"))
    if "version" in statement:
        version_path = child(path, "version")
        if not statement_version_allowed(string(statement["version"], version_path), version=version):
            allowed = "1.0.x or 2.0.x" if version == XAPI_2_0 else "1.0.x"
            invalid(version_path, f"must be {allowed} in an xAPI {version} request")


def _check_substatement(value: dict[str, Any], path: str, *, version: str) -> None:
    """A SubStatement: a statement about a statement, minus what the LRS sets."""
    for key in _NOT_IN_SUBSTATEMENT:
        if key in value:
            invalid(child(path, key), "is not allowed in a SubStatement")
    substatement = properties(value, path, of="a SubStatement", required=_REQUIRED, optional=("objectType", *_SHARED))
    _check_shared(substatement, path, version=version, in_substatement=True)


def _check_shared(statement: dict[str, Any], path: str, *, version: str, in_substatement: bool) -> None:
    """What a Statement and a SubStatement have in common."""
    check_agent_or_group(statement["actor"], child(path, "actor"))
    verb_id = _checked_verb_id(statement["verb"], child(path, "verb"))
    object_path = child(path, "object")
    kind = _checked_object_type(statement["object"], object_path, version=version, in_substatement=in_substatement)
    if verb_id == VOIDED and kind != "StatementRef":
        invalid(object_path, "must be a StatementRef to the voided statement, since the verb is voided")
    if "result" in statement:
        check_result(statement["result"], child(path, "result"))
    if "context" in statement:
        check_context(
            statement["context"], child(path, "context"), version=version, object_is_activity=kind == "Activity"
        )
    if "timestamp" in statement:
        statement["timestamp"] = timestamp(statement["timestamp"], child(path, "timestamp"), version=version)
    if "attachments" in statement:
        check_attachments(statement["attachments"], child(path, "attachments"))


def _checked_verb_id(value: Any, path: str) -> str:
    verb = properties(value, path, of="a Verb", required=("id",), optional=("display",))
    if "display" in verb:
        language_map(verb["display"], child(path, "display"))
    return iri(verb["id"], child(path, "id"))


def _checked_object_type(value: Any, path: str, *, version: str, in_substatement: bool) -> str:
    kind = object_type(value, path)
    if kind == "Activity":
        check_activity(value, path)
    elif kind in ("Agent", "Group"):
        check_agent_or_group(value, path, object_type_required=True)
    elif kind == "StatementRef":
        check_statement_ref(value, path)
    elif in_substatement:
        invalid(child(path, "objectType"), "a SubStatement cannot have a SubStatement as its object")
    else:
        _check_substatement(value, path, version=version)
    return kind
