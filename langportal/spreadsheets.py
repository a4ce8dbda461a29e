"""CSV that is safe to open in a spreadsheet, the one rule for every CSV we write: the
words export, a job's rejected rows, the study-history export.

A cell that a spreadsheet would run as a formula (one starting with =, +, -, @, a tab or
a carriage return) is written with a single quote in front, as OWASP advises against
CSV injection; `imported_text` takes exactly that quote off again, so that an export
imports back as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value: str) -> bool:
    # Leading quotes are looked through, so that a value that starts with quotes
    # itself comes back unchanged from imported_text(spreadsheet_text(value)).
    return value.lstrip("'").startswith(FORMULA_START)


def spreadsheet_text(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a quote before one that starts like one."""
    return f"'{value}" if _formula_like(value) else value


def imported_text(cell: str) -> str:
    """The value of a cell as spreadsheet_text wrote it: its neutralising quote taken off."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell) else cell


class _Lines:
    """A file for csv.writer that hands each line written back, to stream it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """`rows` as CSV lines, one at a time. The cells are written as given: make text
    cells safe with spreadsheet_text first."""
    writer = csv.writer(_Lines())
    return map(writer.writerow, rows)


def csv_download(filename: str, rows: Iterable[list]) -> StreamingHttpResponse:
    """`rows` as a CSV file to download, written a row at a time as the response streams."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
