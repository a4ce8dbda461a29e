from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that takes only JSON strings (DRF would turn 5 into "5")."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
