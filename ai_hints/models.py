"""AI hint tables: the hint cache (request counters are langportal.ratelimit's)."""

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class HintCacheModel(TableModel):
    """A checked hint, under a hash of (word, context, provider, model, prompt version)."""

    class Meta(BaseMeta):
        table_name = table_name("hint-cache")

    key = UnicodeAttribute(hash_key=True)
    hint = UnicodeAttribute()
    provider = UnicodeAttribute()
    model = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
