"""Tables shared by every app: ordered indexes, id sequences, Idempotency-Keys and rate counters."""

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from langportal.dynamo import BaseMeta, table_name


class OrderNodeModel(Model):
    """One node of an ordered index (see langportal/orderindex.py and docs/data-model.md).

    A leaf (level 0) holds sorted entries; a branch or a root above it lists its
    children in order, each as id, count and first entry. Both are packed in one string
    with control characters as separators, which keeps items small and cheap to read.
    The root (node "root") carries the index's version.
    """

    class Meta(BaseMeta):
        table_name = table_name("order-index")

    index = UnicodeAttribute(hash_key=True)
    node = UnicodeAttribute(range_key=True)
    version = NumberAttribute(null=True)  # the root's
    level = NumberAttribute(null=True)  # absent on roots written before levels: 1
    pointers = UnicodeAttribute(null=True)
    entries = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)  # seconds since the epoch, on nodes other than the root


class SequenceModel(Model):
    """A named counter that hands out ids ("1", "2", ...) with atomic ADD."""

    class Meta(BaseMeta):
        table_name = table_name("sequences")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


class IdempotencyKeyModel(Model):
    """A client's Idempotency-Key (`<user id>#<key>`): what it asked and the answer it got,
    kept for a day (see langportal/idempotency.py)."""

    class Meta(BaseMeta):
        table_name = table_name("idempotency-keys")

    key = UnicodeAttribute(hash_key=True)
    request = UnicodeAttribute(null=True)  # a fingerprint of the operation and its arguments
    result = UnicodeAttribute(null=True)  # the answer, JSON
    expires_at = TTLAttribute()


class RateCounterModel(Model):
    """How many requests one caller made in one window (see langportal/ratelimit.py)."""

    class Meta(BaseMeta):
        table_name = table_name("rate-counters")

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()
