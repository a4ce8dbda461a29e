"""Tables of the rules every app shares: Idempotency-Keys and rate counters (the storage
layer's own tables are in langportal/storage/models.py)."""

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class IdempotencyKeyModel(TableModel):
    """A client's Idempotency-Key (`<user id>#<key>`): what it asked and the answer it got,
    kept for a day (see langportal/idempotency.py)."""

    class Meta(BaseMeta):
        table_name = table_name("idempotency-keys")

    key = UnicodeAttribute(hash_key=True)
    request = UnicodeAttribute(null=True)  # a fingerprint of the operation and its arguments
    result = UnicodeAttribute(null=True)  # the answer, JSON
    expires_at = TTLAttribute()


class RateCounterModel(TableModel):
    """How many requests one caller made in one window (see langportal/ratelimit.py)."""

    class Meta(BaseMeta):
        table_name = table_name("rate-counters")

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()
