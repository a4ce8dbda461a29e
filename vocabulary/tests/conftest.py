"""Fixtures of the vocabulary's tests: Anki packages built with genanki, as Anki exports them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import genanki
import pytest

from vocabulary.tests import samples

VOCABULARY_MODEL = genanki.Model(
    1607392319,
    "Japanese vocabulary",
    fields=[{"name": "Expression"}, {"name": "Reading"}, {"name": "Meaning"}, {"name": "Audio"}],
    templates=[{"name": "Card 1", "qfmt": "{{Expression}}", "afmt": "{{Meaning}}<br>{{Audio}}"}],
)
BASIC_MODEL = genanki.Model(
    1607392320,
    "Basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
)


class AnkiDecks:
    """make(path, decks={"deck name": [(model, [field, ...]), ...]}, media={"name": bytes}):
    an .apkg at `path` with those decks, notes and media files."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __call__(self, name: str, decks: dict[str, list[tuple]], media: dict[str, bytes] | None = None) -> Path:
        built = []
        for number, (deck_name, notes) in enumerate(decks.items()):
            deck = genanki.Deck(2059400110 + number, deck_name)
            for model, fields in notes:
                deck.add_note(genanki.Note(model=model, fields=fields))
            built.append(deck)
        files = []
        for file_name, data in (media or {}).items():
            (self.folder / file_name).write_bytes(data)
            files.append(str(self.folder / file_name))
        path = self.folder / name
        genanki.Package(built, media_files=files).write_to_file(str(path))
        return path

    def repacked(self, source: Path, name: str, rename: dict[str, str | None]) -> Path:
        """A copy of the package at `source` with members renamed (or left out, for None)."""
        path = self.folder / name
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
            for member in original.infolist():
                new_name = rename.get(member.filename, member.filename)
                if new_name is not None:
                    copy.writestr(new_name, original.read(member))
        return path


@pytest.fixture
def anki_decks(tmp_path) -> AnkiDecks:
    folder = tmp_path / "anki"
    folder.mkdir()
    return AnkiDecks(folder)


@pytest.fixture
def vocabulary_deck(anki_decks) -> Path:
    """Two decks: "Animals" (notes with readings, audio and an image) and "Greetings"
    (a Basic note type, its fields in HTML)."""
    return anki_decks(
        "japanese.apkg",
        {
            "Animals": [
                (VOCABULARY_MODEL, ["猫", "ねこ", "cat", "[sound:neko.mp3]"]),
                (VOCABULARY_MODEL, ['<img src="inu.png">犬', "いぬ", "<b>dog</b>", ""]),
            ],
            "Greetings": [
                (BASIC_MODEL, ["こんにちは", "hello&nbsp;<br>good  afternoon"]),
                (BASIC_MODEL, ["<div>ありがとう</div>", "thank you"]),
            ],
        },
        media={"neko.mp3": samples.mp3(seconds=1), "inu.png": samples.image("PNG", (64, 48))},
    )
