"""Words joined with one student's own counts, for the vocabulary's word pages."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from langportal.paging import Page
from lrs.services.progress import word_stats_for
from vocabulary import services as vocabulary


@dataclass(frozen=True)
class StudiedWord(vocabulary.Word):
    """A word with one student's own right and wrong answers to it (none if never reviewed)."""

    correct_count: int = 0
    wrong_count: int = 0


def words_studied(*, user_id: str, words: list[vocabulary.Word]) -> list[StudiedWord]:
    """These words, each with the student's counts: one batch read of their statistics."""
    stats = word_stats_for(user_id=user_id, word_ids=[word.id for word in words])
    studied = []
    for word in words:
        stat = stats.get(word.id)
        counts = {"correct_count": stat.correct_count, "wrong_count": stat.wrong_count} if stat else {}
        studied.append(StudiedWord(**{field.name: getattr(word, field.name) for field in fields(word)}, **counts))
    return studied


def page_studied(*, user_id: str, page: Page) -> Page:
    """A page of words, each with the student's counts (see words_studied)."""
    return replace(page, items=words_studied(user_id=user_id, words=page.items))
