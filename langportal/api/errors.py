"""One error envelope for everything under /api/: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from langportal.errors import DomainError

logger = logging.getLogger(__name__)


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _drf_message_and_details(exc: exceptions.APIException) -> tuple[str, dict[str, Any]]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return "The request contains invalid data.", plain_errors(detail)
    return str(exc.detail), {}


def plain_errors(detail: Any) -> Any:
    """DRF's ErrorDetail strings and nested lists as plain JSON values."""
    if isinstance(detail, dict):
        return {str(key): plain_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [plain_errors(value) for value in detail]
    return str(detail)


def _drf_code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return exc.default_code


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: domain errors, DRF errors and anything unexpected."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return Response(envelope(exc.code, exc.message, exc.details), status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        message, details = _drf_message_and_details(exc)
        response.data = envelope(_drf_code(exc), message, details)
        return response
    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
    return Response(
        envelope("internal_error", "Something went wrong on our side."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _api_or_html(status: int, code: str, message: str, html_view):
    """A Django error handler: the envelope under /api/, Django's own page elsewhere."""

    def handler(request, exception=None):
        if request.path.startswith("/api/"):
            return JsonResponse(envelope(code, message), status=status)
        return html_view(request) if exception is None else html_view(request, exception)

    return handler


# Errors raised outside DRF's views: a bad Host header, unknown paths, crashes in middleware.
json_bad_request = _api_or_html(400, "bad_request", "The request could not be understood.", defaults.bad_request)
json_forbidden = _api_or_html(
    403, "permission_denied", "You do not have permission to do this.", defaults.permission_denied
)
json_not_found = _api_or_html(404, "not_found", "No such endpoint.", defaults.page_not_found)
json_server_error = _api_or_html(500, "internal_error", "Something went wrong on our side.", defaults.server_error)
