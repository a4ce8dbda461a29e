"""Groups: reading, listing, creating and renaming them (their words: membership)."""

from __future__ import annotations

from datetime import UTC, datetime

from langportal.idempotency import Idempotency, idempotent
from langportal.ids import is_id
from langportal.paging import Page, offset, page_of
from langportal.storage.sequences import sequence_next
from vocabulary import repositories as repo
from vocabulary.repositories import Group, GroupNotFound


def group_get(*, group_id: str) -> Group:
    if not is_id(group_id):
        raise GroupNotFound()
    group = repo.group_get(group_id)
    if group is None:
        raise GroupNotFound(f"No group with id {group_id}.")
    return group


def groups_get(*, group_ids: list[str]) -> list[Group]:
    """Groups by id, in the order asked; ids of groups that do not exist are left out."""
    return repo.groups_get([group_id for group_id in group_ids if is_id(group_id)])


def groups_list(*, page: int, per_page: int, descending: bool = False) -> Page:
    groups, total = repo.groups_page(descending=descending, offset=offset(page, per_page), limit=per_page)
    return page_of(groups, page=page, per_page=per_page, total=total)


def group_create(
    *,
    name: str,
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
    group_id: str | None = None,
) -> Group:
    """Add a group with a new id (or `group_id`, an import's own)."""
    now = now or datetime.now(UTC)

    def create() -> Group:
        group = Group(id=group_id or sequence_next("groups"), name=name, created_at=now, updated_at=now)
        repo.group_write(None, group, actor=actor, claim=idempotency and idempotency.claim(group))
        return group

    return idempotent(idempotency, Group, create)


def group_rename(
    *,
    group_id: str,
    name: str,
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    def rename() -> Group:
        old = group_get(group_id=group_id)
        if old.name == name:
            if idempotency:
                idempotency.record(old)
            return old
        new = Group(old.id, name, old.created_at, now or datetime.now(UTC), old.word_count, old.revision + 1)
        repo.group_write(old, new, actor=actor, claim=idempotency and idempotency.claim(new))
        return new

    return idempotent(idempotency, Group, rename)


def group_word_ids(*, group_id: str, offset: int, limit: int) -> list[str]:
    """Ids of a group's words in Japanese order, a slice at a time."""
    return repo.group_word_ids(group_id, offset=offset, limit=limit)


def group_history(*, group_id: str, limit: int = 50, before: str | None = None) -> list[repo.AuditEvent]:
    """Who created, renamed or deleted a group and when, newest first (older than the event `before`)."""
    return repo.audit_events(f"group:{group_id}", limit=limit, before=before)
