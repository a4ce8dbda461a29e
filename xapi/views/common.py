"""What every xAPI resource shares: the request as xAPI reads it (with 1.0.3's alternate
request syntax unfolded), the X-Experience-API-Version header, authentication, the
answer's headers, errors in our envelope, and HEAD as GET without a body."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import CognitoAuthentication
from langportal.api.errors import envelope
from langportal.errors import DomainError, InvalidInput, PayloadTooLarge
from xapi.services.access import Principal, cognito_principal
from xapi.services.credentials import basic_principal
from xapi.services.validation import json_parsed
from xapi.views.cors import cors_headers, preflight

logger = logging.getLogger(__name__)

VERSION_HEADER = "X-Experience-API-Version"
# The form fields of the alternate request syntax that stand for headers.
_FORM_HEADERS = ("Authorization", VERSION_HEADER, "Content-Type", "Content-Length", "If-Match", "If-None-Match")


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"
    default_message = "Sign in with a Basic credential of this store or a langportal token."


@dataclass
class XapiRequest:
    """A request as the resources read it."""

    method: str
    params: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes
    version: str  # "2.0.0" or "1.0.3": which standard the request follows
    principal: Principal | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> Any:
        return json_parsed(self.body, "The body")


def version_of(value: str | None) -> str:
    """The standard a request follows, from its X-Experience-API-Version (400 without one
    we serve)."""
    if value is None:
        raise InvalidInput(f"Send the {VERSION_HEADER} header.")
    parts = value.strip().split(".")
    if parts[:2] == ["2", "0"] and len(parts) <= 3 and all(part.isdigit() for part in parts):
        return "2.0.0"
    if parts[:2] == ["1", "0"] and len(parts) <= 3 and all(part.isdigit() for part in parts) and int(parts[-1]) <= 3:
        return "1.0.3"
    raise InvalidInput(f"{VERSION_HEADER} {value!r} is not a version this store serves (1.0.x, 2.0.x).")


def _body(request: HttpRequest) -> bytes:
    """The body, read past Django's form limits, up to XAPI_MAX_BYTES (413 past it)."""
    body = request.read(settings.XAPI_MAX_BYTES + 1)
    if len(body) > settings.XAPI_MAX_BYTES:
        raise PayloadTooLarge(f"A request to this store has at most {settings.XAPI_MAX_BYTES} bytes.")
    return body


def xapi_request(request: HttpRequest, *, version_required: bool = True) -> XapiRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    params = _single_valued(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    body = _body(request)
    method = request.method
    if "method" in params:
        method, params, headers, body = _alternate(request, params, headers, body)
    given = headers.get(VERSION_HEADER.lower())
    version = version_of(given) if version_required or given is not None else "2.0.0"
    return XapiRequest(method, params, headers, body, version)


def _single_valued(pairs: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise InvalidInput(f"The parameter {name} is given twice.")
        params[name] = value
    return params


def _alternate(request, params, headers, body) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """xAPI 1.0.3's alternate request syntax: a POST whose only parameter is `method`,
    and whose form holds the headers, the parameters and the `content`. xAPI 2.0 dropped
    it; a 2.0 request that uses it is refused."""
    if request.method != "POST" or set(params) != {"method"}:
        raise InvalidInput("The alternate request syntax is a POST whose only parameter is method.")
    if not headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        raise InvalidInput("The alternate request syntax sends a form (application/x-www-form-urlencoded).")
    method = params["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        raise InvalidInput(f"The method {params['method']!r} is not one of this store's.")
    try:
        form = _single_valued(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body)))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The alternate request syntax sends a form (application/x-www-form-urlencoded).") from None
    headers = dict(headers)
    headers.pop("content-type", None)
    for name in _FORM_HEADERS:
        if name in form:
            headers[name.lower()] = form.pop(name)
    if headers.get(VERSION_HEADER.lower(), "").startswith("2."):
        raise InvalidInput("xAPI 2.0 has no alternate request syntax.")
    content = form.pop("content", "").encode()
    if method in ("PUT", "POST") and not content:
        raise InvalidInput("The alternate request syntax sends its body as the form's content.")
    if content and "content-type" not in headers:
        headers["content-type"] = "application/json"
    return method, form, headers, content


def principal_of(request: HttpRequest, xapi: XapiRequest) -> Principal:
    """The caller, from a Basic credential or a langportal (Cognito) token (401 without)."""
    authorization = xapi.header("Authorization") or ""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        principal = basic_principal(value.strip())
        if principal is None:
            raise Unauthorized("The credential is not valid.")
        return principal
    if scheme.lower() == "bearer":
        request.META["HTTP_AUTHORIZATION"] = authorization
        try:
            found = CognitoAuthentication().authenticate(request)
        except AuthenticationFailed as error:
            raise Unauthorized(str(error.detail)) from None
        if found is not None:
            user = found[0]
            return cognito_principal(sub=user.sub, username=user.username, is_teacher=user.is_teacher)
    raise Unauthorized()


Handler = Callable[[XapiRequest], HttpResponse]


@method_decorator(csrf_exempt, name="dispatch")
class XapiView(View):
    """A resource: its handlers are `get`, `put`, `post` and `delete` methods taking an
    XapiRequest; HEAD answers as GET without the body."""

    version_required = True  # the about resource answers without the header
    authenticated = True

    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = preflight(request) if request.method == "OPTIONS" else self._answer(request)
        cors_headers(request, response)
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        version, method = "2.0.0", request.method
        try:
            xapi = xapi_request(request, version_required=self.version_required)
            version, method = xapi.version, xapi.method
            if self.authenticated:
                xapi.principal = principal_of(request, xapi)
            response = self._handler(xapi.method)(xapi)
        except DomainError as error:
            response = error_response(error)
        except Exception:
            logger.exception("Unhandled error in %s", type(self).__name__)
            response = error_response(InternalError())
        response[VERSION_HEADER] = version
        self.answered(method, response)
        if method == "HEAD":
            response.content = b""  # a HEAD is answered as its GET, headers and all, without the body
        return response

    def answered(self, method: str, response: HttpResponse) -> None:
        """Add what a resource adds to each answer, errors included."""

    def _handler(self, method: str) -> Handler:
        name = "get" if method == "HEAD" else method.lower()
        handler = getattr(self, f"xapi_{name}", None)
        if handler is None:
            raise MethodNotAllowed(f"{method} is not allowed here.")
        return handler


class InternalError(DomainError):
    status, code = 500, "internal_error"
    default_message = "Something went wrong on our side."


class MethodNotAllowed(DomainError):
    status, code = 405, "method_not_allowed"


def error_response(error: DomainError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(envelope(error.code, error.message, error.details)),
        status=error.status,
        content_type="application/json",
    )
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        response["WWW-Authenticate"] = 'Basic realm="xapi"'
    return response


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
