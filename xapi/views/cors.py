"""Cross-origin requests: xAPI content often runs in a browser (an H5P exercise, an
authoring tool's package in an LMS's page) and calls the store from another origin.
Origins in XAPI_CORS_ALLOWED_ORIGINS (`*` for any) may; a preflight (OPTIONS) is answered
before authentication, as browsers send it without credentials."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

ALLOWED_HEADERS = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
EXPOSED_HEADERS = "ETag, Last-Modified, X-Experience-API-Consistent-Through, X-Experience-API-Version"
METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
PREFLIGHT_SECONDS = 3600


def allowed_origin(request: HttpRequest) -> str | None:
    """The request's Origin when it may call the store from a browser, else None."""
    origin = request.headers.get("Origin")
    allowed = settings.XAPI_CORS_ALLOWED_ORIGINS
    if origin and ("*" in allowed or origin in allowed):
        return origin
    return None


def preflight(request: HttpRequest) -> HttpResponse:
    """The answer to a browser's OPTIONS: what it may send, or nothing for an origin not
    allowed (the browser then refuses the request)."""
    response = HttpResponse(status=204)
    response["Allow"] = METHODS
    if allowed_origin(request):
        response["Access-Control-Allow-Methods"] = METHODS
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
    return response


def cors_headers(request: HttpRequest, response: HttpResponse) -> None:
    """Let the browser read the answer, when its origin is allowed."""
    origin = allowed_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response["Vary"] = "Origin"
