"""Groups gaining and losing words, a few words per transaction, and a group deleted
once its words have left it."""

from __future__ import annotations

from datetime import UTC, datetime

from langportal.errors import InvalidInput
from langportal.idempotency import Idempotency, idempotent
from vocabulary import repositories as repo
from vocabulary.repositories import Group, Word
from vocabulary.services.groups import group_get
from vocabulary.services.limits import MAX_GROUPS_PER_WORD, MEMBERSHIP_BATCH
from vocabulary.services.words import WordNotFound, words_get


def group_delete(*, group_id: str, actor: str | None = None, idempotency: Idempotency | None = None) -> None:
    """Delete a group; its words stay in the vocabulary and leave the group first.

    Interrupted, it leaves a smaller group; run again, it goes on where it stopped."""

    def delete() -> None:
        group_get(group_id=group_id)
        while word_ids := repo.group_word_ids(group_id, offset=0, limit=MEMBERSHIP_BATCH * 4):
            _change_membership(
                word_ids, datetime.now(UTC), lambda groups: groups - {group_id}, actor, f"remove from group {group_id}"
            )
        repo.group_write(group_get(group_id=group_id), None, actor=actor, claim=idempotency and idempotency.claim(None))

    idempotent(idempotency, type(None), delete)


def _words_or_404(word_ids: list[str]) -> list[Word]:
    words = words_get(word_ids=word_ids)
    missing = sorted(set(word_ids) - {word.id for word in words})
    if missing:
        raise WordNotFound(f"No word with id {', '.join(missing)}.", details={"word_ids": missing})
    return words


def group_add_words(
    *,
    group_id: str,
    word_ids: list[str],
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    """Put words in a group (words already in it are left as they are)."""

    def add() -> Group:
        group_get(group_id=group_id)
        full = [
            word.id
            for word in _words_or_404(word_ids)
            if group_id not in word.group_ids and len(word.group_ids) >= MAX_GROUPS_PER_WORD
        ]
        if full:
            raise InvalidInput(
                f"A word can belong to at most {MAX_GROUPS_PER_WORD} groups.", details={"word_ids": sorted(full)}
            )
        _change_membership(
            word_ids, now or datetime.now(UTC), lambda groups: groups | {group_id}, actor, f"add to group {group_id}"
        )
        return _recorded(idempotency, group_get(group_id=group_id))

    return idempotent(idempotency, Group, add)


def group_remove_words(
    *,
    group_id: str,
    word_ids: list[str],
    now: datetime | None = None,
    actor: str | None = None,
    idempotency: Idempotency | None = None,
) -> Group:
    def remove() -> Group:
        group_get(group_id=group_id)
        _words_or_404(word_ids)
        action = f"remove from group {group_id}"
        _change_membership(word_ids, now or datetime.now(UTC), lambda groups: groups - {group_id}, actor, action)
        return _recorded(idempotency, group_get(group_id=group_id))

    return idempotent(idempotency, Group, remove)


def _recorded(idempotency: Idempotency | None, group: Group) -> Group:
    """Membership changes come out the same when repeated: their key is claimed after."""
    if idempotency:
        idempotency.record(group)
    return group


def _change_membership(word_ids: list[str], now: datetime, change, actor: str | None, action: str) -> None:
    """Words join or leave groups, a few per transaction; a batch that loses a race
    raises Contended, and the caller starts again (the batches done stay done)."""
    word_ids = list(dict.fromkeys(word_ids))
    for start in range(0, len(word_ids), MEMBERSHIP_BATCH):
        pairs = [
            (word, repo.replace_word(word, group_ids=change(word.group_ids), updated_at=now))
            for word in repo.words_get(word_ids[start : start + MEMBERSHIP_BATCH])
            if change(word.group_ids) != word.group_ids
        ]
        repo.words_write(pairs, actor=actor, action=action)
