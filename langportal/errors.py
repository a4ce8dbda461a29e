"""The exceptions services raise; each knows its HTTP status and error code.

The API's exception handler, the admin, Lambda handlers and scripts all catch these,
so a rule that rejects something is written once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "The request could not be processed."
    retry_after: int | None = None  # seconds, sent as Retry-After when set

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    status, code = 400, "invalid"
    default_message = "The request contains invalid data."


class PermissionDenied(DomainError):
    status, code = 403, "permission_denied"
    default_message = "You do not have permission to do this."


class NotFound(DomainError):
    status, code = 404, "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    status, code = 409, "conflict"
    default_message = "The request conflicts with the current state."


class Unavailable(DomainError):
    """A dependency (DynamoDB, S3, Cognito) is unreachable or throttling us."""

    status, code = 503, "service_unavailable"
    default_message = "A service we depend on is unavailable. Please retry shortly."

    @property
    def retry_after(self) -> int:
        return settings.AWS_RETRY_AFTER


class Contended(Unavailable):
    """A write lost a race with another writer, or DynamoDB throttled a transaction.

    `langportal.storage.retry.retrying` tries such an operation again on fresh reads; one that
    keeps losing reaches the caller as a 503 with Retry-After, never as a 500.
    """

    default_message = "Too many changes at once. Please retry shortly."


class TooManyRequests(DomainError):
    status, code = 429, "rate_limited"
    default_message = "Too many requests. Please slow down."

    def __init__(self, message: str | None = None, *, retry_after: int, details=None):
        self.retry_after = retry_after
        super().__init__(message, details=details)


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"
    default_message = "This kind of file is not accepted."


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"
    default_message = "The request is too large."
