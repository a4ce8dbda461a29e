"""AI hints and study recommendations.

A hint is grounded in our vocabulary (or the offline dictionary), asked of each
configured provider in turn, checked, cached and returned; recommendations come from
the students' FSRS cards and the groups they study.
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from ai_hints import backends, calls, dictionary
from ai_hints import repositories as repo
from ai_hints.backends.base import PROMPT_VERSION, BackendFailed, HintBackend, HintRequest
from ai_hints.output import BadOutput, hint_clean
from ai_hints.repositories import CachedHint
from langportal import ratelimit
from langportal.errors import TooManyRequests, Unavailable
from lrs import services as lrs
from vocabulary import japanese as ja
from vocabulary import services as vocabulary

logger = logging.getLogger(__name__)

NEW_WORDS_SCAN = 500  # at most this many of a group's words are looked at for new ones


class HintsUnavailable(Unavailable):
    code = "hints_unavailable"
    default_message = "No hint provider could answer. Please retry shortly."


@dataclass(frozen=True)
class Hint:
    word: str
    romaji: str
    english: str | None
    ai_hint: str
    source: str
    model: str
    cached: bool


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def rate_check(*, user_id: str, now: datetime) -> None:
    """At most AI_HINT_RATE_LIMIT hint requests per user per minute (429 past that)."""
    minute = ratelimit.Window(f"hints#{user_id}", 60, now)
    if ratelimit.count(minute) > settings.AI_HINT_RATE_LIMIT:
        raise TooManyRequests(
            f"At most {settings.AI_HINT_RATE_LIMIT} hints a minute.",
            retry_after=minute.retry_after,
            details={"limit_per_minute": settings.AI_HINT_RATE_LIMIT},
        )


def _grounded(word: str, context: str) -> HintRequest:
    """The facts a hint rests on: our vocabulary first (with the groups the word is in),
    then the offline dictionary."""
    known = vocabulary.word_find(japanese=word)
    if known is not None:
        lessons = tuple(sorted(group.name for group in vocabulary.groups_get(group_ids=sorted(known.group_ids))))
        return HintRequest(
            word, known.kana, known.romaji, known.english, known.part_of_speech, context, lessons=lessons
        )
    entry = dictionary.lookup(word)
    reading = entry.kana if entry else ja.reading(word)
    romaji = ja.romanize(word, entry.kana if entry else None)
    return HintRequest(word, reading, romaji, entry.english if entry else None, entry and entry.part_of_speech, context)


def cache_key(request: HintRequest, backend: HintBackend) -> str:
    """Every fact of the request (so an edited word gets a new hint), the provider and
    the prompt's version; contexts differing only in case share a hint."""
    facts = {**asdict(request), "context": request.context.casefold()}
    parts = [facts, backend.name, backend.model, PROMPT_VERSION]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def hint_generate(*, user_id: str, word: str, context: str, now: datetime | None = None) -> Hint:
    """A hint for `word` in `context`: from the cache, or from the first provider that
    gives a good answer within AI_HINT_DEADLINE_SECONDS. 503 when none can."""
    deadline = calls.Deadline(settings.AI_HINT_DEADLINE_SECONDS)
    now = now or _now()
    rate_check(user_id=user_id, now=now)
    request = _grounded(_plain(word), _plain(context))
    chain = backends.configured()
    keys = {backend.name: cache_key(request, backend) for backend in chain}
    cached = repo.hints_cached(list(keys.values()))
    for backend in chain:
        key = keys[backend.name]
        if key in cached:
            return _hint(request, cached[key].hint, backend, cached=True)
        try:
            text = hint_clean(_ask(backend, request, deadline))
        except (BackendFailed, BadOutput) as problem:
            logger.warning("Hint provider %s skipped: %s", backend.name, problem)
            continue
        repo.hint_store(
            CachedHint(key, text, backend.name, backend.model),
            now=now,
            keep=timedelta(days=settings.AI_HINT_CACHE_DAYS),
        )
        return _hint(request, text, backend, cached=False)
    raise HintsUnavailable()


def _ask(backend: HintBackend, request: HintRequest, deadline: calls.Deadline) -> str:
    if not backend.calls_a_model:
        return backend.generate(request)  # answers at once, whatever time is left
    model_calls = calls.model_calls(settings.AI_MAX_CONCURRENT_CALLS)
    return model_calls.run(lambda: backend.generate(request), deadline=deadline)


def _hint(request: HintRequest, text: str, backend: HintBackend, *, cached: bool) -> Hint:
    return Hint(request.word, request.romaji, request.english, text, backend.name, backend.model, cached)


# --- recommendations -----------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    word: vocabulary.Word
    reason: str  # "due" or "new"
    due: datetime
    retrievability: float | None


def recommendations(*, caller, user_id: str, limit: int, now: datetime | None = None) -> list[Recommendation]:
    """What to review next: due cards, least remembered first, then words never studied
    from the groups the student studies."""
    lrs.check_may_read(caller, user_id)
    now = now or _now()
    due = lrs.cards_due(user_id=user_id, now=now)[:limit]
    picks = [(card.word_id, "due", card.due, card.retrievability) for card in due]
    if len(picks) < limit:
        picks += [(word_id, "new", now, None) for word_id in _new_words(user_id, limit - len(picks))]
    words = {word.id: word for word in vocabulary.words_get(word_ids=[word_id for word_id, *_ in picks])}
    return [
        Recommendation(words[word_id], reason, due_at, retrievability)
        for word_id, reason, due_at, retrievability in picks
        if word_id in words
    ]


def _new_words(user_id: str, wanted: int) -> list[str]:
    found: list[str] = []
    for group_id in lrs.groups_studied(user_id=user_id):
        for offset in range(0, NEW_WORDS_SCAN, 100):
            candidates = [
                word_id
                for word_id in vocabulary.group_word_ids(group_id=group_id, offset=offset, limit=100)
                if word_id not in found
            ]
            if not candidates:
                break
            studied = lrs.word_stats_for(user_id=user_id, word_ids=candidates)
            found += [word_id for word_id in candidates if word_id not in studied][: wanted - len(found)]
            if len(found) >= wanted:
                return found
    return found
