"""The only code that reads and writes study records in DynamoDB, one module per concern.

A student's sessions are a query on their user id (`sessions`), a session's reviews a
query on the session id (`reviews`), a student's word statistics a query or batch read
on their user id (`word_stats`); every read of these tables is consistent, so a student
sees what they just did. One review is one transaction (`reviews.review_put`). The
teachers' counters (`counters`) and the students' totals and streaks (`students`) move
with it; `history` deletes a student's records. Access patterns and consistency: docs/data-model.md.

Callers use this package's names; the modules are its layout.
"""

from lrs.repositories.counters import (
    COUNTER_SHARDS,
    Counter,
    day_tallies,
    group_tallies,
    most_missed_words,
)
from lrs.repositories.errors import ReviewStored, SessionClosed, StudyMoved
from lrs.repositories.history import (
    history_delete,
    review_erase,
    session_delete,
    student_delete,
    word_stat_delete,
)
from lrs.repositories.reads import Cursor
from lrs.repositories.reviews import Review, review_put, reviews_after, reviews_page
from lrs.repositories.sessions import (
    Session,
    session_create,
    session_end,
    session_get,
    sessions_from,
    sessions_page,
)
from lrs.repositories.students import (
    Streak,
    Student,
    streak_reset,
    streaks_expiring,
    student_get,
    students_get,
)
from lrs.repositories.word_stats import (
    WordStat,
    cards_due,
    word_stat_get,
    word_stats_all,
    word_stats_get,
    word_stats_page,
)

__all__ = [
    "COUNTER_SHARDS",
    "Counter",
    "Cursor",
    "Review",
    "ReviewStored",
    "Session",
    "SessionClosed",
    "Streak",
    "Student",
    "StudyMoved",
    "WordStat",
    "cards_due",
    "day_tallies",
    "group_tallies",
    "history_delete",
    "most_missed_words",
    "review_erase",
    "review_put",
    "reviews_after",
    "reviews_page",
    "session_create",
    "session_delete",
    "session_end",
    "session_get",
    "sessions_from",
    "sessions_page",
    "streak_reset",
    "streaks_expiring",
    "student_delete",
    "student_get",
    "students_get",
    "word_stat_delete",
    "word_stat_get",
    "word_stats_all",
    "word_stats_get",
    "word_stats_page",
]
