"""Learning record store rules: the study flow, progress, streaks and the teachers'
statistics. The API, the admin, Lambda handlers, management commands and other apps'
services call these names; the modules are the package's layout:

- `study`: sessions and reviews, and resetting a student's history;
- `erasure`: erasing all of one student's data, planned item by item;
- `streaks`: the streak rule and the daily job that resets broken streaks;
- `progress`: a student's totals, word statistics and cards due, and `success_rate`,
  the one rule for a success rate;
- `words`: words joined with a student's own counts;
- `statistics`: the teachers' dashboard and a student's report;
- `history`: a student's or a group's review history, a page at a time, for exports;
- `access`: who may read whose records; `errors`: what callers may be told.
"""

from lrs.services.access import Caller, Listing, check_may_read
from lrs.services.erasure import (
    KINDS,
    ErasureItem,
    ErasureSubject,
    check_may_erase,
    erasure_counts,
    erasure_item_erase,
    erasure_plan,
    erasure_subject,
)
from lrs.services.errors import SessionEnded, SessionNotFound, StudentNotFound
from lrs.services.history import HISTORY_FIELDS, history_check, history_count, history_pages
from lrs.services.progress import (
    DueCard,
    Progress,
    cards_due,
    groups_studied,
    progress_get,
    success_rate,
    word_stats_for,
    word_stats_list,
)
from lrs.services.statistics import (
    Dashboard,
    ReportedSession,
    StudentReport,
    Tally,
    dashboard,
    student_report,
    students_active,
)
from lrs.services.streaks import STREAK_LOOKBACK_DAYS, current_streak, streak_after, streaks_reset
from lrs.services.study import (
    SessionDetail,
    history_reset,
    review_record,
    session_detail,
    session_end,
    session_get,
    session_start,
    sessions_list,
)
from lrs.services.words import StudiedWord, words_list_studied, words_studied

__all__ = [
    "HISTORY_FIELDS",
    "KINDS",
    "STREAK_LOOKBACK_DAYS",
    "Caller",
    "Dashboard",
    "DueCard",
    "ErasureItem",
    "ErasureSubject",
    "Listing",
    "Progress",
    "ReportedSession",
    "SessionDetail",
    "SessionEnded",
    "SessionNotFound",
    "StudentNotFound",
    "StudentReport",
    "StudiedWord",
    "Tally",
    "cards_due",
    "check_may_erase",
    "check_may_read",
    "current_streak",
    "dashboard",
    "erasure_counts",
    "erasure_item_erase",
    "erasure_plan",
    "erasure_subject",
    "groups_studied",
    "history_check",
    "history_count",
    "history_pages",
    "history_reset",
    "progress_get",
    "review_record",
    "session_detail",
    "session_end",
    "session_get",
    "session_start",
    "sessions_list",
    "streak_after",
    "streaks_reset",
    "student_report",
    "students_active",
    "success_rate",
    "word_stats_for",
    "word_stats_list",
    "words_list_studied",
    "words_studied",
]
