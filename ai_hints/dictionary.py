"""An offline Japanese-English dictionary: JMdict through jamdict and jamdict-data.

JMdict is the work of the Electronic Dictionary Research and Development Group, used
under the Creative Commons Attribution-ShareAlike licence (credited in the README).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from jamdict import Jamdict

_local = threading.local()  # jamdict's SQLite connections stay in their thread

PARTS_OF_SPEECH = (  # JMdict's part-of-speech text -> ours
    ("ichidan verb", "verb"),
    ("godan verb", "verb"),
    ("suru verb", "verb"),
    ("kuru verb", "verb"),
    ("adjective (keiyoushi)", "i-adjective"),
    ("adjectival nouns or quasi-adjectives", "na-adjective"),
    ("adverb", "adverb"),
    ("interjection", "interjection"),
    ("expressions", "expression"),
    ("pronoun", "pronoun"),
    ("numeric", "numeral"),
    ("counter", "counter"),
    ("particle", "particle"),
    ("conjunction", "conjunction"),
    ("noun", "noun"),
)


@dataclass(frozen=True)
class Entry:
    kana: str
    english: str
    part_of_speech: str | None


def _jamdict() -> Jamdict:
    if not hasattr(_local, "jamdict"):
        _local.jamdict = Jamdict(memory_mode=False)
    return _local.jamdict


def _part_of_speech(descriptions: list[str]) -> str | None:
    text = " ".join(descriptions).lower()
    return next((ours for theirs, ours in PARTS_OF_SPEECH if theirs in text), None)


def lookup(word: str) -> Entry | None:
    """The first JMdict entry written (or read) as `word`: reading, meanings, part of speech."""
    entries = _jamdict().lookup(word, strict_lookup=True, lookup_chars=False, lookup_ne=False).entries
    if not entries:
        return None
    entry = entries[0]
    senses = entry.senses[:2]
    english = "; ".join(", ".join(str(gloss) for gloss in sense.gloss[:2]) for sense in senses)
    kana = str(entry.kana_forms[0]) if entry.kana_forms else word
    return Entry(kana=kana, english=english, part_of_speech=_part_of_speech(senses[0].pos if senses else []))
