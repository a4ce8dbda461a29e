"""Romaji as learners write it, and the starter vocabulary checked against the app."""

import pytest

from vocabulary import japanese as ja
from vocabulary.seeding import starter_document


@pytest.mark.parametrize(
    ("japanese", "kana", "romaji"),
    [
        ("こんにちは", None, "konnichiwa"),
        ("こんばんは", None, "konbanwa"),
        ("ありがとう", None, "arigatou"),
        ("学校", None, "gakkou"),
        ("ラーメン", None, "raamen"),
        ("勉強します", None, "benkyou shimasu"),
        ("東京", None, "toukyou"),
        ("私は学生です", None, "watakushi wa gakusei desu"),
        ("お母さん", "おかあさん", "okaasan"),
        ("日曜日", "にちようび", "nichiyoubi"),
        ("さんびゃく", None, "sanbyaku"),
        ("かんい", None, "kan'i"),
        ("ｺｰﾋｰ", None, "koohii"),
        ("おはようございます", "おはよう ございます", "ohayou gozaimasu"),
    ],
)
def test_romanize(japanese, kana, romaji):
    assert ja.romanize(japanese, kana) == romaji


def test_reading_of_kanji_and_of_kana():
    assert ja.reading("学校") == "がっこう"
    assert ja.reading("コーヒー") == "コーヒー"


def test_script_checks():
    assert ja.contains_japanese("Tシャツ")
    assert not ja.contains_japanese("tea")
    assert ja.is_kana("おはよう ございます")
    assert not ja.is_kana("お茶")
    assert ja.is_romaji("kan'i")
    assert not ja.is_romaji("kan1")


def test_starter_vocabulary_is_large_and_complete():
    document = starter_document()
    assert len(document["words"]) >= 200
    assert len(document["groups"]) >= 8
    groups = {group["id"] for group in document["groups"]}
    for word in document["words"]:
        assert {"japanese", "kana", "romaji", "english", "part_of_speech"} <= set(word)
        assert set(word["group_ids"]) <= groups
    counts = {group: sum(group in word["group_ids"] for word in document["words"]) for group in groups}
    assert min(counts.values()) >= 20


def test_starter_romaji_is_what_the_app_computes():
    mismatches = [
        (word["japanese"], word["romaji"], ja.romanize(word["japanese"], word["kana"]))
        for word in starter_document()["words"]
        if ja.romanize(word["japanese"], word["kana"]) != word["romaji"]
    ]
    assert mismatches == []


def test_starter_kana_is_the_reading_of_the_japanese():
    """Catches typos in the document's kana; the tagger's known misreadings were checked by hand."""
    known_tagger_misreadings = {
        "お父さん",
        "お母さん",
        "お兄さん",
        "お姉さん",  # read as ちち, はは, あに, あね
        "明日",  # あす, the formal reading
        "月曜日",
        "火曜日",
        "水曜日",
        "木曜日",
        "金曜日",
        "土曜日",
        "日曜日",  # no rendaku: ひ for び
        "日本",  # にっぽん, the formal reading
    }
    for word in starter_document()["words"]:
        tagger = ja.reading(word["japanese"]).replace(" ", "")
        if word["japanese"] not in known_tagger_misreadings:
            assert ja.to_hiragana(tagger) == ja.to_hiragana(word["kana"]).replace(" ", ""), word["japanese"]
