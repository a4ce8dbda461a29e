"""GET/POST /api/words and /api/words/{id}: the spec's shape, paging, sorting, rules."""

from dataclasses import replace

import pytest
from rest_framework import serializers

from lrs.services.words import StudiedWord
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.serializers import WordOutput

SPEC_WORD_KEYS = {"id", "japanese", "romaji", "english", "media_url"}
SPEC_PAGINATION = {"current_page", "total_pages", "total_items", "items_per_page"}


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


# --- listing -------------------------------------------------------------------------


def test_list_has_the_spec_shape(student_api, words):
    body = student_api.get("/api/words").json()
    assert set(body) == {"items", "pagination"}
    assert set(body["items"][0]) >= SPEC_WORD_KEYS
    assert body["items"][0] == {
        **body["items"][0],
        "id": "1",
        "japanese": "こんにちは",
        "romaji": "konnichiwa",
        "english": "hello",
        "media_url": None,
    }
    assert body["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 5, "items_per_page": 20}


def test_pages_split_the_list(student_api, words):
    first = student_api.get("/api/words?per_page=2").json()
    third = student_api.get("/api/words?per_page=2&page=3").json()
    assert [item["id"] for item in first["items"]] == ["1", "2"]
    assert [item["id"] for item in third["items"]] == ["5"]
    assert third["pagination"] == {"current_page": 3, "total_pages": 3, "total_items": 5, "items_per_page": 2}


def test_empty_vocabulary_has_an_empty_first_page(student_api):
    body = student_api.get("/api/words").json()
    assert body == {
        "items": [],
        "pagination": {"current_page": 1, "total_pages": 0, "total_items": 0, "items_per_page": 20},
    }


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=0", "per_page"),
        ("sort_by=colour", "sort_by"),
        ("order=up", "order"),
        ("page=-1", "page"),
    ],
)
def test_bad_query_parameters_are_400(student_api, words, query, parameter, api_error):
    error = api_error(student_api.get(f"/api/words?{query}"), 400, "invalid")
    assert parameter in error["details"]


def test_page_past_the_end_is_404(student_api, words, api_error):
    error = api_error(student_api.get("/api/words?page=2"), 404, "page_out_of_range")
    assert error["details"] == {"total_pages": 1}


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("created_at", ["1", "2", "3", "4", "5"]),
        ("japanese", ["2", "5", "1", "4", "3"]),  # by reading: ありがとう がっこう こんにちは すし みず
        ("romaji", ["2", "5", "1", "3", "4"]),  # arigatou gakkou konnichiwa mizu sushi
        ("english", ["1", "5", "4", "2", "3"]),  # hello school sushi thank you water
    ],
)
def test_sort_orders_both_ways(student_api, words, sort_by, expected):
    assert ids(student_api.get(f"/api/words?sort_by={sort_by}")) == expected
    assert ids(student_api.get(f"/api/words?sort_by={sort_by}&order=desc")) == expected[::-1]


def test_group_filter(student_api, words):
    food = words["food"].id
    response = student_api.get(f"/api/words?group_id={food}&sort_by=english")
    assert ids(response) == ["4", "3"]
    assert response.json()["pagination"]["total_items"] == 2


def test_filter_by_unknown_group_is_404(student_api, words, api_error):
    api_error(student_api.get("/api/words?group_id=999"), 404, "group_not_found")


def test_word_detail(student_api, words):
    body = student_api.get("/api/words/3").json()
    assert (body["japanese"], body["kana"], body["romaji"], body["group_ids"]) == ("水", "みず", "mizu", ["2"])


@pytest.mark.parametrize("word_id", ["999", "abc", "0"])
def test_unknown_word_is_404(student_api, words, word_id, api_error):
    api_error(student_api.get(f"/api/words/{word_id}"), 404, "word_not_found")


# --- creating ------------------------------------------------------------------------


