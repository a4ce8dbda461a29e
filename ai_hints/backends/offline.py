"""Hints without a model: deterministic sentences from the dictionary and the vocabulary."""

from __future__ import annotations

from ai_hints.backends.base import LINK, HintBackend, HintRequest

LIMIT = 300
MAX_LESSONS = 2  # lessons named in one hint
GRAMMAR = {
    "verb": "It is a verb: learn it with its polite -masu form.",
    "i-adjective": "It is an i-adjective: it ends in い and conjugates itself (-kunai, -katta).",
    "na-adjective": "It is a na-adjective: put な between it and a noun.",
    "noun": "It is a noun: の links it to another noun.",
    "expression": "It is a set phrase: learn it whole.",
    "interjection": "It is said on its own, as a phrase.",
    "adverb": "It is an adverb: it goes before the verb or adjective it describes.",
    "counter": "It is a counter: it follows a number.",
    "numeral": "It is a number.",
}


class OfflineBackend(HintBackend):
    name = "offline"
    model = "templates-v3"  # a new version whenever the sentences change: cached hints are keyed by it
    calls_a_model = False

    def generate(self, request: HintRequest) -> str:
        reading = f"{request.reading}, " if request.reading and request.reading != request.word else ""
        head = f"「{request.word}」 ({reading}{request.romaji})"
        tail = " ".join(part for part in (GRAMMAR.get(request.part_of_speech or ""), _lessons(request)) if part)
        if not request.english:
            return _fit(f"{head} is not in our dictionary: ask your teacher what it means. {tail}")
        return _fit(f"{head} means “{_meaning(request.english)}”. {tail}")


def _lessons(request: HintRequest) -> str | None:
    """The vocabulary groups the word is really in: the one the learner named first, if
    it is one of them. The learner's context itself is never stated as a fact."""
    names = [name for name in request.lessons if not LINK.search(name)]
    asked = [name for name in names if name.casefold() == request.context.casefold()]
    shown = (asked or names)[:MAX_LESSONS]
    if not shown:
        return None
    quoted = " and ".join(f"“{name}”" for name in shown)
    return f"It is in the lesson{'s' if len(shown) > 1 else ''} {quoted}."


def _meaning(english: str) -> str:
    """The meaning, or its words that fit in 80 characters (one ending at the 80th kept)."""
    return english if len(english) <= 80 else english[:81].rsplit(" ", 1)[0].rstrip(",;") + "…"


def _fit(text: str) -> str:
    """Whole sentences up to the limit."""
    if len(text) <= LIMIT:
        return text
    sentences, kept = text.split(". "), ""
    for sentence in sentences:
        candidate = f"{kept}. {sentence}" if kept else sentence
        if len(candidate) + 1 > LIMIT:
            break
        kept = candidate
    return kept.rstrip(".") + "."
