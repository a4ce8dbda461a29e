"""Vocabulary tables. Listings go through ordered indexes (langportal.storage.orderindex),
so no request reads these tables except by key."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class ByJapaneseIndex(GlobalSecondaryIndex):
    """Words by how they are written: grounding hints, spotting duplicates."""

    class Meta:
        index_name = "by-japanese"
        projection = AllProjection()

    japanese = UnicodeAttribute(hash_key=True)


class WordModel(TableModel):
    class Meta(BaseMeta):
        table_name = table_name("words")

    id = UnicodeAttribute(hash_key=True)
    japanese = UnicodeAttribute()
    kana = UnicodeAttribute()
    romaji = UnicodeAttribute()
    english = UnicodeAttribute()
    part_of_speech = UnicodeAttribute(null=True)
    group_ids = UnicodeSetAttribute(null=True)
    audio_key = UnicodeAttribute(null=True)
    audio_format = UnicodeAttribute(null=True)
    audio_duration = NumberAttribute(null=True)
    image_key = UnicodeAttribute(null=True)
    image_width = NumberAttribute(null=True)
    image_height = NumberAttribute(null=True)
    thumbnail_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    revision = NumberAttribute(default=1)
    by_japanese = ByJapaneseIndex()


class GroupModel(TableModel):
    class Meta(BaseMeta):
        table_name = table_name("groups")

    id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    word_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    revision = NumberAttribute(default=1)


class AuditEventModel(TableModel):
    """One change a person made to a word or a group: who, what, when, before and after."""

    class Meta(BaseMeta):
        table_name = table_name("audit")

    subject = UnicodeAttribute(hash_key=True)  # "word:<id>" or "group:<id>"
    event_id = UnicodeAttribute(range_key=True)  # a ULID: events sort by time
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    before = UnicodeAttribute(null=True)  # JSON
    after = UnicodeAttribute(null=True)  # JSON
