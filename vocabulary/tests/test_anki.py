"""The Anki package reader (vocabulary.anki): note types, decks, notes and media of an
.apkg, and the packages it refuses."""

import zipfile

import pytest

from vocabulary import anki
from vocabulary.tests import samples


def test_a_package_lists_its_note_types_with_their_fields_and_samples(vocabulary_deck):
    with anki.package_open(vocabulary_deck) as package:
        types = {note_type.name: note_type for note_type in package.note_types}
        assert package.note_count == 4
        assert package.decks_used() == ["Animals", "Greetings"]
    assert types["Japanese vocabulary"].fields == ["Expression", "Reading", "Meaning", "Audio"]
    assert types["Japanese vocabulary"].samples[0] == {
        "Expression": "猫",
        "Reading": "ねこ",
        "Meaning": "cat",
        "Audio": "",
    }
    assert types["Basic"].samples[0] == {"Front": "こんにちは", "Back": "hello good afternoon"}


def test_notes_come_with_their_deck_fields_and_media(vocabulary_deck):
    with anki.package_open(vocabulary_deck) as package:
        notes = list(package.notes())
        media = {name: package.media(name, max_bytes=10**6) for note in notes for name in note.sounds + note.images}
    assert [(note.deck, note.fields.get("Expression") or note.fields["Front"]) for note in notes] == [
        ("Animals", "猫"),
        ("Animals", '<img src="inu.png">犬'),
        ("Greetings", "こんにちは"),
        ("Greetings", "<div>ありがとう</div>"),
    ]
    assert (notes[0].sounds, notes[0].images, notes[1].sounds, notes[1].images) == (["neko.mp3"], [], [], ["inu.png"])
    assert media == {"neko.mp3": samples.mp3(seconds=1), "inu.png": samples.image("PNG", (64, 48))}


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>dog</b>", "dog"),
        ("hello&nbsp;<br>good  afternoon", "hello good afternoon"),
        ("<div>犬</div><div>いぬ</div>", "犬 いぬ"),
        ("猫[sound:neko.mp3]", "猫"),
        ("&lt;b&gt; is bold", "<b> is bold"),
    ],
)
def test_a_fields_html_is_read_as_plain_text(html, plain):
    assert anki.text(html) == plain


def test_media_references_are_read_from_sound_tags_and_images():
    value = """[sound:a b.mp3] <img src="x&amp;y.jpg"> <IMG class=c src='z.png'> <img src=w.webp>"""
    assert (anki.sounds(value), anki.images(value)) == (["a b.mp3"], ["x&y.jpg", "z.png", "w.webp"])


def test_a_media_file_larger_than_allowed_is_refused_unread(vocabulary_deck):
    with anki.package_open(vocabulary_deck) as package, pytest.raises(anki.InvalidInput, match=r"neko\.mp3 is larger"):
        package.media("neko.mp3", max_bytes=100)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"japanese,english\n")
    with pytest.raises(anki.NotAPackage, match="not a zip archive"), anki.package_open(path):
        pass


def test_a_zip_without_a_collection_is_refused(anki_decks, vocabulary_deck):
    path = anki_decks.repacked(vocabulary_deck, "empty.apkg", {"collection.anki2": None})
    with pytest.raises(anki.NotAPackage, match="holds no collection"), anki.package_open(path):
        pass


def test_a_package_of_newer_anki_only_is_refused_saying_how_to_export_it(anki_decks, vocabulary_deck):
    path = anki_decks.repacked(vocabulary_deck, "new.apkg", {"collection.anki2": "collection.anki21b"})
    with pytest.raises(anki.NotAPackage, match='"Support older Anki versions" checked'), anki.package_open(path):
        pass


def test_a_newer_packages_placeholder_collection_is_not_read(anki_decks, vocabulary_deck):
    with zipfile.ZipFile(vocabulary_deck, "a") as archive:
        archive.writestr("collection.anki21b", b"(zstd)")
    with pytest.raises(anki.NotAPackage, match="Support older Anki versions"), anki.package_open(vocabulary_deck):
        pass


def test_an_anki21_collection_is_read_before_an_anki2(anki_decks, vocabulary_deck):
    other = anki_decks("other.apkg", {"Other": []})
    path = anki_decks.repacked(vocabulary_deck, "both.apkg", {"collection.anki2": "collection.anki21"})
    with zipfile.ZipFile(path, "a") as archive, zipfile.ZipFile(other) as placeholder:
        archive.writestr("collection.anki2", placeholder.read("collection.anki2"))
    with anki.package_open(path) as package:
        assert package.decks_used() == ["Animals", "Greetings"]


def test_a_collection_that_uncompresses_past_its_bound_is_refused(tmp_path):
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\0" * 100_001)
    assert path.stat().st_size < 1000
    too_large = pytest.raises(anki.NotAPackage, match="larger than 100000 bytes")
    with too_large, anki.package_open(path, max_collection_bytes=100_000):
        pass


def test_a_package_of_too_many_files_is_refused(tmp_path):
    path = tmp_path / "many.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(11):
            archive.writestr(str(number), b"")
    with pytest.raises(anki.NotAPackage, match="more than 10 files"), anki.package_open(path, max_members=10):
        pass


def test_a_collection_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "broken.apkg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("collection.anki2", b"not a database at all" * 100)
    with pytest.raises(anki.NotAPackage, match="collection cannot be read"), anki.package_open(path):
        pass
