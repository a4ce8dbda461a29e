"""Japanese text: script checks, kana readings and romaji.

Romaji follow Hepburn as learners write it in ASCII: long vowels spelled out
(ありがとう → arigatou), ん before a vowel as n' (かんい → kan'i), and the particle
は read "wa" (こんにちは → konnichiwa). cutlet (MIT) does the work with the MeCab
tagger fugashi and the UniDic dictionary.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import cutlet
import jaconv

JAPANESE_CHAR = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]")
KANA_TEXT = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\s]+")
ROMAJI_TEXT = re.compile(r"[A-Za-z' \-āīūēōĀĪŪĒŌ.,!?]+")

# Set greetings that end in the particle は, which a tagger reads as part of the word.
GREETINGS = {"こんにちは": "konnichiwa", "こんばんは": "konbanwa"}


def normalize(text: str) -> str:
    """NFKC folds half-width katakana and full-width Latin to their usual forms."""
    return unicodedata.normalize("NFKC", text).strip()


def contains_japanese(text: str) -> bool:
    return bool(JAPANESE_CHAR.search(text))


def is_kana(text: str) -> bool:
    return bool(KANA_TEXT.fullmatch(text))


def is_romaji(text: str) -> bool:
    return bool(ROMAJI_TEXT.fullmatch(text))


def to_hiragana(text: str) -> str:
    return jaconv.kata2hira(text)


@functools.cache
def _converter() -> cutlet.Cutlet:
    converter = cutlet.Cutlet(use_foreign_spelling=False)
    # cutlet spells some names the English way (東京 → Tokyo); learners write the
    # reading (toukyou), so only our greetings stay as exceptions.
    converter.exceptions = dict(GREETINGS)
    return converter


def _tagger_reading(text: str) -> str:
    return to_hiragana("".join(word.feature.kana or word.surface for word in _converter().tagger(text)))


def reading(japanese: str) -> str:
    """The kana reading of a word: kana as written, or the tagger's reading of kanji."""
    japanese = normalize(japanese)
    return japanese if is_kana(japanese) else _tagger_reading(japanese)


def romanize(japanese: str, kana: str | None = None) -> str:
    """Romaji for a word, using its kana reading when the tagger reads it differently.

    Text with kanji goes through the tagger (which finds word boundaries and particles);
    kana alone is converted character by character, because the tagger splits bare
    hiragana badly (さんびゃく would become "san bi ku").
    """
    japanese = normalize(japanese)
    if japanese in GREETINGS:
        return GREETINGS[japanese]
    converter = _converter()
    if not is_kana(japanese) and (not kana or _tagger_reading(japanese) == "".join(to_hiragana(kana).split())):
        return converter.romaji(japanese, capitalize=False).lower()
    return " ".join(_kana_romaji(converter, part) for part in to_hiragana(kana or japanese).split())


def _kana_romaji(converter: cutlet.Cutlet, kana: str) -> str:
    try:
        return converter.map_kana(kana).lower()
    except KeyError:  # a character outside cutlet's kana table
        return converter.romaji(kana, capitalize=False).lower()
