from django.http import QueryDict
from rest_framework import serializers


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