def test_teacher_creates_a_word_with_computed_kana_and_romaji(teacher_api, words):
    response = teacher_api.post(
        "/api/words", {"japanese": "ｺｰﾋｰ", "english": "coffee", "part_of_speech": "noun"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["japanese"], body["kana"], body["romaji"]) == ("6", "コーヒー", "コーヒー", "koohii")
    stored = repo.word_get("6")
    assert (stored.english, stored.part_of_speech) == ("coffee", "noun")
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 6


def test_greeting_romaji_reads_the_particle_as_wa(teacher_api, aws):
    body = teacher_api.post("/api/words", {"japanese": "こんばんは", "english": "good evening"}, format="json").json()
    assert body["romaji"] == "konbanwa"


def test_given_reading_drives_the_romaji(teacher_api, aws):
    body = teacher_api.post(
        "/api/words", {"japanese": "お母さん", "kana": "おかあさん", "english": "mother"}, format="json"
    ).json()
    assert (body["kana"], body["romaji"]) == ("おかあさん", "okaasan")


def test_given_romaji_is_kept(teacher_api, aws):
    body = teacher_api.post(
        "/api/words", {"japanese": "天ぷら", "romaji": "tempura", "english": "tempura"}, format="json"
    ).json()
    assert body["romaji"] == "tempura"


def test_computed_romaji_is_held_to_the_romaji_limit(teacher_api, aws, api_error):
    error = api_error(
        teacher_api.post("/api/words", {"japanese": "学校" * 50, "english": "schools"}, format="json"), 400, "invalid"
    )
    assert error["message"].startswith("The romaji computed from the Japanese would be 349 characters long")
    assert list(error["details"]) == ["romaji"]
    assert services.words_total() == 0


def test_given_romaji_spares_the_computed_one(teacher_api, aws):
    body = {"japanese": "学校" * 50, "romaji": "gakkou", "english": "schools"}
    assert teacher_api.post("/api/words", body, format="json").status_code == 201


def test_word_joins_its_groups(teacher_api, words):
    food = words["food"]
    body = teacher_api.post(
        "/api/words", {"japanese": "パン", "english": "bread", "group_ids": [food.id]}, format="json"
    ).json()
    assert body["group_ids"] == [food.id]
    assert teacher_api.get(f"/api/groups/{food.id}").json()["word_count"] == 3
    assert "6" in ids(teacher_api.get(f"/api/groups/{food.id}/words"))


def test_student_cannot_create_words(student_api, words, api_error):
    response = student_api.post("/api/words", {"japanese": "猫", "english": "cat"}, format="json")
    api_error(response, 403, "permission_denied")
    assert repo.word_get("6") is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"english": "cat"}, "japanese"),
        ({"japanese": "猫"}, "english"),
        ({"japanese": "cat", "english": "cat"}, "japanese"),
        ({"japanese": "猫" * 101, "english": "cat"}, "japanese"),
        ({"japanese": 123, "english": "cat"}, "japanese"),
        ({"japanese": "猫", "english": ["cat"]}, "english"),
        ({"japanese": "猫", "english": ""}, "english"),
        ({"japanese": "猫", "english": "cat", "kana": "neko"}, "kana"),
        ({"japanese": "猫", "english": "cat", "romaji": "猫"}, "romaji"),
        ({"japanese": "猫", "english": "cat", "part_of_speech": "animal"}, "part_of_speech"),
        ({"japanese": "猫", "english": "cat", "group_ids": "1"}, "group_ids"),
        ({"japanese": "猫", "english": "cat", "group_ids": [str(n) for n in range(7)]}, "group_ids"),
    ],
)
def test_invalid_words_are_400_and_not_stored(teacher_api, aws, body, field, api_error):
    error = api_error(teacher_api.post("/api/words", body, format="json"), 400, "invalid")
    assert field in error["details"]
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 0


def test_unknown_group_is_404_and_nothing_is_stored(teacher_api, words, api_error):
    response = teacher_api.post(
        "/api/words", {"japanese": "猫", "english": "cat", "group_ids": ["1", "77"]}, format="json"
    )
    error = api_error(response, 404, "group_not_found")
    assert error["details"] == {"group_ids": ["77"]}
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 5
    assert teacher_api.get("/api/groups/1").json()["word_count"] == 3


def test_body_that_is_not_an_object_is_400(teacher_api, aws, api_error):
    api_error(teacher_api.post("/api/words", ["猫"], format="json"), 400, "invalid")


def test_malformed_json_is_400(teacher_api, aws, api_error):
    response = teacher_api.post("/api/words", '{"japanese": ', content_type="application/json")
    api_error(response, 400, "parse_error")


# --- changing ------------------------------------------------------------------------


def test_patch_changes_only_what_is_given(teacher_api, words):
    response = teacher_api.patch("/api/words/1", {"english": "good afternoon"}, format="json")
    assert response.status_code == 200
    stored = repo.word_get("1")
    assert (stored.english, stored.japanese, stored.romaji, stored.revision) == (
        "good afternoon",
        "こんにちは",
        "konnichiwa",
        2,
    )
    assert ids(teacher_api.get("/api/words?sort_by=english")) == ["1", "5", "4", "2", "3"]


def test_new_japanese_recomputes_kana_and_romaji_and_moves_in_the_order(teacher_api, words):
    body = teacher_api.patch("/api/words/5", {"japanese": "図書館"}, format="json").json()
    assert (body["kana"], body["romaji"]) == ("としょかん", "toshokan")
    assert ids(teacher_api.get("/api/words?sort_by=romaji")) == ["2", "1", "3", "4", "5"]


def test_a_new_japanese_whose_romaji_would_be_too_long_is_400(teacher_api, words, api_error):
    before = repo.word_get("5")
    api_error(teacher_api.patch("/api/words/5", {"japanese": "学校" * 50}, format="json"), 400, "invalid")
    assert repo.word_get("5") == before


