"""The admin answers our errors with its own page and their status, never a 500."""

import logging
from types import SimpleNamespace

import pytest
from django.test import Client

from langportal.jobs import services as jobs
from langportal.local.strict import Fault
from lrs import repositories as lrs_repo
from lrs import services as lrs_services
from vocabulary import repositories as repo
from vocabulary import services

NOT_IDS = ["abc", "0", "007", "1.5", "-1", "²", "1234567890123", "9" * 2048]


def error_page(response, status: int) -> str:
    """The admin's error page with `status`: its look, breadcrumbs home and a message."""
    html = response.content.decode()
    assert response.status_code == status, (response.status_code, html[:500])
    assert 'id="site-name"' in html and '<div class="breadcrumbs"><a href="/admin/">Home</a>' in html
    assert 'id="error-message"' in html
    return html


def admin_page(response, status: int) -> str:
    """A page of ours (not the error page) answered with `status`."""
    html = response.content.decode()
    assert response.status_code == status, (response.status_code, html[:500])
    assert 'id="site-name"' in html and 'id="error-message"' not in html
    return html


def group_words(group_id: str) -> list[str]:
    return sorted(services.group_word_ids(group_id=group_id, offset=0, limit=100))


# --- 404: what is not there --------------------------------------------------------


@pytest.mark.parametrize("action", ["change", "delete"])
def test_a_missing_word_is_404(teacher_browser, words, action):
    html = error_page(teacher_browser.get(f"/admin/vocabulary/words/999/{action}/"), 404)
    assert "No word with id 999." in html and "<title>Not Found |" in html


def test_deleting_a_missing_word_is_404_and_deletes_nothing(teacher_browser, words):
    error_page(teacher_browser.post("/admin/vocabulary/words/999/delete/"), 404)
    assert services.words_total() == 5


@pytest.mark.parametrize("action", ["change", "delete"])
def test_a_missing_group_is_404(teacher_browser, words, action):
    html = error_page(teacher_browser.get(f"/admin/vocabulary/groups/999/{action}/"), 404)
    assert "No group with id 999." in html


def test_changing_a_missing_group_is_404(teacher_browser, words):
    response = teacher_browser.post("/admin/vocabulary/groups/999/change/", {"action": "rename", "name": "Zoo"})
    error_page(response, 404)
    assert [group.name for group in services.groups_list(page=1, per_page=10).items] == ["Food", "Greetings"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("words/{}/change/", "No such word."),
        ("words/{}/delete/", "No such word."),
        ("groups/{}/change/", "No such group."),
        ("groups/{}/delete/", "No such group."),
    ],
)
def test_a_path_id_that_is_not_an_id_is_404(teacher_browser, words, url, message):
    for not_an_id in NOT_IDS:
        html = error_page(teacher_browser.get("/admin/vocabulary/" + url.format(not_an_id)), 404)
        assert f'id="error-message">{message}</p>' in html, not_an_id


def test_posting_to_a_word_id_that_is_not_an_id_is_404_and_changes_nothing(teacher_browser, words):
    error_page(teacher_browser.post("/admin/vocabulary/words/05/delete/"), 404)
    response = teacher_browser.post("/admin/vocabulary/words/03/change/", {"japanese": "氷", "english": "ice"})
    error_page(response, 404)
    assert services.words_total() == 5 and repo.word_get("3").english == "water"


def test_filtering_by_a_missing_group_is_404(teacher_browser, words):
    html = error_page(teacher_browser.get("/admin/vocabulary/words/", {"group": "999"}), 404)
    assert "No group with id 999." in html


def test_exporting_a_missing_group_is_404_not_a_broken_file(teacher_browser, words):
    html = error_page(teacher_browser.post("/admin/vocabulary/words/export/", {"format": "csv", "group": "999"}), 404)
    assert "No group with id 999." in html


def test_adding_an_unknown_word_to_a_group_is_404_on_its_page(teacher_browser, words):
    url = f"/admin/vocabulary/groups/{words['food'].id}/change/"
    html = admin_page(teacher_browser.post(url, {"action": "add", "word_ids": "1, 99"}), 404)
    assert "No word with id 99." in html and 'id="add_words_form"' in html
    assert group_words(words["food"].id) == ["3", "4"]


def test_a_student_who_cannot_exist_is_404(teacher_browser, words):
    for user_id in ("a" * 129, "user.name", "x y", "ユーザー"):
        for url in (f"/admin/lrs/students/{user_id}/", f"/admin/lrs/students/{user_id}/reset/"):
            assert "No such student." in error_page(teacher_browser.get(url), 404)


def test_resetting_a_student_who_cannot_exist_is_404_and_resets_nothing(teacher_browser, words):
    odd = SimpleNamespace(sub="a" * 129, is_teacher=False)  # a user id no Cognito pool gives out
    lrs_services.session_start(caller=odd, group_id=words["food"].id, activity="quiz")
    error_page(teacher_browser.post(f"/admin/lrs/students/{odd.sub}/reset/"), 404)
    assert lrs_repo.student_get(odd.sub).sessions_count == 1


