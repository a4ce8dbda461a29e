"""The one import rule (vocabulary.services.imports), for seeding's bulk path and the
import jobs' row-by-row path alike."""

import json

import pytest
from django.core.files.base import ContentFile

from langportal.jobs import services as jobs
from langportal.models import IdempotencyKeyModel
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.documents import document_rows
from vocabulary.jobs import imports as word_imports


def checked(*, groups=(), words=()) -> dict:
    """Entries as every import gets them: through the one check of rows."""
    document = document_rows(groups=list(groups), words=list(words))
    assert document.errors == []
    return {"groups": document.groups, "words": document.words}


def import_job(document: dict, *, actor_id: str = "sensei-sub"):
    """Import a JSON document as the admin and `manage.py import_words` do: a job, run to its end."""
    data = json.dumps(document, ensure_ascii=False).encode()
    key = word_imports.import_file_store(name="w.json", file=ContentFile(data))
    job = word_imports.import_job_start(name="w.json", key=key, actor="sensei", actor_id=actor_id)
    return jobs.job_run(job.id, seconds=600)


@pytest.fixture(params=["bulk", "job"])
def do_import(request):
    """Import entries by either path: seeding's bulk writes, or an import job's rows (by sensei)."""

    def run(**entries):
        if request.param == "bulk":
            return services.vocabulary_import(**checked(**entries))
        finished = import_job({"groups": [], "words": [], **entries})
        assert finished.status == "done" and "rejected" not in finished.counts, finished
        return finished

    return run


def test_a_word_with_a_stored_id_is_updated(words, do_import):
    do_import(words=[{"id": "3", "japanese": "水", "english": "cold water"}])
    word = repo.word_get("3")
    assert (word.english, word.kana, word.group_ids) == ("cold water", "みず", {"2"})
    assert services.words_total() == 5


def test_a_word_with_a_new_id_is_created_with_it_and_the_sequence_moves_past(words, do_import):
    do_import(words=[{"id": "50", "japanese": "猫", "english": "cat", "group_ids": ["2"]}])
    assert (repo.word_get("50").romaji, repo.word_get("50").group_ids) == ("neko", {"2"})
    assert services.group_get(group_id="2").word_count == 3
    assert services.word_create(japanese="犬", english="dog").id == "51"


def test_a_word_without_an_id_updates_the_word_of_the_same_japanese_and_english(words, do_import):
    do_import(words=[{"japanese": "水", "english": "water", "part_of_speech": "noun"}])
    assert repo.word_get("3").part_of_speech == "noun"
    assert services.words_total() == 5


def test_a_word_without_an_id_and_no_exact_match_is_created_with_a_fresh_id(words, do_import):
    do_import(words=[{"japanese": "水", "english": "aqua"}])
    assert repo.word_get("6").english == "aqua"
    assert repo.word_get("3").english == "water"


def test_an_entry_that_changes_nothing_is_unchanged_and_writes_nothing(words):
    before = repo.word_get("3")
    result = services.vocabulary_import(
        **checked(words=[{"id": "3", "japanese": "水", "kana": "みず", "english": "water"}])
    )
    assert (result.unchanged_words, result.updated_words, result.created_words) == (["3"], [], [])
    assert repo.word_get("3") == before  # the same revision and updated_at


def test_the_preview_says_what_each_entry_would_do_and_writes_nothing(words):
    plans = services.import_preview(
        **checked(
            groups=[{"name": "Food"}, {"id": "7", "name": "Animals"}],
            words=[
                {"id": "3", "japanese": "水", "english": "water"},
                {"id": "1", "japanese": "こんにちは", "english": "good afternoon"},
                {"japanese": "猫", "english": "cat", "group_ids": ["7"]},
            ],
        )
    )
    assert [(plan.kind, plan.action, plan.id) for plan in plans] == [
        ("group", "unchanged", "2"),
        ("group", "create", "7"),
        ("word", "unchanged", "3"),
        ("word", "update", "1"),
        ("word", "create", None),
    ]
    assert services.words_total() == 5 and repo.group_get("7") is None


