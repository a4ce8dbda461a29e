"""scripts/seed_data.py: S3 document in, DynamoDB vocabulary out, safe to run again."""

import json

import boto3
import pytest
from django.conf import settings

from scripts import seed_data
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.seeding import starter_document

KEY = "seed/words.json"


def upload(document) -> None:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    boto3.client("s3", region_name=settings.AWS_REGION).put_object(Bucket=settings.MEDIA_BUCKET, Key=KEY, Body=body)


def seed(*arguments: str) -> int:
    return seed_data.main(["--key", KEY, "--quiet", *arguments])


def total_words() -> int:
    return services.words_list(page=1, per_page=1, sort_by="created_at", descending=False).total


@pytest.fixture
def starter():
    """The starter document, and how many words its first group has."""
    document = starter_document()
    first = document["groups"][0]
    in_first = sum(1 for word in document["words"] if first["id"] in word.get("group_ids", ()))
    return document, first, in_first


def test_starter_vocabulary_is_seeded_from_s3(aws, capsys, starter):
    document, first, in_first = starter
    upload(document)
    assert seed() == 0
    assert total_words() == len(document["words"])
    assert repo.word_get(document["words"][0]["id"]).romaji == document["words"][0]["romaji"]
    group = services.group_get(group_id=first["id"])
    assert (group.name, group.word_count) == (first["name"], in_first)
    assert f"added {len(document['words'])} words and {len(document['groups'])} groups" in capsys.readouterr().out


def test_seeding_again_restores_the_document_and_doubles_nothing(aws, capsys, starter):
    document, first, in_first = starter
    edited, deleted = document["words"][0], document["words"][1]
    upload(document)
    seed()
    services.word_update(word_id=edited["id"], english="good afternoon")
    services.word_delete(word_id=deleted["id"])
    capsys.readouterr()
    assert seed() == 0
    assert total_words() == len(document["words"])  # the deleted word came back, nothing doubled
    assert repo.word_get(edited["id"]).english == edited["english"]  # the document's word, by its id
    assert services.group_get(group_id=first["id"]).word_count == in_first
    unchanged = len(document["words"]) - 2
    assert (
        f"added 1 words and 0 groups; updated 1 words and 0 groups; "
        f"{unchanged} words and {len(document['groups'])} groups were unchanged"
    ) in capsys.readouterr().out


def test_seeding_twice_writes_nothing_the_second_time(aws, capsys, starter):
    document, _, _ = starter
    upload(document)
    seed()
    before = [repo.word_get(word["id"]) for word in document["words"]]
    assert seed() == 0
    assert [repo.word_get(word["id"]) for word in document["words"]] == before  # same revisions
    assert f"{len(document['words'])} words and {len(document['groups'])} groups were unchanged" in (
        capsys.readouterr().out
    )


def test_new_words_get_ids_after_the_seeded_ones(aws, starter):
    document, _, _ = starter
    upload(document)
    seed()
    last = max(int(word["id"]) for word in document["words"])
    assert services.word_create(japanese="猫", english="cat").id == str(last + 1)


def test_bad_entries_are_reported_and_the_good_ones_imported(aws, capsys):
    upload(
        {
            "groups": [{"id": "1", "name": "Animals"}, {"id": "x", "name": "Bad id"}],
            "words": [
                {"id": "1", "japanese": "猫", "english": "cat", "group_ids": ["1"]},
                {"id": "2", "japanese": "dog", "english": "dog"},
                {"id": "3", "japanese": "犬", "english": "dog", "group_ids": ["9"]},
                {"id": "1", "japanese": "鳥", "english": "bird"},
                "not an object",
                {"id": "4", "japanese": "鳥", "english": "bird"},
            ],
        }
    )
    assert seed() == 1
    assert [word.id for word in repo.words_get(["1", "2", "3", "4"])] == ["1", "4"]
    errors = capsys.readouterr().err
    assert "group #1 (id x): id:" in errors
    assert "word #1 (id 2): japanese: Must contain Japanese script" in errors
    assert "word #3 (id 1): id: This id appears more than once." in errors
    assert "word #4 (id ?)" in errors
    assert "word 3: unknown group 9" in errors


def test_dry_run_writes_nothing(aws, capsys, starter):
    document, _, _ = starter
    upload(document)
    assert seed("--dry-run") == 0
    assert total_words() == 0
    assert f"would be added {len(document['words'])} words" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("document", "message"),
    [(b"{not json", "is not JSON"), ([1, 2], 'a JSON object with a "words" list'), ({"words": {}}, '"words" list')],
)
def test_unreadable_documents_change_nothing(aws, capsys, document, message):
    upload(document)
    assert seed() == 2
    assert message in capsys.readouterr().err
    assert total_words() == 0


def test_missing_document_is_reported(aws, capsys):
    assert seed_data.main(["--key", "seed/nothing.json", "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_synthetic_vocabulary_is_uploaded_then_seeded(aws):
    assert seed("--synthetic", "300") == 0
    assert total_words() == 300
    body = boto3.client("s3", region_name=settings.AWS_REGION).get_object(Bucket=settings.MEDIA_BUCKET, Key=KEY)
    assert len(json.loads(body["Body"].read())["words"]) == 300


def test_progress_bars_are_shown(aws, capsys):
    upload(starter_document())
    assert seed_data.main(["--key", KEY]) == 0
    errors = capsys.readouterr().err
    assert "Storing: 100%" in errors
    assert "Indexing: 100%" in errors


def test_a_group_named_twice_is_reported_and_created_once(aws, capsys):
    upload({"groups": [{"name": "Animals"}, {"name": "Animals"}], "words": [{"japanese": "猫", "english": "cat"}]})
    assert seed() == 1
    assert "rejected group #1: This group appears more than once." in capsys.readouterr().err
    assert services.groups_list(page=1, per_page=10).total == 1 and total_words() == 1
