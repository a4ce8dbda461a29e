"""The vocabulary pages of the admin: list, search, edit with media, groups, import, export."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from accounts import cognito
from vocabulary import media, services
from vocabulary import repositories as repo
from vocabulary.serializers import ENGLISH_MAX_LENGTH, GROUP_NAME_MAX_LENGTH, JAPANESE_MAX_LENGTH

from . import samples


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_index_lists_vocabulary_and_study_records(teacher_browser, words):
    html = page(teacher_browser, "/admin/")
    for link in (
        "/admin/vocabulary/words/",
        "/admin/vocabulary/groups/",
        "/admin/lrs/statistics/",
        "/admin/lrs/students/",
    ):
        assert link in html


def test_words_are_listed_sorted_filtered_and_searched(teacher_browser, words):
    html = page(teacher_browser, "/admin/vocabulary/words/")
    assert "こんにちは" in html and "5 words" in html
    by_english = page(teacher_browser, "/admin/vocabulary/words/", o="-english")
    assert by_english.index("water") < by_english.index("hello")
    food = page(teacher_browser, "/admin/vocabulary/words/", group=words["food"].id)
    assert "寿司" in food and "こんにちは" not in food
    found = page(teacher_browser, "/admin/vocabulary/words/", q="sus")
    assert "寿司" in found and "学校" not in found and "1 match" in found


def test_the_list_sorts_by_the_apis_orders_only(teacher_browser, words):
    html = page(teacher_browser, "/admin/vocabulary/words/")
    for order in services.SORT_ORDERS:
        assert f'href="?o={order}"' in html or f'href="?o=-{order}"' in html, order
    refused = teacher_browser.get("/admin/vocabulary/words/", {"o": "-kana"})
    assert refused.status_code == 400 and ", ".join(services.SORT_ORDERS) in refused.content.decode()


def test_the_list_pages(teacher_browser, aws):
    for number in range(55):
        services.word_create(japanese=f"語{number}", kana="ご", english=f"word {number:02d}")
    first = page(teacher_browser, "/admin/vocabulary/words/")
    second = page(teacher_browser, "/admin/vocabulary/words/", p=2)
    assert "word 00" in first and "word 54" not in first
    assert "word 54" in second and '<span class="this-page">2</span>' in second


def test_adding_a_word_computes_romaji_and_records_who(teacher_browser, words):
    response = teacher_browser.post(
        "/admin/vocabulary/words/add/",
        {"japanese": "猫", "english": "cat", "part_of_speech": "noun", "group_ids": ["2"]},
    )
    assert response.status_code == 302
    word = repo.word_get("6")
    assert (word.romaji, word.kana, word.group_ids) == ("neko", "ねこ", {"2"})
    assert [(event.actor, event.action) for event in services.word_history(word_id="6")] == [("sensei", "create")]


def test_errors_show_next_to_their_fields(teacher_browser, words):
    response = teacher_browser.post("/admin/vocabulary/words/add/", {"japanese": "cat", "english": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Must contain Japanese script" in html and "This field is required." in html
    assert repo.word_get("6") is None


def test_editing_with_audio_and_image(teacher_browser, words):
    url = "/admin/vocabulary/words/3/change/"
    response = teacher_browser.post(
        url,
        {
            "japanese": "水",
            "kana": "みず",
            "english": "water (cold)",
            "part_of_speech": "noun",
            "group_ids": ["2"],
            "audio": SimpleUploadedFile("mizu.wav", samples.wav(), "audio/wav"),
            "image": SimpleUploadedFile("mizu.png", samples.image("PNG"), "image/png"),
        },
    )
    assert response.status_code == 302
    html = page(teacher_browser, url)
    assert '<audio controls src="' in html and 'id="image-preview"' in html
    assert "water (cold)" in html and "upload image" in html and "sensei" in html  # the history
    assert repo.word_get("3").audio_duration == 1.0


def test_a_refused_file_is_explained_next_to_its_field(teacher_browser, words):
    response = teacher_browser.post(
        "/admin/vocabulary/words/3/change/",
        {
            "japanese": "水",
            "english": "water",
            "audio": SimpleUploadedFile("notes.txt", b"text", "text/plain"),
        },
    )
    assert response.status_code == 200
    assert "Upload audio or an image" in response.content.decode()
    assert repo.word_get("3").audio_key is None


def test_the_word_form_states_the_apis_limits_and_formats(teacher_browser, aws):
    html = page(teacher_browser, "/admin/vocabulary/words/add/")
    for name, limit in (
        ("japanese", JAPANESE_MAX_LENGTH),
        ("kana", services.KANA_MAX_LENGTH),
        ("romaji", services.ROMAJI_MAX_LENGTH),
        ("english", ENGLISH_MAX_LENGTH),
    ):
        assert re.search(rf'name="{name}"[^>]*maxlength="{limit}"', html), name
    assert f"At most {services.MAX_GROUPS_PER_WORD}." in html
    up_to = filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES)
    for kind in ("audio", "image"):
        formats = [extension for extension, media_type in media.ACCEPTED.items() if media_type.kind == kind]
        assert f"{', '.join(formats[:-1])} or {formats[-1]}, up to {up_to}" in html, kind


def test_a_too_long_japanese_is_refused_once_next_to_its_field(teacher_browser, aws):
    response = teacher_browser.post(
        "/admin/vocabulary/words/add/", {"japanese": "語" * (JAPANESE_MAX_LENGTH + 1), "english": "word"}
    )
    field = response.content.decode().split('class="form-row field-japanese', 1)[1].split('class="form-row', 1)[0]
    assert response.status_code == 200
    assert f"at most {JAPANESE_MAX_LENGTH} characters" in field and "This field is required." not in field
    assert services.words_total() == 0


def test_a_group_name_is_held_to_the_apis_limit(teacher_browser, aws):
    html = page(teacher_browser, "/admin/vocabulary/groups/")
    assert re.search(rf'name="name"[^>]*maxlength="{GROUP_NAME_MAX_LENGTH}"', html)
    response = teacher_browser.post("/admin/vocabulary/groups/", {"name": "g" * (GROUP_NAME_MAX_LENGTH + 1)})
    assert response.status_code == 200 and services.groups_list(page=1, per_page=1).total == 0


def test_deleting_asks_first(teacher_browser, words):
    assert "Yes, delete it" in page(teacher_browser, "/admin/vocabulary/words/5/delete/")
    assert repo.word_get("5") is not None
    assert teacher_browser.post("/admin/vocabulary/words/5/delete/").status_code == 302
    assert repo.word_get("5") is None


def test_romaji_is_suggested_as_the_teacher_types(teacher_browser, aws):
    assert teacher_browser.get(
        "/admin/vocabulary/words/romaji/", {"japanese": "お母さん", "kana": "おかあさん"}
    ).json() == {"kana": "おかあさん", "romaji": "okaasan"}
    assert teacher_browser.get("/admin/vocabulary/words/romaji/", {"japanese": "学校"}).json()["romaji"] == "gakkou"


@pytest.mark.parametrize("japanese", ["こんにちは", "勉強します", "ラーメン"])
def test_the_suggested_romaji_is_what_saving_stores(teacher_browser, aws, japanese):
    suggested = teacher_browser.get("/admin/vocabulary/words/romaji/", {"japanese": japanese}).json()
    word = services.word_create(japanese=japanese, english="a word")
    assert suggested == {"kana": word.kana, "romaji": word.romaji}


def test_managing_groups(teacher_browser, words):
    response = teacher_browser.post("/admin/vocabulary/groups/", {"name": "Animals"})
    assert response.status_code == 302
    group_id = response["Location"].rstrip("/").split("/")[-2]
    url = f"/admin/vocabulary/groups/{group_id}/change/"
    teacher_browser.post(url, {"action": "rename", "name": "Zoo"})
    teacher_browser.post(url, {"action": "add", "word_ids": "1, 3"})
    teacher_browser.post(url, {"action": "remove", "word_id": "1"})
    group = services.group_get(group_id=group_id)
    assert (group.name, group.word_count) == ("Zoo", 1)
    html = page(teacher_browser, url)
    assert "水" in html
    assert re.search(r"<td>sensei</td><td>update</td>\s*<td>Animals</td><td>Zoo</td>", html)  # its history
    refused = teacher_browser.post(url, {"action": "add", "word_ids": "99"})
    assert "No word with id 99." in refused.content.decode()
    teacher_browser.post(f"/admin/vocabulary/groups/{group_id}/delete/")
    assert repo.group_get(group_id) is None
    assert repo.word_get("3").group_ids == {"2"}


def test_import_previews_then_writes(admin_import, words):
    csv = (
        "id,japanese,kana,romaji,english,part_of_speech,group_ids\n"
        ",犬,いぬ,,dog,noun,2\n"
        "1,こんにちは,こんにちは,konnichiwa,good afternoon,expression,1\n"
        ",dog,,,dog,,\n"
        "77,鳥,とり,,bird,noun,\n"
    ).encode()
    html = admin_import.preview(csv)
    assert "3 rows can be imported; 1 row has errors" in html
    assert "Must contain Japanese script" in html and "create 77" in html and "update 1" in html
    assert repo.word_get("6") is None  # nothing written yet
    job_page = admin_import.confirm(html)
    assert 'value="4"' in job_page and "4 / 4" in job_page
    assert "rejected: 1, words created: 2, words updated: 1" in job_page
    assert repo.word_get("78").english == "dog"  # a fresh id, past the imported 77
    assert repo.word_get("77").english == "bird"
    assert repo.word_get("1").english == "good afternoon"


def test_an_export_of_a_group_is_its_words_as_csv(admin_export, words):
    rows = admin_export("csv", group=words["food"].id).decode().splitlines()
    assert rows[0] == "id,japanese,kana,romaji,english,part_of_speech,group_ids"
    assert [row.split(",")[4] for row in rows[1:]] == ["water", "sushi"]  # in the order they were made


def test_an_export_imports_back_as_it_was(admin_export, admin_import):
    """Cells that start like formulas leave with a quote in front and come back without it."""
    exported = [
        services.word_create(japanese="=猫", kana="ねこ", romaji="-neko", english="@cat"),
        services.word_create(japanese="+犬", kana="いぬ", romaji="inu", english="'=quoted dog"),
    ]
    csv = admin_export("csv")
    assert b"'=\xe7\x8c\xab,\xe3\x81\xad\xe3\x81\x93,'-neko,'@cat" in csv
    for word in exported:
        services.word_update(word_id=word.id, japanese="鳥", romaji="tori", english="bird")
    preview = admin_import.preview(csv)
    assert "2 rows can be imported" in preview
    assert "words updated: 2" in admin_import.confirm(preview)
    imported = services.words_get(word_ids=[word.id for word in exported])
    fields = ("japanese", "kana", "romaji", "english")
    assert [[getattr(word, name) for name in fields] for word in imported] == [
        [getattr(word, name) for name in fields] for word in exported
    ]


def test_students_and_strangers_are_sent_to_sign_in(make_tokens, words, db):
    assert Client().get("/admin/vocabulary/words/").status_code == 302
    token = make_tokens("hana").id_token
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/admin/vocabulary/words/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_posts_need_the_csrf_token(make_tokens, words, db):
    make_tokens("sensei", "teachers")
    client = Client(enforce_csrf_checks=True)
    login = client.get("/admin/login/")
    token = login.cookies["csrftoken"].value
    client.post(
        "/admin/login/",
        {"username": "sensei", "password": cognito._remembered()["sensei"], "csrfmiddlewaretoken": token},
    )
    assert client.post("/admin/vocabulary/words/5/delete/").status_code == 403
    assert repo.word_get("5") is not None
    # The forms that take files check the token themselves, after their upload limits are set.
    assert client.post("/admin/vocabulary/words/5/change/", {"japanese": "猫", "english": "cat"}).status_code == 403
    assert client.post("/admin/vocabulary/words/add/", {"japanese": "猫", "english": "cat"}).status_code == 403
    csv = SimpleUploadedFile("w.csv", b"id,japanese,english\n,\xe7\x8c\xab,cat\n")
    assert client.post("/admin/vocabulary/words/import/", {"file": csv}).status_code == 403
    assert repo.word_get("5").english == "school" and services.words_total() == 5


@pytest.fixture
def json_document():
    return io.BytesIO(b'{"words": [{"japanese": "\\u732b", "english": "cat"}]}')


def test_json_documents_import_too(teacher_browser, words, json_document):
    preview = teacher_browser.post(
        "/admin/vocabulary/words/import/", {"file": SimpleUploadedFile("w.json", json_document.read())}
    )
    assert "1 row can be imported" in preview.content.decode()
