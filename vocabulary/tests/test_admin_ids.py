"""The admin takes only ids the API takes: any other is a 404, answered before the tables."""

from urllib.parse import quote

import pytest

from langportal.storage.models import OrderNodeModel
from vocabulary.models import AuditEventModel, GroupModel, WordModel

# Too short, padded, not digits, a float, full-width digits, 13 digits, signed, spaced.
MALFORMED = ["0", "01", "abc", "1e3", "１２", "1" * 13, "-1", "+1", " 1"]
VOCABULARY_TABLES = [model.Meta.table_name for model in (WordModel, GroupModel, AuditEventModel, OrderNodeModel)]
PAGES = [
    ("get", "words/{id}/change/", {}),  # the word form, its media and history
    ("post", "words/{id}/change/", {"japanese": "水", "english": "water"}),
    ("get", "words/{id}/delete/", {}),
    ("post", "words/{id}/delete/", {}),
    ("get", "groups/{id}/change/", {}),  # the group page, its words and history
    ("post", "groups/{id}/change/", {"action": "remove", "word_id": "1"}),
    ("get", "groups/{id}/delete/", {}),
    ("post", "groups/{id}/delete/", {}),
]


def tables_named(requests) -> dict[str, list[str]]:
    return {table: requests.naming(table) for table in VOCABULARY_TABLES if requests.naming(table)}


@pytest.mark.parametrize("method, page, data", PAGES)
def test_a_malformed_id_is_404_without_reading_the_vocabulary(
    teacher_browser, words, dynamodb_requests, method, page, data
):
    for malformed in MALFORMED:
        dynamodb_requests.sent.clear()  # signing in reads what it reads
        url = f"/admin/vocabulary/{page.format(id=quote(malformed))}"
        response = getattr(teacher_browser, method)(url, data)
        assert response.status_code == 404, (url, response.status_code)
        assert "Not Found" in response.content.decode(), url
        assert tables_named(dynamodb_requests) == {}, url


@pytest.mark.parametrize("method, page, data", [page for page in PAGES if page[0] == "get"])
def test_a_well_formed_id_is_looked_up(teacher_browser, words, dynamodb_requests, method, page, data):
    """What the test above would see if a malformed id were looked up: the table read."""
    dynamodb_requests.sent.clear()
    response = teacher_browser.get(f"/admin/vocabulary/{page.format(id='999999999999')}")
    assert response.status_code == 404
    assert tables_named(dynamodb_requests).keys() & {WordModel.Meta.table_name, GroupModel.Meta.table_name}