def test_importing_twice_changes_nothing_the_second_time(words, do_import):
    entries = {
        "groups": [{"name": "Animals"}],
        "words": [
            {"id": "1", "japanese": "こんにちは", "english": "good afternoon"},
            {"japanese": "猫", "english": "cat"},
        ],
    }
    do_import(**entries)
    stored = repo.words_get(["1", "6"])
    history = [services.word_history(word_id=word_id) for word_id in ("1", "6")]
    groups = services.groups_list(page=1, per_page=10)
    do_import(**entries)
    assert repo.words_get(["1", "6", "7"]) == stored
    assert [services.word_history(word_id=word_id) for word_id in ("1", "6")] == history
    assert services.groups_list(page=1, per_page=10) == groups


def test_a_word_naming_an_unknown_group_is_rejected_and_the_others_go_on(words):
    result = services.vocabulary_import(
        **checked(
            words=[
                {"id": "20", "japanese": "犬", "english": "dog", "group_ids": ["9"]},
                {"id": "21", "japanese": "猫", "english": "cat", "group_ids": ["2"]},
            ]
        )
    )
    assert result.rejected == {"20": "unknown group 9"} and result.created_words == ["21"]
    assert repo.word_get("20") is None and repo.word_get("21") is not None


def test_a_group_without_an_id_is_found_by_name_or_created(words, do_import):
    do_import(groups=[{"name": "Food"}, {"name": "Animals"}])
    listed = services.groups_list(page=1, per_page=10).items
    assert sorted((group.id, group.name) for group in listed) == [("1", "Greetings"), ("2", "Food"), ("3", "Animals")]


def test_a_group_with_an_id_is_renamed_or_created_with_it(words, do_import):
    do_import(groups=[{"id": "2", "name": "Meals"}, {"id": "9", "name": "Animals"}])
    assert (services.group_get(group_id="2").name, services.group_get(group_id="2").word_count) == ("Meals", 2)
    assert services.group_get(group_id="9").name == "Animals"
    assert services.group_create(name="Colours").id == "10"


def test_the_same_word_twice_in_one_file_is_rejected_the_second_time(words):
    plans = services.import_preview(
        **checked(words=[{"japanese": "猫", "english": "cat"}, {"japanese": "猫", "english": "cat", "kana": "ねこ"}])
    )
    assert [(plan.action, plan.error) for plan in plans] == [
        ("create", None),
        (None, "This word appears more than once."),
    ]


def test_rows_are_audited_with_their_actor_under_a_key_each(words):
    finished = import_job(
        {"groups": [{"name": "Animals"}], "words": [{"id": "1", "japanese": "こんにちは", "english": "hi"}]},
        actor_id="sub-1",
    )
    assert [(event.actor, event.action) for event in services.word_history(word_id="1")] == [("sensei", "update")]
    assert [(event.actor, event.action) for event in services.group_history(group_id="3")] == [("sensei", "create")]
    for row in (1, 2):
        assert IdempotencyKeyModel.get(f"sub-1#job:{finished.id}:row:{row}", consistent_read=True).result


def test_posting_an_admin_import_twice_writes_nothing_twice(teacher_browser, admin_import, words):
    csv = "id,japanese,english,group_ids\n,猫,cat,2\n1,こんにちは,good afternoon,1\n".encode()
    preview = admin_import.preview(csv)
    assert "words created: 1, words updated: 1" in admin_import.confirm(preview)
    history = services.word_history(word_id="1")
    assert "words created: 1, words updated: 1" in admin_import.confirm(preview)  # the same job, finished
    again = admin_import.preview(csv)
    assert "unchanged 6" in again and "unchanged 1" in again
    assert "words unchanged: 2" in admin_import.confirm(again)
    assert services.words_total() == 6 and services.word_history(word_id="1") == history
    assert services.group_get(group_id="2").word_count == 3
