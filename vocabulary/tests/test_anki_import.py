"""Anki decks imported as jobs (vocabulary.jobs.anki), from the admin's import page and
`manage.py import_words`: words by the one import rule, a group per deck, the notes'
media checked as uploads are, and importing a deck twice changes nothing."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from langportal.jobs import services as jobs
from langportal.jobs import worker
from vocabulary import anki, services
from vocabulary.jobs import anki as anki_imports
from vocabulary.tests import samples
from vocabulary.tests.conftest import BASIC_MODEL, VOCABULARY_MODEL

IMPORT_URL = "/admin/vocabulary/words/import/"
MAPPING = {
    VOCABULARY_MODEL.model_id: {"japanese": "Expression", "reading": "Reading", "english": "Meaning"},
    BASIC_MODEL.model_id: {"japanese": "Front", "reading": None, "english": "Back"},
}


def mapping_for(*models) -> dict:
    return {str(model.model_id): MAPPING[model.model_id] for model in models}


def start(path, *, mapping=None, deck_groups=True):
    mapping = mapping or mapping_for(VOCABULARY_MODEL, BASIC_MODEL)
    key = anki_imports.anki_file_store(file=ContentFile(path.read_bytes()))
    return anki_imports.anki_job_start(
        name=path.name, key=key, mapping=mapping, deck_groups=deck_groups, actor="sensei", actor_id="sensei-sub"
    )


def run(job):
    return jobs.job_run(job.id, seconds=600, clock=lambda: 0.0)


def stored_words() -> dict:
    page = services.words_list(page=1, per_page=100, sort_by="created_at", descending=False)
    return {word.japanese: word for word in page.items}


def groups_by_name() -> dict:
    return {group.name: group for group in services.groups_list(page=1, per_page=100).items}


def errors_of(job) -> list[tuple[int, str]]:
    return [(error.row, error.message) for error in jobs.job_errors(job_id=job.id)]


# --- the job ---------------------------------------------------------------------------


def test_a_deck_imports_its_words_into_a_group_per_deck_with_their_media(aws, vocabulary_deck):
    job = run(start(vocabulary_deck))
    assert (job.status, job.total, job.counts) == ("done", 6, {"groups created": 2, "words created": 4})
    groups, words = groups_by_name(), stored_words()
    assert {name: group.word_count for name, group in groups.items()} == {"Animals": 2, "Greetings": 2}
    assert {japanese: (word.kana, word.english) for japanese, word in words.items()} == {
        "猫": ("ねこ", "cat"),
        "犬": ("いぬ", "dog"),
        "こんにちは": ("こんにちは", "hello good afternoon"),
        "ありがとう": ("ありがとう", "thank you"),
    }
    assert words["猫"].romaji == "neko" and words["猫"].group_ids == {groups["Animals"].id}
    assert words["こんにちは"].group_ids == {groups["Greetings"].id}
    cat, dog = services.word_get(word_id=words["猫"].id), services.word_get(word_id=words["犬"].id)
    assert (cat.audio_format, cat.image_key, dog.audio_key, dog.image_width) == ("mp3", None, None, 64)
    assert services.object_stream(cat.audio_key).read() == samples.mp3(seconds=1)
    assert [event.actor for event in services.word_history(word_id=cat.id)] == ["sensei"] * 3


def test_importing_the_same_deck_twice_changes_nothing_the_second_time(aws, vocabulary_deck):
    run(start(vocabulary_deck))
    before = {japanese: services.word_get(word_id=word.id) for japanese, word in stored_words().items()}
    again = run(start(vocabulary_deck))
    assert again.counts == {"groups unchanged": 2, "words unchanged": 4}
    assert {japanese: services.word_get(word_id=word.id) for japanese, word in stored_words().items()} == before
    assert {group.word_count for group in groups_by_name().values()} == {2}


def test_a_row_run_again_after_its_job_was_cut_attaches_its_media_once(aws, vocabulary_deck, monkeypatch):
    job = start(vocabulary_deck)
    real = anki_imports.media_upload

    def upload_then_die(**arguments):
        real(**arguments)
        raise KeyboardInterrupt  # the worker dies right after the first upload, before its row is saved

    monkeypatch.setattr(anki_imports, "media_upload", upload_then_die)
    with pytest.raises(KeyboardInterrupt):
        run(job)
    monkeypatch.setattr(anki_imports, "media_upload", real)
    cat_id = stored_words()["猫"].id
    first_audio = services.word_get(word_id=cat_id).audio_key
    lease = jobs.job_get(job_id=job.id).lease_until
    finished = jobs.job_run(job.id, seconds=600, clock=lambda: 0.0, now=lambda: lease.replace(year=lease.year + 1))
    assert finished.counts == {"groups created": 2, "words created": 4}
    assert services.word_get(word_id=cat_id).audio_key == first_audio
    assert [event.action for event in services.word_history(word_id=cat_id)].count("upload audio") == 1


def test_without_deck_groups_the_words_join_no_group(aws, vocabulary_deck):
    job = run(start(vocabulary_deck, deck_groups=False))
    assert job.counts == {"words created": 4}
    assert groups_by_name() == {} and {frozenset(word.group_ids) for word in stored_words().values()} == {frozenset()}


def test_a_word_already_in_the_vocabulary_joins_the_decks_group_and_keeps_its_own_media(aws, vocabulary_deck):
    food = services.group_create(name="Food")
    cat = services.word_create(japanese="猫", kana="ねこ", english="cat", group_ids=[food.id])
    services.media_upload(word_id=cat.id, file=ContentFile(samples.wav(), name="own.wav"))
    own_audio = services.word_get(word_id=cat.id).audio_key
    job = run(start(vocabulary_deck))
    assert job.counts == {"groups created": 2, "words created": 3, "words updated": 1}
    stored = services.word_get(word_id=cat.id)
    assert stored.group_ids == {food.id, groups_by_name()["Animals"].id}
    assert stored.audio_key == own_audio


def test_a_note_whose_media_fails_the_upload_checks_is_left_out_saying_why(aws, anki_decks):
    deck = anki_decks(
        "bad-media.apkg",
        {"Animals": [(VOCABULARY_MODEL, ["猫", "ねこ", "cat", "[sound:neko.mp3]"]), (BASIC_MODEL, ["犬", "dog"])]},
        media={"neko.mp3": b"MZ this is a program, not a sound"},
    )
    job = run(start(deck))
    assert job.counts == {"groups created": 1, "words created": 1, "rejected": 1}
    assert errors_of(job) == [(2, "neko.mp3: Upload audio or an image: jpg, m4a, mp3, ogg, png, wav, webp.")]
    assert set(stored_words()) == {"犬"}  # nothing of the rejected note was written


def test_a_sound_that_is_an_image_is_left_out(aws, anki_decks):
    deck = anki_decks(
        "swapped.apkg",
        {"Animals": [(VOCABULARY_MODEL, ["猫", "ねこ", "cat", "[sound:neko.png]"])]},
        media={"neko.png": samples.image("PNG", (8, 8))},
    )
    job = run(start(deck, mapping=mapping_for(VOCABULARY_MODEL), deck_groups=False))
    assert errors_of(job) == [(1, "neko.png: the note plays it as audio, but it is image.")]


def test_a_media_file_over_the_upload_limit_is_left_out(aws, vocabulary_deck, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1000
    job = run(start(vocabulary_deck, deck_groups=False))
    assert errors_of(job) == [(1, "neko.mp3 is larger than 1000 bytes.")]
    assert set(stored_words()) == {"犬", "こんにちは", "ありがとう"}


def test_a_reference_to_a_file_the_deck_lacks_is_passed_over(aws, anki_decks):
    deck = anki_decks("missing.apkg", {"Animals": [(VOCABULARY_MODEL, ["猫", "ねこ", "cat", "[sound:gone.mp3]"])]})
    job = run(start(deck, mapping=mapping_for(VOCABULARY_MODEL)))
    assert job.counts == {"groups created": 1, "words created": 1}
    assert services.word_get(word_id=stored_words()["猫"].id).audio_key is None


def test_a_note_without_its_japanese_or_a_second_note_for_a_word_is_left_out(aws, anki_decks):
    deck = anki_decks(
        "notes.apkg",
        {"Words": [(BASIC_MODEL, ["猫", "cat"]), (BASIC_MODEL, ["<br>", "nothing"]), (BASIC_MODEL, ["猫", "cat "])]},
    )
    job = run(start(deck, mapping=mapping_for(BASIC_MODEL), deck_groups=False))
    assert job.counts == {"words created": 1, "rejected": 2}
    (empty, empty_reason), (again, again_reason) = errors_of(job)
    assert (empty, again) == (2, 3)
    assert empty_reason.startswith("This word cannot be imported.; japanese:")
    assert again_reason == "An earlier note of the deck names this word already."


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"japanese": "Front", "english": "Verso"},
            "The note type Basic has no field Verso: its fields are Front, Back.",
        ),
        ({"japanese": "Front"}, "Choose the English field of the note type Basic."),
        ({"japanese": "Front", "english": "Front"}, "Choose a different field for each"),
    ],
)
def test_a_job_whose_mapping_names_no_field_of_its_note_type_fails_before_any_row(aws, anki_decks, mapping, message):
    deck = anki_decks("basic.apkg", {"Words": [(BASIC_MODEL, ["猫", "cat"])]})
    job = run(start(deck, mapping={str(BASIC_MODEL.model_id): mapping}))
    assert (job.status, job.done) == ("failed", 0) and job.message.startswith(message)
    assert services.words_total() == 0


def test_a_package_that_cannot_be_read_fails_its_job_with_why(aws, tmp_path):
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"japanese,english\n")
    job = run(start(path))
    assert (job.status, job.message) == ("failed", "The file is not an Anki package (.apkg): it is not a zip archive.")


def test_a_zip_bomb_fails_its_job_unread(aws, tmp_path):
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", b"\0" * (anki.MAX_COLLECTION_BYTES + 1))
    job = run(start(path))
    assert job.status == "failed" and "larger than 134217728 bytes, once uncompressed" in job.message


def test_the_package_is_deleted_once_imported(aws, vocabulary_deck):
    job = start(vocabulary_deck)
    run(job)
    with pytest.raises(Exception, match="NoSuchKey"):
        services.object_stream(job.input_key).read()


# --- the admin ---------------------------------------------------------------------------


def upload(browser, path, name=None):
    return browser.post(IMPORT_URL, {"file": SimpleUploadedFile(name or path.name, path.read_bytes())})


def mapping_form(page: str) -> dict:
    """The mapping step's form as the browser would post it: its token and the selects'
    chosen options, the deck-groups box as it is."""
    from html.parser import HTMLParser

    values: dict = {}

    class Form(HTMLParser):
        select = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("type") == "hidden":
                values[attrs["name"]] = attrs["value"]
            elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
                values[attrs["name"]] = "on"
            elif tag == "select":
                self.select = attrs["name"]
                values.setdefault(self.select, "")
            elif tag == "option" and "selected" in attrs:
                values[self.select] = attrs.get("value", "")

    Form().feed(page.split('id="anki_mapping"', 1)[1].split("</form>", 1)[0])
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_an_uploaded_deck_shows_its_note_types_with_guessed_fields_and_a_preview(teacher_browser, aws, vocabulary_deck):
    response = upload(teacher_browser, vocabulary_deck)
    page = response.content.decode()
    assert response.status_code == 200
    chosen = mapping_form(page)
    vocabulary_type, basic = VOCABULARY_MODEL.model_id, BASIC_MODEL.model_id
    assert {name: value for name, value in chosen.items() if name.startswith("type-")} == {
        f"type-{vocabulary_type}-japanese": "Expression",
        f"type-{vocabulary_type}-reading": "Reading",
        f"type-{vocabulary_type}-english": "Meaning",
        f"type-{basic}-japanese": "Front",
        f"type-{basic}-reading": "",
        f"type-{basic}-english": "Back",
    }
    assert chosen["deck_groups"] == "on"
    preview = page.split('id="anki-preview"', 1)[1]
    assert preview.index("猫") < preview.index("ねこ") < preview.index("cat") < preview.index("neko.mp3")
    assert "hello good afternoon" in preview and "Greetings" in preview
    assert services.words_total() == 0  # nothing is written before the import is confirmed


def test_confirming_the_mapping_starts_the_job_and_shows_its_page(teacher_browser, aws, vocabulary_deck):
    chosen = mapping_form(upload(teacher_browser, vocabulary_deck).content.decode())
    chosen[f"type-{VOCABULARY_MODEL.model_id}-english"] = "Reading"
    chosen[f"type-{VOCABULARY_MODEL.model_id}-reading"] = ""
    del chosen["deck_groups"]
    answer = teacher_browser.post(IMPORT_URL, chosen | {"action": "start"})
    assert answer.status_code == 302
    job_id = answer["Location"].rstrip("/").rsplit("/", 1)[1]
    assert answer["Location"] == f"/admin/jobs/{job_id}/"
    job = jobs.job_get(job_id=job_id)
    assert (job.kind, job.status, job.actor, job.options["deck_groups"]) == ("import_anki", "queued", "sensei", False)
    chosen_mapping = {"japanese": "Expression", "reading": None, "english": "Reading"}
    assert job.options["mapping"][str(VOCABULARY_MODEL.model_id)] == chosen_mapping
    while worker.poll_once():
        pass
    assert jobs.job_get(job_id=job_id).counts == {"words created": 4}
    assert stored_words()["猫"].english == "ねこ"
    assert groups_by_name() == {}


def test_previewing_a_changed_mapping_shows_the_rows_as_mapped_and_starts_nothing(
    teacher_browser, aws, vocabulary_deck
):
    chosen = mapping_form(upload(teacher_browser, vocabulary_deck).content.decode())
    chosen[f"type-{VOCABULARY_MODEL.model_id}-english"] = "Reading"
    chosen[f"type-{VOCABULARY_MODEL.model_id}-reading"] = ""
    response = teacher_browser.post(IMPORT_URL, chosen | {"action": "preview"})
    assert response.status_code == 200
    preview = response.content.decode().split('id="anki-preview"', 1)[1]
    assert "<td>ねこ</td>" in preview and "<td>cat</td>" not in preview
    assert jobs.jobs_recent() == []


def test_a_mapping_that_repeats_a_field_is_a_form_error(teacher_browser, aws, vocabulary_deck):
    chosen = mapping_form(upload(teacher_browser, vocabulary_deck).content.decode())
    chosen[f"type-{BASIC_MODEL.model_id}-english"] = "Front"
    response = teacher_browser.post(IMPORT_URL, chosen | {"action": "start"})
    assert response.status_code == 400
    assert "Choose a different field for each of Japanese, Reading and English of Basic." in response.content.decode()
    assert jobs.jobs_recent() == []


def test_a_mapping_naming_a_field_its_note_type_lacks_is_a_form_error(teacher_browser, aws, vocabulary_deck):
    chosen = mapping_form(upload(teacher_browser, vocabulary_deck).content.decode())
    chosen[f"type-{BASIC_MODEL.model_id}-english"] = "Verso"
    chosen.pop(f"type-{VOCABULARY_MODEL.model_id}-japanese")
    response = teacher_browser.post(IMPORT_URL, chosen | {"action": "start"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice. Verso is not one of the available choices." in page
    assert "This field is required." in page
    assert jobs.jobs_recent() == []


def test_a_tampered_or_expired_deck_token_asks_for_the_file_again(teacher_browser, aws, vocabulary_deck):
    chosen = mapping_form(upload(teacher_browser, vocabulary_deck).content.decode())
    response = teacher_browser.post(IMPORT_URL, chosen | {"anki_token": "forged", "action": "start"}, follow=True)
    assert "That import has expired; upload the file again." in response.content.decode()
    assert jobs.jobs_recent() == []


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ({"collection.anki2": None}, "it holds no collection"),
        ({"collection.anki2": "collection.anki21b"}, "Support older Anki versions"),
    ],
)
def test_a_package_that_cannot_be_read_is_a_form_error(
    teacher_browser, aws, anki_decks, vocabulary_deck, rename, message
):
    path = anki_decks.repacked(vocabulary_deck, "broken.apkg", rename)
    response = upload(teacher_browser, path)
    assert response.status_code == 200 and 'id="anki_mapping"' not in response.content.decode()
    assert message in response.content.decode().replace("&quot;", '"')
    assert jobs.jobs_recent() == []


def test_a_file_that_is_not_a_zip_is_a_form_error(teacher_browser, aws, tmp_path):
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"japanese,english\n")
    response = upload(teacher_browser, path)
    assert "The file is not an Anki package (.apkg): it is not a zip archive." in response.content.decode()


# --- the command ----------------------------------------------------------------------------


def import_words(path, *options) -> str:
    out = io.StringIO()
    call_command("import_words", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_imports_a_deck_with_the_fields_its_names_suggest(aws, vocabulary_deck):
    out = import_words(vocabulary_deck, "--deck-groups", "--actor", "ops")
    assert "Imported 6 rows: groups created: 2, words created: 4." in out
    assert stored_words()["猫"].kana == "ねこ" and set(groups_by_name()) == {"Animals", "Greetings"}
    assert "groups unchanged: 2, words unchanged: 4" in import_words(vocabulary_deck, "--deck-groups")


def test_the_command_takes_the_fields_to_map(aws, anki_decks):
    deck = anki_decks("basic.apkg", {"Words": [(BASIC_MODEL, ["cat", "猫"])]})
    out = import_words(deck, "--japanese", "Back", "--english", "Front")
    assert "words created: 1" in out and stored_words()["猫"].english == "cat"
    assert groups_by_name() == {}


def test_the_command_refuses_a_field_a_note_type_lacks_or_a_package_it_cannot_read(aws, vocabulary_deck, tmp_path):
    with pytest.raises(CommandError, match="The note type Basic has no field Expression"):
        import_words(vocabulary_deck, "--japanese", "Expression")
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a zip archive"):
        import_words(path)
    assert jobs.jobs_recent() == []
