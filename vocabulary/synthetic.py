"""Large made-up vocabularies for scale tests and benchmarks.

Words are random kana strings with their romaji, spread over groups; the same seed
gives the same document.
"""

from __future__ import annotations

import random

from vocabulary.japanese import romanize

SYLLABLES = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
    "がぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽ"
)
ENGLISH = ("cat", "river", "lamp", "stone", "cloud", "bread", "train", "song", "window", "garden", "letter", "bridge")


def synthetic_document(words: int, *, groups: int = 50, seed: int = 7) -> dict:
    rng = random.Random(seed)  # noqa: S311 (a reproducible load-test document, not a secret)
    document = {
        "groups": [{"id": str(number), "name": f"Synthetic group {number}"} for number in range(1, groups + 1)],
        "words": [],
    }
    for number in range(1, words + 1):
        kana = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 6)))
        document["words"].append(
            {
                "id": str(number),
                "japanese": kana,
                "kana": kana,
                "romaji": romanize(kana),
                "english": f"{rng.choice(ENGLISH)} {number}",
                "part_of_speech": "noun",
                "group_ids": [str(rng.randint(1, groups))] if groups else [],
            }
        )
    return document
