"""Every vocabulary write takes an Idempotency-Key: a repeat gets the first answer and
changes nothing more; the same key for another request is a 409."""

import pytest

from vocabulary import repositories as repo
from vocabulary import services

from . import samples

KEY = "retry-7d41c2"


def send(api, method: str, path: str, body=None, *, key: str = KEY, format: str = "json"):
    return getattr(api, method)(path, body, format=format, HTTP_IDEMPOTENCY_KEY=key)


def unsigned(body: dict) -> dict:
    """A body with presigned URLs cut at their signature, which changes every second."""
    return {name: value.split("?")[0] if isinstance(value, str) else value for name, value in body.items()}


def test_a_repeated_create_makes_one_word(teacher_api, words):
    first = send(teacher_api, "post", "/api/words", {"japanese": "猫", "english": "cat"})
    again = send(teacher_api, "post", "/api/words", {"japanese": "猫", "english": "cat"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert services.words_total() == 6
    assert [event.action for event in services.word_history(word_id=first.json()["id"])] == ["create"]


def test_the_same_key_for_another_word_is_409(teacher_api, words, api_error):
    send(teacher_api, "post", "/api/words", {"japanese": "猫", "english": "cat"})
    api_error(
        send(teacher_api, "post", "/api/words", {"japanese": "犬", "english": "dog"}), 409, "idempotency_key_reused"
    )
    assert services.words_total() == 6


def test_keys_belong_to_their_user(make_api, words):
    """Two teachers choosing the same key make two words."""
    one, two = make_api("teacher-one", "teachers"), make_api("teacher-two", "teachers")
    assert send(one, "post", "/api/words", {"japanese": "猫", "english": "cat"}).status_code == 201
    assert send(two, "post", "/api/words", {"japanese": "猫", "english": "cat"}).status_code == 201
    assert services.words_total() == 7


def test_a_repeated_update_answers_the_first_result(teacher_api, words):
    first = send(teacher_api, "patch", "/api/words/3", {"english": "cold water"})
    services.word_update(word_id="3", english="hot water")  # someone else changes it meanwhile
    again = send(teacher_api, "patch", "/api/words/3", {"english": "cold water"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert repo.word_get("3").english == "hot water"  # the repeat did not write again


def test_a_repeated_delete_is_204_again(teacher_api, words):
    assert send(teacher_api, "delete", "/api/words/5").status_code == 204
    again = send(teacher_api, "delete", "/api/words/5")
    assert (again.status_code, again.content) == (204, b"")
    assert teacher_api.delete("/api/words/5").status_code == 404  # without the key, it is gone


def test_a_repeated_group_create_makes_one_group(teacher_api, words):
    first = send(teacher_api, "post", "/api/groups", {"name": "Animals"})
    again = send(teacher_api, "post", "/api/groups", {"name": "Animals"})
    assert first.json() == again.json()
    assert teacher_api.get("/api/groups").json()["pagination"]["total_items"] == 3


def test_a_repeated_rename_and_delete_of_a_group(teacher_api, words):
    group_id = words["food"].id
    first = send(teacher_api, "patch", f"/api/groups/{group_id}", {"name": "Meals"}, key="rename-1")
    assert (
        send(teacher_api, "patch", f"/api/groups/{group_id}", {"name": "Meals"}, key="rename-1").json() == first.json()
    )
    assert send(teacher_api, "delete", f"/api/groups/{group_id}", key="delete-1").status_code == 204
    assert send(teacher_api, "delete", f"/api/groups/{group_id}", key="delete-1").status_code == 204
    assert repo.group_get(group_id) is None


def test_repeated_membership_changes(teacher_api, words):
    group_id = words["food"].id
    path = f"/api/groups/{group_id}/words"
    first = send(teacher_api, "post", path, {"word_ids": ["1", "5"]}, key="add-1")
    again = send(teacher_api, "post", path, {"word_ids": ["1", "5"]}, key="add-1")
    assert first.json() == again.json() and first.json()["word_count"] == 4
    removed = send(teacher_api, "delete", f"{path}/5", key="remove-1")
    assert send(teacher_api, "delete", f"{path}/5", key="remove-1").json() == removed.json()
    assert repo.group_get(group_id).word_count == 3
    assert [event.action for event in services.word_history(word_id="5")] == [
        f"remove from group {group_id}",
        f"add to group {group_id}",
    ]


def test_a_repeated_upload_stores_one_file(teacher_api, words):
    def upload():
        body = {"word_id": "1", "file": samples.upload_file(samples.wav(), "hello.wav", "audio/wav")}
        return send(teacher_api, "post", "/api/words/upload", body, format="multipart")

    first, again = upload(), upload()
    assert (first.status_code, again.status_code) == (201, 201)
    assert unsigned(again.json()) == unsigned(first.json())
    stored = services.word_get(word_id="1")
    assert stored.audio_key in first.json()["file_url"]
    assert [event.action for event in services.word_history(word_id="1")].count("upload audio") == 1


def test_an_upload_of_other_bytes_under_the_same_key_is_409(teacher_api, words, api_error):
    def upload(data: bytes):
        body = {"word_id": "1", "file": samples.upload_file(data, "hello.wav", "audio/wav")}
        return send(teacher_api, "post", "/api/words/upload", body, format="multipart")

    upload(samples.wav(seconds=1))
    api_error(upload(samples.wav(seconds=2)), 409, "idempotency_key_reused")


@pytest.mark.parametrize("key", ["x" * 256, "has space", ""])
def test_a_malformed_key_is_400_and_writes_nothing(teacher_api, words, api_error, key):
    error = api_error(
        send(teacher_api, "post", "/api/words", {"japanese": "猫", "english": "cat"}, key=key), 400, "invalid"
    )
    assert "Idempotency-Key" in error["details"]
    assert services.words_total() == 5
