"""Learning record store tables; access patterns in docs/data-model.md."""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection

from langportal.storage.dynamo import BaseMeta, TableModel, table_name


class StudySessionModel(TableModel):
    """A student's study session; ids are ULIDs, so a student's sessions sort by start."""

    class Meta(BaseMeta):
        table_name = table_name("study-sessions")

    user_id = UnicodeAttribute(hash_key=True)
    session_id = UnicodeAttribute(range_key=True)
    group_id = UnicodeAttribute()
    group_name = UnicodeAttribute()
    activity = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute(null=True)
    last_review_at = UTCDateTimeAttribute(null=True)
    review_items_count = NumberAttribute(default=0)
    correct_count = NumberAttribute(default=0)


class ReviewModel(TableModel):
    """One answer in a session; ids are ULIDs, so a session's reviews sort by time."""

    class Meta(BaseMeta):
        table_name = table_name("reviews")

    session_id = UnicodeAttribute(hash_key=True)
    review_id = UnicodeAttribute(range_key=True)
    user_id = UnicodeAttribute()
    word_id = UnicodeAttribute()
    correct = BooleanAttribute()
    created_at = UTCDateTimeAttribute()


class DueCardsIndex(GlobalSecondaryIndex):
    """A student's FSRS cards by due time."""

    class Meta:
        index_name = "due-cards"
        projection = IncludeProjection(["card"])

    user_id = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)


class WordStatModel(TableModel):
    """How one student has done on one word, and their FSRS card for it."""

    class Meta(BaseMeta):
        table_name = table_name("word-stats")

    user_id = UnicodeAttribute(hash_key=True)
    word_id = UnicodeAttribute(range_key=True)
    correct_count = NumberAttribute(default=0)
    wrong_count = NumberAttribute(default=0)
    last_reviewed_at = UTCDateTimeAttribute(null=True)
    card = UnicodeAttribute(null=True)
    due = UnicodeAttribute(null=True)
    due_cards = DueCardsIndex()


class StreakExpiryIndex(GlobalSecondaryIndex):
    """Students whose current streak breaks on a given UTC day (sparse: only live streaks)."""

    class Meta:
        index_name = "streak-expiry"
        projection = KeysOnlyProjection()

    streak_expiry_day = UnicodeAttribute(hash_key=True)
    streak_expires_at = UnicodeAttribute(range_key=True)


class StudentModel(TableModel):
    """A student's totals and streak, kept up to date by every review."""

    class Meta(BaseMeta):
        table_name = table_name("students")

    user_id = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute(null=True)
    sessions_count = NumberAttribute(default=0)
    reviews_count = NumberAttribute(default=0)
    correct_count = NumberAttribute(default=0)
    words_studied = NumberAttribute(default=0)
    group_ids = UnicodeSetAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    last_study_day = UnicodeAttribute(null=True)
    current_streak = NumberAttribute(default=0)
    longest_streak = NumberAttribute(default=0)
    streak_expiry_day = UnicodeAttribute(null=True)
    streak_expires_at = UnicodeAttribute(null=True)
    streak_expiry = StreakExpiryIndex()


class MostMissedIndex(GlobalSecondaryIndex):
    """Word counters by how often they were answered wrong (sparse: word counters only).

    Its partition is the counter's shard (`word#<shard>`), so that a class answering one
    word at once does not write one index partition."""

    class Meta:
        index_name = "most-missed"
        projection = IncludeProjection(["word_id", "reviews", "correct"])

    kind = UnicodeAttribute(hash_key=True)
    wrong = NumberAttribute(range_key=True)


class StatCounterModel(TableModel):
    """Review counters for the teachers' statistics, changed by every review.

    `day#<date>#<shard>`, `group#<id>#<shard>` and `word#<id>#<shard>` are spread over
    shards so that a class answering at once does not make one item hot: each review's
    transaction holds its counters, and DynamoDB refuses a second transaction on an item
    while one runs. A tally is the sum of its shards.
    """

    class Meta(BaseMeta):
        table_name = table_name("stats")

    name = UnicodeAttribute(hash_key=True)
    reviews = NumberAttribute(default=0)
    correct = NumberAttribute(default=0)
    wrong = NumberAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    word_id = UnicodeAttribute(null=True)
    most_missed = MostMissedIndex()
