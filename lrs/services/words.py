"""Words joined with one student's own counts, for the vocabulary's word pages."""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace

from langportal.paging import Page
from lrs.services.progress import word_stats_for
from vocabulary import services as vocabulary

_reads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="word-counts")


@dataclass(frozen=True)
class StudiedWord(vocabulary.Word):
    """A word with one student's own right and wrong answers to it (none if never reviewed)."""

    correct_count: int = 0
    wrong_count: int = 0


def words_studied(*, user_id: str, words: list[vocabulary.Word]) -> list[StudiedWord]:
    """These words, each with the student's counts: one batch read of their statistics."""
    return _joined(words, word_stats_for(user_id=user_id, word_ids=[word.id for word in words]))


def _joined(words: list[vocabulary.Word], stats: dict) -> list[StudiedWord]:
    studied = []
    for word in words:
        stat = stats.get(word.id)
        counts = {"correct_count": stat.correct_count, "wrong_count": stat.wrong_count} if stat else {}
        studied.append(StudiedWord(**{field.name: getattr(word, field.name) for field in fields(word)}, **counts))
    return studied


def words_list_studied(*, user_id: str, **query) -> Page:
    """A page of words (`query` as for vocabulary's words_list), each with the student's
    counts. The words and the counts are read at once, both keyed by the page's ids: one
    round trip after the index's instead of two."""
    ids = vocabulary.word_ids_list(**query)
    # In the request's context, so that what the request measures (Server-Timing) sees it.
    counts = _reads.submit(contextvars.copy_context().run, word_stats_for, user_id=user_id, word_ids=ids.items)
    words = vocabulary.words_get(word_ids=ids.items)
    return replace(ids, items=_joined(words, counts.result()))
