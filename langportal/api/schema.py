"""What the OpenAPI document says about errors: one envelope, documented per status."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from langportal.idempotency import HEADER

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Send the same key (1 to 255 visible ASCII characters) to retry safely: the change is made once and a "
        "repeat gets the first answer again, for 24 hours. The same key for a different request is a 409."
    ),
)

MEANINGS = {
    400: "The input is not valid (details name the fields).",
    401: "No token, or a token that is invalid or expired.",
    403: "The token's user may not do this.",
    404: "There is no such thing (or page), or the id is not one we give out.",
    409: "It conflicts with the current state (ended, or an Idempotency-Key used for another request).",
    413: "The file is too large.",
    415: "The file (or body) is not of an accepted type.",
    429: "Too many requests: wait the Retry-After seconds.",
    503: "A service we depend on is down or busy: retry after Retry-After seconds.",
}


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable reason, e.g. page_out_of_range.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    details = serializers.DictField(help_text="More about it, e.g. the invalid fields and their problems.")


class ErrorEnvelope(serializers.Serializer):
    error = ErrorBody()


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Responses for these statuses, all in the error envelope."""
    return {
        status: OpenApiResponse(
            ErrorEnvelope,
            description=MEANINGS[status],
            examples=[OpenApiExample(f"{status}", value={"error": {"code": "…", "message": "…", "details": {}}})],
        )
        for status in statuses
    }


def responses(ok: dict, *statuses: int) -> dict:
    """A success response plus the errors, plus 401 and 503 which every operation can give."""
    return {**ok, **errors(*sorted({401, 503, *statuses}))}
