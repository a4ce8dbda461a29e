"""Who may read whose study records, and listings read from them a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from langportal.errors import PermissionDenied
from langportal.ids import is_user_id
from langportal.paging import cursor_decode, cursor_encode
from lrs.repositories import Cursor
from lrs.services.errors import StudentNotFound


class Caller(Protocol):
    """Who is asking: the authenticated user (accounts.models.User fits)."""

    sub: str
    is_teacher: bool


def check_may_read(caller: Caller, user_id: str) -> None:
    """Students read their own records; teachers read everyone's (of users that can be)."""
    if caller.sub != user_id and not caller.is_teacher:
        raise PermissionDenied("You may only read your own study records.")
    if not is_user_id(user_id):
        raise StudentNotFound()


@dataclass(frozen=True)
class Listing:
    items: list
    next_cursor: str | None


def listing_read(read: Callable[[dict | None], Cursor], *, scope: str, cursor: str | None) -> Listing:
    """One page of `read` from where `cursor` (given out for `scope` only) left off."""
    page = read(cursor_decode(cursor, scope=scope))
    return Listing(page.items, cursor_encode(page.next_key, scope=scope))
