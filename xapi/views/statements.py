"""/xapi/statements: store statements (PUT one by id, POST one or many) and read them
(one by id, or a page of a query, with a `more` link to the next)."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse

from langportal.errors import InvalidInput
from xapi.services import attachments, formats, queries, statements
from xapi.services.attachments import Attachment
from xapi.services.validation import json_parsed, uuid_checked
from xapi.views.common import XapiRequest, XapiView, json_response
from xapi.views.multipart import multipart_read

CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


class StatementsView(XapiView):
    def xapi_put(self, request: XapiRequest) -> HttpResponse:
        if set(request.params) != {"statementId"}:
            raise InvalidInput("A PUT of a statement takes one parameter, statementId.")
        data, parts = _statements_body(request)
        statements.statements_store(
            data,
            principal=request.principal,
            version=request.version,
            parts=parts,
            statement_id=uuid_checked(request.params["statementId"], "statementId"),
        )
        return HttpResponse(status=204)

    def xapi_post(self, request: XapiRequest) -> HttpResponse:
        if request.params:
            raise InvalidInput("A POST of statements takes no parameters.")
        data, parts = _statements_body(request)
        ids = statements.statements_store(data, principal=request.principal, version=request.version, parts=parts)
        return json_response(ids)

    def xapi_get(self, request: XapiRequest) -> HttpResponse:
        return _statements_get(request)

    def answered(self, method: str, response: HttpResponse) -> None:
        if method in ("GET", "HEAD"):
            response[CONSISTENT_THROUGH] = queries.consistent_through()


def _statements_body(request: XapiRequest) -> tuple[object, dict[str, Attachment]]:
    """The statements a PUT or POST sends, and the attachments of a multipart one."""
    if request.content_type == "application/json":
        return request.json_body(), {}
    if request.content_type == "multipart/mixed":
        document, parts = multipart_read(request.header("Content-Type"), request.body)
        return json_parsed(document, "The statements part"), parts
    raise InvalidInput("Statements are sent as application/json, or multipart/mixed with attachments.")


def _statements_get(request: XapiRequest) -> HttpResponse:
    params, principal = request.params, request.principal
    languages = formats.accepted_languages(request.header("Accept-Language") or "")
    single = next((name for name in ("statementId", "voidedStatementId") if name in params), None)
    if single is not None:
        if set(params) - {single, "format", "attachments"}:
            raise InvalidInput(f"{single} takes no other parameters than format and attachments.")
        chosen, with_attachments = queries.options_parsed(params)
        stored = queries.statement_read(params[single], principal=principal, voided=single == "voidedStatementId")
        statement = _formatted(json.loads(stored.body), chosen, languages)
        return _answer(statement, sorted(stored.attachments) if with_attachments else None, last_modified=stored.stored)
    if "more" in params:
        if set(params) != {"more"}:
            raise InvalidInput("A more link takes no other parameters.")
        query, page = queries.more_read(params["more"], principal=principal)
    else:
        query = queries.query_parsed(params, version=request.version)
        page = queries.statements_read(query, principal=principal)
    result = {
        "statements": [_formatted(statement, query.format, languages) for statement in page.statements],
        "more": f"{reverse('xapi:statements')}?{urlencode({'more': page.more})}" if page.more else "",
    }
    last = max((statement["stored"] for statement in page.statements), default=None)
    return _answer(result, page.attachments if query.attachments else None, last_modified=last)


def _formatted(statement: dict, chosen: str, languages: list[str]) -> dict:
    return formats.formatted(statement, format=chosen, languages=languages, activities=queries.canonical_activities())


def _answer(document: dict, sha2s: list[str] | None, *, last_modified: str | None) -> HttpResponse:
    """JSON, or multipart/mixed with the attachments when they were asked for."""
    if sha2s is None:
        response = json_response(document)
    else:
        content_type, body = attachments.multipart_write(
            json.dumps(document, ensure_ascii=False).encode(), attachments.attachments_read(sha2s)
        )
        response = HttpResponse(body, content_type=content_type)
    if last_modified:
        response["Last-Modified"] = format_datetime(datetime.fromisoformat(last_modified), usegmt=True)
    return response