# --- 400: what cannot be asked ------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"group": "abc"}, "The group filter takes a group id"),
        ({"group": "x" * 2048}, "The group filter takes a group id"),
        ({"group": "01"}, "The group filter takes a group id"),
        ({"p": "abc"}, "The page must be a positive whole number."),
        ({"p": "0"}, "The page must be a positive whole number."),
        ({"p": "²"}, "The page must be a positive whole number."),
        ({"o": "nonsense"}, "Sort by japanese, romaji, english, created_at"),
        ({"o": "--english"}, "Sort by japanese, romaji, english, created_at"),
        ({"q": "a" * 101}, "Search for at most 100 characters."),
        ({"q": "猫" * 3000}, "Search for at most 100 characters."),
    ],
)
def test_bad_list_parameters_are_400(teacher_browser, words, params, message):
    html = error_page(teacher_browser.get("/admin/vocabulary/words/", params), 400)
    assert message in html and "<title>Bad Request |" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"format": "csv", "group": "abc"}, "The group is given by its id"),
        ({"format": "xml"}, "Select a valid choice. xml is not one of the available choices."),
        ({}, "format: This field is required."),
    ],
)
def test_bad_export_fields_are_400_and_start_nothing(teacher_browser, words, fields, message):
    html = error_page(teacher_browser.post("/admin/vocabulary/words/export/", fields), 400)
    assert message in html
    assert jobs.jobs_recent() == []


def test_an_export_is_started_by_a_post_only(teacher_browser, words):
    assert teacher_browser.get("/admin/vocabulary/words/export/", {"format": "csv"}).status_code == 405


def test_a_search_of_100_characters_is_answered(teacher_browser, words):
    admin_page(teacher_browser.get("/admin/vocabulary/words/", {"q": "a" * 100}), 200)


@pytest.mark.parametrize("posted", [{}, {"word_id": ""}, {"word_id": "abc"}, {"word_id": "9" * 2048}])
def test_removing_without_a_word_id_is_400_on_the_group_page(teacher_browser, words, posted):
    url = f"/admin/vocabulary/groups/{words['food'].id}/change/"
    html = admin_page(teacher_browser.post(url, {"action": "remove", **posted}), 400)
    assert "Say which word to remove" in html and "Group “Food”" in html
    assert group_words(words["food"].id) == ["3", "4"]


def test_add_words_takes_ids_as_the_api_does(teacher_browser, words):
    url = f"/admin/vocabulary/groups/{words['food'].id}/change/"
    for given in ("1, 05", "²", "1234567890123"):
        html = admin_page(teacher_browser.post(url, {"action": "add", "word_ids": given}), 200)
        assert "Give word ids: positive whole numbers" in html
    assert group_words(words["food"].id) == ["3", "4"]


# --- 409: what the current state refuses --------------------------------------------


def revision_on_form(html: str) -> str:
    return html.split('name="revision" value="', 1)[1].split('"', 1)[0]


def test_saving_over_someone_elses_change_is_409_on_the_form(teacher_browser, words):
    url = "/admin/vocabulary/words/3/change/"
    opened = revision_on_form(teacher_browser.get(url).content.decode())
    services.word_update(word_id="3", english="water (cold)", actor="another-teacher")
    response = teacher_browser.post(url, {"japanese": "水", "english": "ice water", "revision": opened})
    html = admin_page(response, 409)
    assert "Someone else changed this word since you opened it" in html and 'value="ice water"' in html
    assert repo.word_get("3").english == "water (cold)"
    saved = teacher_browser.post(url, {"japanese": "水", "english": "ice water", "revision": revision_on_form(html)})
    assert saved.status_code == 302  # having seen their change, the teacher saves on top of it
    assert repo.word_get("3").english == "ice water"


# --- 503: what is down or busy (the strict emulator's faults, as AWS would answer) ----


def throttle_all(strict, *operations: str) -> None:
    """Every attempt throttled: botocore gives up, the app is told DynamoDB is unavailable."""
    strict.configure(throttle=Fault(1.0, operations=frozenset(operations)))


def test_dynamodb_unavailable_is_503_with_retry_after(
    teacher_browser, words, settings, caplog, strict_dynamodb, no_botocore_backoff
):
    throttle_all(strict_dynamodb, "GetItem")
    with caplog.at_level(logging.WARNING, logger="langportal.admin_site"):
        response = teacher_browser.get("/admin/vocabulary/words/3/change/")
    html = error_page(response, 503)
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert "The database is unavailable." in html and "retry in a few seconds" in html
    assert [record.levelno for record in caplog.records if record.name == "langportal.admin_site"] == [logging.WARNING]


def test_unavailable_adding_a_word_is_503_on_its_form(
    teacher_browser, words, settings, strict_dynamodb, no_botocore_backoff
):
    throttle_all(strict_dynamodb, "TransactWriteItems")
    response = teacher_browser.post("/admin/vocabulary/words/add/", {"japanese": "猫", "english": "cat"})
    html = admin_page(response, 503)
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    assert "The database is unavailable." in html and 'value="猫"' in html
    strict_dynamodb.configure(throttle=Fault())
    assert services.words_total() == 5


def test_a_write_that_keeps_losing_races_is_503(teacher_browser, words, settings, strict_dynamodb):
    strict_dynamodb.configure(conflict=Fault(1.0, operations=frozenset({"TransactWriteItems"})))
    response = teacher_browser.post("/admin/vocabulary/words/5/delete/")
    assert "retry in a few seconds" in error_page(response, 503)
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)
    strict_dynamodb.configure(conflict=Fault())
    assert repo.word_get("5") is not None


def test_unavailable_on_the_study_pages_is_503(teacher_browser, words, settings, strict_dynamodb, no_botocore_backoff):
    throttle_all(strict_dynamodb, "BatchGetItem", "Query")
    response = teacher_browser.get("/admin/lrs/statistics/")
    assert "The database is unavailable." in error_page(response, 503)
    assert response["Retry-After"] == str(settings.AWS_RETRY_AFTER)


# --- the mapping stays behind the sign-in -------------------------------------------


def test_strangers_are_sent_to_sign_in_before_any_error(words, db):
    response = Client().get("/admin/vocabulary/words/999/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
