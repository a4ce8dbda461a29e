"""The words export: CSV and JSON that import back unchanged, and an Anki deck whose notes,
ids and media Anki reads (opened here as Anki does: a zip holding SQLite and the media)."""

import io
import json
import sqlite3
import zipfile

import pytest

from langportal.jobs import exports
from langportal.jobs import services as jobs
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.jobs import exports as word_exports
from vocabulary.tests import samples


def exported(format: str, group_id: str | None = None) -> bytes:
    job = word_exports.words_export_start(format=format, group_id=group_id, actor="sensei", actor_id="sub-sensei")
    done = jobs.job_run(job.id, seconds=60)
    assert done.status == "done", done.message
    return services.object_stream(done.output_key).read()


def test_a_json_export_is_our_document_and_imports_back_unchanged(admin_export, admin_import, words):
    document = json.loads(admin_export("json"))
    assert document["groups"] == [
        {"id": words["food"].id, "name": "Food"},  # by name
        {"id": words["greetings"].id, "name": "Greetings"},
    ]
    assert [word["english"] for word in document["words"]] == ["hello", "thank you", "water", "sushi", "school"]
    assert document["words"][3]["group_ids"] == sorted([words["food"].id, words["greetings"].id], key=int)
    before = repo.words_get([word.id for word in words["words"]])
    job_page = admin_import(json.dumps(document).encode(), "words.json")
    assert "groups unchanged: 2, words unchanged: 5" in job_page
    assert repo.words_get([word.id for word in words["words"]]) == before


def test_a_csv_export_imports_back_unchanged(admin_export, admin_import, words):
    before = repo.words_get([word.id for word in words["words"]])
    assert "words unchanged: 5" in admin_import(admin_export("csv"), "words.csv")
    assert repo.words_get([word.id for word in words["words"]]) == before


def open_deck(data: bytes):
    """The deck's notes (guid, fields) and media map, and its deck and model ids."""
    package = zipfile.ZipFile(io.BytesIO(data))
    media = json.loads(package.read("media"))
    database = sqlite3.connect(":memory:")
    database.deserialize(package.read("collection.anki2"))
    notes = database.execute("select guid, mid, flds from notes order by id").fetchall()
    decks = json.loads(database.execute("select decks from col").fetchone()[0])
    models = json.loads(database.execute("select models from col").fetchone()[0])
    return package, media, notes, decks, models


def test_an_anki_deck_has_a_note_per_word_with_its_audio_and_image(words):
    water = words["words"][2]
    services.media_upload(word_id=water.id, file=samples.upload_file(samples.wav(), "water.wav", "audio/wav"))
    services.media_upload(word_id=water.id, file=samples.upload_file(samples.image(), "water.png", "image/png"))
    package, media, notes, decks, models = open_deck(exported("apkg", words["food"].id))
    assert len(notes) == 2
    fields = [note[2].split("\x1f") for note in notes]
    assert fields[0][:4] == ["水", "みず", "mizu", "water"] and fields[1][:4] == ["寿司", "すし", "sushi", "sushi"]
    assert sorted(media.values()) == [f"langportal-{water.id}-audio.wav", f"langportal-{water.id}-image.webp"]
    assert fields[0][4] == f"[sound:langportal-{water.id}-audio.wav]"
    assert fields[0][5] == f'<img src="langportal-{water.id}-image.webp">' and fields[1][4:] == ["", ""]
    by_name = {name: number for number, name in media.items()}
    assert package.read(by_name[f"langportal-{water.id}-audio.wav"]) == samples.wav()
    (model,) = models.values()
    assert [field["name"] for field in model["flds"]] == ["Japanese", "Reading", "Romaji", "English", "Audio", "Image"]
    assert "Food" in [deck["name"] for deck in decks.values()]


def test_a_re_export_updates_the_same_anki_deck_and_notes(words):
    first = open_deck(exported("apkg", words["food"].id))
    services.word_update(word_id=words["words"][2].id, english="cold water")
    again = open_deck(exported("apkg", words["food"].id))
    assert set(first[3]) == set(again[3]) and set(first[4]) == set(again[4])  # deck and model ids
    assert [note[0] for note in first[2]] == [note[0] for note in again[2]]  # each word's note guid
    assert "cold water" in again[2][0][2]
    whole = open_deck(exported("apkg"))
    assert set(whole[3]) != set(first[3]) and len(whole[2]) == 5  # the vocabulary is a deck of its own


def test_an_anki_deck_carries_media_up_to_its_bound(words, monkeypatch):
    for word in words["words"][:2]:
        services.media_upload(word_id=word.id, file=samples.upload_file(samples.wav(), "a.wav", "audio/wav"))
    monkeypatch.setattr(word_exports, "APKG_MEDIA_MAX_BYTES", len(samples.wav()) + 10)
    _, media, notes, _, _ = open_deck(exported("apkg"))
    assert list(media.values()) == [f"langportal-{words['words'][0].id}-audio.wav"]
    assert [bool(note[2].split("\x1f")[4]) for note in notes] == [True, False, False, False, False]


def test_exporting_a_missing_group_or_format_is_refused_and_starts_nothing(words):
    with pytest.raises(services.GroupNotFound):
        word_exports.words_export_start(format="csv", group_id="999", actor="sensei", actor_id="sub")
    with pytest.raises(exports.UnknownFormat):
        word_exports.words_export_start(format="xlsx", group_id=None, actor="sensei", actor_id="sub")
    assert jobs.jobs_recent() == []


def test_the_group_page_offers_the_export(teacher_browser, words):
    page = teacher_browser.get(f"/admin/vocabulary/groups/{words['food'].id}/change/").content.decode()
    assert 'id="export-form"' in page and f'name="group" value="{words["food"].id}"' in page
    assert '<option value="apkg">Anki deck</option>' in page
