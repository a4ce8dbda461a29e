"""What each kind of job does, registered by the app that owns it (in its AppConfig's
`ready`), so that the job runner knows no app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from langportal.errors import DomainError, NotFound
from langportal.jobs.repositories import Job


class RowRejected(DomainError):
    """This row is left out, for the reason given; the job goes on."""

    code = "row_rejected"


@dataclass(frozen=True)
class Work:
    """A job's steps. `rows` gives the job's rows in order from the first, the same on
    every run; `apply` does one row and names its outcome ("created", say), writing it at
    most once however often it runs for the same job and row (an Idempotency-Key made from
    both); `prepare` runs before the first row (again, if the job was cut before its
    rows began): it checks the input, makes ready what the rows need, and tells how many
    rows there are, for a progress bar; `finish` runs once the rows are done and returns
    the key of the job's output file, if it makes one. Both may run more than once."""

    rows: Callable[[Job], Iterable[dict]]
    apply: Callable[[Job, int, dict], str]
    prepare: Callable[[Job], int] | None = None
    finish: Callable[[Job], str | None] | None = None
    title: str = ""


_registry: dict[str, Work] = {}


class UnknownKind(NotFound):
    code = "unknown_job_kind"


def register(kind: str, work: Work) -> None:
    if _registry.get(kind, work) is not work:
        raise ValueError(f"Two kinds of job are called {kind!r}.")
    _registry[kind] = work


def work_for(kind: str) -> Work:
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownKind(f"No kind of job is called {kind!r}.") from None


def kinds() -> list[str]:
    return sorted(_registry)
