from django.http import QueryDict
from rest_framework import serializers

from langportal.idempotency import HEADER, Idempotency


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Check input with a serializer; a ValidationError becomes the 400 envelope.

    Query strings and forms are read as plain values, so `?sort_by=` is an empty (invalid)
    value, not a field left out as DRF reads an HTML form's empty input.
    """
    if isinstance(data, QueryDict):
        data = data.dict()
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def idempotency(request, operation: str, **arguments) -> Idempotency | None:
    """The request's Idempotency-Key, bound to the caller and to what it asks: `operation`
    and its arguments (400 when the key is malformed)."""
    return Idempotency.of(
        user_id=request.user.sub, key=request.headers.get(HEADER), operation=operation, arguments=arguments
    )
