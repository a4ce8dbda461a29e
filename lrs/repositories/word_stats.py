"""How a student has done on each word, with their FSRS card: a query or batch read on
their user id, and the index due-cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from langportal.storage.dynamo import batch_get, dynamodb_errors
from lrs.models import WordStatModel
from lrs.repositories.reads import Cursor, item_get, page_read


@dataclass(frozen=True)
class WordStat:
    word_id: str
    correct_count: int = 0
    wrong_count: int = 0
    last_reviewed_at: datetime | None = None
    card: str | None = None  # FSRS card, JSON
    due: str | None = None


def _word_stat(item: WordStatModel) -> WordStat:
    return WordStat(
        item.word_id, int(item.correct_count), int(item.wrong_count), item.last_reviewed_at, item.card, item.due
    )


def word_stat_get(user_id: str, word_id: str) -> WordStat | None:
    item = item_get(WordStatModel, user_id, word_id)
    return _word_stat(item) if item else None


def word_stats_get(user_id: str, word_ids: list[str]) -> dict[str, WordStat]:
    items = batch_get(WordStatModel, [(user_id, word_id) for word_id in word_ids])
    return {item.word_id: _word_stat(item) for item in items}


def word_stats_page(user_id: str, *, limit: int, start: dict | None = None) -> Cursor:
    return page_read(
        lambda: WordStatModel.query(
            user_id, limit=limit, page_size=limit, last_evaluated_key=start, consistent_read=True
        ),
        _word_stat,
    )


def word_stats_all(user_id: str) -> list[WordStat]:
    """Every word statistic of a student, read page after page."""
    with dynamodb_errors():
        return [_word_stat(item) for item in WordStatModel.query(user_id, consistent_read=True)]


def cards_due(user_id: str, *, until: str) -> list[tuple[str, str]]:
    """(word id, card) of a student's cards due by `until`.

    The index due-cards (eventually consistent) names the candidates; the cards are read
    from the table, so a card reviewed a moment ago is not offered again.
    """
    with dynamodb_errors():
        candidates = [item.word_id for item in WordStatModel.due_cards.query(user_id, WordStatModel.due <= until)]
    stats = word_stats_get(user_id, candidates)
    return [(stat.word_id, stat.card) for stat in stats.values() if stat.due and stat.due <= until and stat.card]
