from datetime import UTC, datetime

from rest_framework import serializers

from langportal.ids import ID_PATTERN


class StrictCharField(serializers.CharField):
    """A CharField that takes only JSON strings (DRF would turn 5 into "5")."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(serializers.RegexField):
    """An id as the server gives them out: a positive whole number, as a string."""

    default_error_messages = {"invalid": "Must be an id: a positive whole number, as a string."}

    def __init__(self, **kwargs):
        super().__init__(ID_PATTERN, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def iso_time(moment: datetime | None) -> str | None:
    """A time as DRF's DateTimeField writes it: ISO 8601 in UTC, `Z` for +00:00."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
