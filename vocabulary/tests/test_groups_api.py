"""Groups: listing, naming, membership and deletion, with word counts kept exact."""

import pytest

from vocabulary import repositories as repo
from vocabulary import services

from .test_words_api import ids


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_groups_are_listed_by_name_with_counts(student_api, words):
    body = student_api.get("/api/groups").json()
    assert [(group["name"], group["word_count"]) for group in body["items"]] == [("Food", 2), ("Greetings", 3)]
    assert body["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 2, "items_per_page": 20}
    assert names(student_api.get("/api/groups?order=desc")) == ["Greetings", "Food"]


def test_group_detail_and_unknown_group(student_api, words, api_error):
    assert student_api.get("/api/groups/1").json()["name"] == "Greetings"
    api_error(student_api.get("/api/groups/9"), 404, "group_not_found")


def test_group_words_have_the_words_shape(student_api, words):
    body = student_api.get("/api/groups/1/words?sort_by=japanese").json()
    assert set(body) == {"items", "pagination"}
    assert [item["japanese"] for item in body["items"]] == ["ありがとう", "こんにちは", "寿司"]
    assert body["pagination"]["total_items"] == 3


def test_teacher_creates_and_renames_a_group(teacher_api, words):
    created = teacher_api.post("/api/groups", {"name": "Animals"}, format="json")
    assert created.status_code == 201
    assert created.json()["word_count"] == 0
    group_id = created.json()["id"]
    assert names(teacher_api.get("/api/groups")) == ["Animals", "Food", "Greetings"]
    renamed = teacher_api.patch(f"/api/groups/{group_id}", {"name": "Zoo"}, format="json")
    assert renamed.json()["name"] == "Zoo"
    assert names(teacher_api.get("/api/groups")) == ["Food", "Greetings", "Zoo"]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}])
def test_invalid_group_names_are_400(teacher_api, aws, body, api_error):
    api_error(teacher_api.post("/api/groups", body, format="json"), 400, "invalid")
    assert teacher_api.get("/api/groups").json()["pagination"]["total_items"] == 0


def test_adding_words_to_a_group(teacher_api, words):
    response = teacher_api.post("/api/groups/2/words", {"word_ids": ["1", "5", "3"]}, format="json")
    assert response.status_code == 200
    assert response.json()["word_count"] == 4
    assert ids(teacher_api.get("/api/groups/2/words?sort_by=created_at")) == ["1", "3", "4", "5"]
    assert repo.word_get("5").group_ids == {"2"}


def test_adding_an_unknown_word_changes_nothing(teacher_api, words, api_error):
    response = teacher_api.post("/api/groups/2/words", {"word_ids": ["1", "42"]}, format="json")
    error = api_error(response, 404, "word_not_found")
    assert error["details"] == {"word_ids": ["42"]}
    assert teacher_api.get("/api/groups/2").json()["word_count"] == 2


def test_a_word_belongs_to_at_most_six_groups(teacher_api, words, api_error):
    for number in range(4):
        group = services.group_create(name=f"Extra {number}")
        services.group_add_words(group_id=group.id, word_ids=["4"])
    seventh = services.group_create(name="Seventh")
    response = teacher_api.post(f"/api/groups/{seventh.id}/words", {"word_ids": ["4"]}, format="json")
    error = api_error(response, 400, "invalid")
    assert error["details"] == {"word_ids": ["4"]}
    assert len(repo.word_get("4").group_ids) == 6


def test_removing_a_word_from_a_group(teacher_api, words):
    response = teacher_api.delete("/api/groups/1/words/4")
    assert response.json()["word_count"] == 2
    assert ids(teacher_api.get("/api/groups/1/words")) == ["1", "2"]
    assert repo.word_get("4").group_ids == {"2"}


def test_deleting_a_group_keeps_its_words(teacher_api, words, api_error):
    assert teacher_api.delete("/api/groups/1").status_code == 204
    api_error(teacher_api.get("/api/groups/1"), 404, "group_not_found")
    assert names(teacher_api.get("/api/groups")) == ["Food"]
    assert teacher_api.get("/api/words").json()["pagination"]["total_items"] == 5
    assert repo.word_get("4").group_ids == {"2"}
    assert repo.word_get("1").group_ids == frozenset()


def test_group_changes_are_audited_with_who_and_what(teacher_api, words):
    group_id = teacher_api.post("/api/groups", {"name": "Animals"}, format="json").json()["id"]
    teacher_api.patch(f"/api/groups/{group_id}", {"name": "Zoo"}, format="json")
    teacher_api.patch(f"/api/groups/{group_id}", {"name": "Zoo"}, format="json")  # no change, no event
    assert teacher_api.delete(f"/api/groups/{group_id}").status_code == 204
    events = services.group_history(group_id=group_id)
    assert [(event.actor, event.action) for event in events] == [
        ("teacher", "delete"),
        ("teacher", "update"),
        ("teacher", "create"),
    ]
    assert [(event.before and event.before["name"], event.after and event.after["name"]) for event in events] == [
        ("Zoo", None),
        ("Animals", "Zoo"),
        (None, "Animals"),
    ]


def test_students_cannot_change_groups(student_api, words, api_error):
    api_error(student_api.post("/api/groups", {"name": "Mine"}, format="json"), 403, "permission_denied")
    api_error(student_api.patch("/api/groups/1", {"name": "Mine"}, format="json"), 403, "permission_denied")
    api_error(student_api.delete("/api/groups/1"), 403, "permission_denied")
    api_error(student_api.post("/api/groups/1/words", {"word_ids": ["5"]}, format="json"), 403, "permission_denied")
    api_error(student_api.delete("/api/groups/1/words/1"), 403, "permission_denied")
    assert services.group_get(group_id="1").word_count == 3
