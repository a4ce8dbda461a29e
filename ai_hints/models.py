"""AI hint tables: the hint cache and per-user request counters."""

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from langportal.dynamo import BaseMeta, table_name


class HintCacheModel(Model):
    """A checked hint, under a hash of (word, context, provider, model, prompt version)."""

    class Meta(BaseMeta):
        table_name = table_name("hint-cache")

    key = UnicodeAttribute(hash_key=True)
    hint = UnicodeAttribute()
    provider = UnicodeAttribute()
    model = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class RateCounterModel(Model):
    """How many requests a user made in one minute (`<what>#<user>#<minute>`)."""

    class Meta(BaseMeta):
        table_name = table_name("rate-counters")

    key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()
