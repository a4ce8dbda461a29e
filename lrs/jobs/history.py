"""The history export (langportal.jobs.exports): a student's or a group's review history,
one record a review (a session without reviews, one record with empty review columns),
as CSV (formula-safe) or JSON (a flat array of the same records, the CSV's columns as
keys), started from a student's page or the statistics dashboard in the admin, or
`manage.py export_history`.

Who may read the history is checked when the export starts (`history_export_start`),
not in the job, which runs as nobody. A page's cursor is the history's position as JSON
(lrs.services.history_pages).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from langportal.jobs.exports import EXPORT_PAGE_RECORDS, Export, csv_format, export_register, export_start, json_format
from langportal.jobs.repositories import Job
from lrs import services
from lrs.services import Caller

EXPORT_HISTORY = "export_history"
FORMATS = {"csv": "CSV", "json": "JSON"}  # as the admin offers them


def history_export_start(
    *, caller: Caller, format: str, user_id: str | None = None, group_id: str | None = None, actor: str
) -> Job:
    """Start exporting a student's history (`user_id`) or a group's (`group_id`), if
    `caller` may read it (PermissionDenied, StudentNotFound or GroupNotFound otherwise),
    in `format`, "csv" or "json" (InvalidInput for another)."""
    name = services.history_check(caller=caller, user_id=user_id, group_id=group_id)
    scope = {"group_id": group_id} if group_id is not None else {"user_id": user_id}
    return export_start(
        kind=EXPORT_HISTORY,
        format=format,
        name=f"History {name}",
        actor=actor,
        actor_id=caller.sub,
        options=scope,
    )


def _pages(job: Job, cursor: str | None) -> Iterator[tuple[list[dict], str]]:
    pages = services.history_pages(
        user_id=job.options.get("user_id"),
        group_id=job.options.get("group_id"),
        after=json.loads(cursor) if cursor else None,
        size=EXPORT_PAGE_RECORDS,
    )
    for records, position in pages:
        yield records, json.dumps(position)


def _count(job: Job) -> int:
    return services.history_count(user_id=job.options.get("user_id"), group_id=job.options.get("group_id"))


def _cells(record: dict) -> list:
    return ["" if record[field] is None else record[field] for field in services.HISTORY_FIELDS]


export_register(
    EXPORT_HISTORY,
    Export(
        title="Export history",
        pages=_pages,
        formats={"csv": csv_format(services.HISTORY_FIELDS, _cells), "json": json_format()},
        count=_count,
    ),
)
