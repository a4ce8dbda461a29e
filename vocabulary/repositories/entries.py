"""Where words and groups stand in the ordered indexes (langportal.storage.orderindex):
one index per sort order over all words, one per sort order over each group's words,
and one over groups by name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from langportal.storage.orderindex import Change, entry, sort_key
from vocabulary.japanese import to_hiragana
from vocabulary.repositories.records import Group, Word

SORT_ORDERS = ("japanese", "romaji", "english", "created_at")
GROUPS_INDEX = "groups:name"
TIME_KEY = "%Y-%m-%dT%H:%M:%S.%f"


def words_index(order: str, group_id: str | None = None) -> str:
    return f"words:{order}" if group_id is None else f"group:{group_id}:{order}"


def _sort_keys(word: Word) -> dict[str, str]:
    return {
        # Japanese sorts by reading (gojūon order), then by how it is written.
        "japanese": f"{sort_key(to_hiragana(word.kana))} {sort_key(word.japanese)}",
        "romaji": sort_key(word.romaji),
        "english": sort_key(word.english),
        "created_at": word.created_at.strftime(TIME_KEY),
    }


def _word_entries(word: Word | None) -> dict[str, str]:
    """Index name -> this word's entry in it, for every index that lists the word."""
    if word is None:
        return {}
    keys = _sort_keys(word)
    return {
        words_index(order, scope): entry(keys[order], word.id)
        for scope in (None, *word.group_ids)
        for order in SORT_ORDERS
    }


def word_changes(pairs: Iterable[tuple[Word | None, Word | None]]) -> dict[str, Change]:
    """What replacing each `old` word by its `new` one changes in the indexes."""
    inserts: dict[str, set[str]] = defaultdict(set)
    removes: dict[str, set[str]] = defaultdict(set)
    for old, new in pairs:
        before, after = _word_entries(old), _word_entries(new)
        for name, value in before.items():
            if after.get(name) != value:
                removes[name].add(value)
        for name, value in after.items():
            if before.get(name) != value:
                inserts[name].add(value)
    return {name: Change(inserts[name], removes[name]) for name in inserts.keys() | removes.keys()}


def group_entry(group: Group) -> str:
    return entry(sort_key(group.name), group.id)


def group_change(old: Group | None, new: Group | None) -> dict[str, Change]:
    before = {group_entry(old)} if old else set()
    after = {group_entry(new)} if new else set()
    return {GROUPS_INDEX: Change(inserts=after - before, removes=before - after)}