def test_an_import_leaves_out_a_word_whose_romaji_would_be_too_long(aws):
    words = [
        {"id": "1", "japanese": "学校" * 50, "english": "schools"},
        {"id": "2", "japanese": "猫", "english": "cat"},
    ]
    result = services.vocabulary_import(groups=[], words=words)
    assert result.created_words == ["2"]
    assert result.rejected["1"].startswith("The romaji computed from the Japanese would be 349 characters long")
    assert repo.word_get("1") is None


def test_put_replaces_the_word(teacher_api, words):
    response = teacher_api.put(
        "/api/words/3",
        {"japanese": "お水", "kana": "おみず", "english": "water (polite)", "group_ids": []},
        format="json",
    )
    assert response.status_code == 200
    stored = repo.word_get("3")
    assert (stored.japanese, stored.romaji, stored.group_ids) == ("お水", "omizu", frozenset())
    assert teacher_api.get(f"/api/groups/{words['food'].id}").json()["word_count"] == 1


def test_put_needs_the_required_fields(teacher_api, words, api_error):
    api_error(teacher_api.put("/api/words/3", {"english": "water"}, format="json"), 400, "invalid")


def test_student_cannot_change_words(student_api, words, api_error):
    api_error(student_api.patch("/api/words/1", {"english": "hi"}, format="json"), 403, "permission_denied")
    assert repo.word_get("1").english == "hello"


def test_changing_an_unknown_word_is_404(teacher_api, words, api_error):
    api_error(teacher_api.patch("/api/words/99", {"english": "hi"}, format="json"), 404, "word_not_found")


def test_delete_removes_the_word_everywhere(teacher_api, words, api_error):
    assert teacher_api.delete("/api/words/4").status_code == 204
    api_error(teacher_api.get("/api/words/4"), 404, "word_not_found")
    assert "4" not in ids(teacher_api.get("/api/words?sort_by=japanese"))
    assert teacher_api.get("/api/groups/1").json()["word_count"] == 2
    assert teacher_api.get("/api/groups/2").json()["word_count"] == 1


def test_student_cannot_delete_words(student_api, words, api_error):
    api_error(student_api.delete("/api/words/4"), 403, "permission_denied")
    assert repo.word_get("4") is not None


# --- the envelope everywhere ---------------------------------------------------------


def test_unknown_api_path_is_a_json_404(student_api, aws, api_error):
    api_error(student_api.get("/api/nothing-here"), 404, "not_found")


def test_wrong_method_is_a_json_405(teacher_api, words, api_error):
    api_error(teacher_api.post("/api/words/1", {}, format="json"), 405, "method_not_allowed")


def test_bad_host_header_under_api_is_a_json_400(student_api, api_error):
    response = student_api.get("/api/words", HTTP_HOST="evil.example")
    api_error(response, 400, "bad_request")


def test_pages_outside_the_api_keep_django_html(client, aws):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_changes_are_audited_with_who_and_what(teacher_api, words):
    teacher_api.patch("/api/words/1", {"english": "good afternoon"}, format="json")
    teacher_api.post("/api/groups/2/words", {"word_ids": ["1"]}, format="json")
    events = services.word_history(word_id="1")
    assert [(event.actor, event.action) for event in events] == [("teacher", "add to group 2"), ("teacher", "update")]
    assert events[1].before["english"] == "hello" and events[1].after["english"] == "good afternoon"


def test_search_by_start_of_romaji_english_or_reading(aws, words):
    assert [word.id for word in services.words_search(text="s")] == ["4", "5"]  # sushi; school
    assert [word.id for word in services.words_search(text="THANK")] == ["2"]
    assert [word.id for word in services.words_search(text="寿司")] == ["4"]
    assert [word.id for word in services.words_search(text="こん")] == ["1"]
    assert services.words_search(text="zzz") == []


def test_saving_without_changes_writes_nothing(teacher_api, words):
    body = teacher_api.get("/api/words/5").json()
    same = {key: body[key] for key in ("japanese", "kana", "romaji", "english", "part_of_speech", "group_ids")}
    assert teacher_api.put("/api/words/5", same, format="json").status_code == 200
    assert repo.word_get("5").revision == 1
    assert services.word_history(word_id="5") == []


def test_a_word_is_written_as_its_fields_declare(words):
    """WordOutput builds its answer at once; DRF's field by field way must agree, for a
    word without media or counts and one with both."""
    plain = services.word_get(word_id="1")
    media = {"audio_key": "media/1/a.mp3", "audio_format": "mp3", "audio_duration": 1.25}
    media |= {"image_key": "media/1/i.png", "image_width": 640, "image_height": 480, "thumbnail_key": "media/1/t.png"}
    studied = StudiedWord(**{**vars(replace(plain, **media)), "correct_count": 3, "wrong_count": 1})
    for word in (plain, studied):
        declared = serializers.Serializer.to_representation(WordOutput(), word)
        assert WordOutput(word).data == declared
        assert list(WordOutput(word).data) == list(declared)
