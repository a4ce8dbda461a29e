"""Any page of a 100,000-word vocabulary reads at most 2 × per_page + 10 items.

The table is built once for the module through the bulk import path; every page is
then read through the services (and once through the API) while counting the items
DynamoDB returns.
"""

from datetime import UTC, datetime

import pytest
from moto import mock_aws
from rest_framework.test import APIClient

from accounts.models import User
from langportal.local import provision
from tests.fixtures.dynamodb import counting_dynamodb_reads
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.repositories import Group, Word
from vocabulary.synthetic import synthetic_document

WORDS = 100_000
GROUPS = 50

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scale")]  # one worker builds the table once


@pytest.fixture(scope="module")
def big_vocabulary():
    with mock_aws():
        provision.tables_create()
        document = synthetic_document(WORDS, groups=GROUPS)
        now = datetime.now(UTC)
        groups = [Group(group["id"], group["name"], now, now) for group in document["groups"]]
        words = [
            Word(
                word["id"],
                word["japanese"],
                word["kana"],
                word["romaji"],
                word["english"],
                "noun",
                frozenset(word["group_ids"]),
                now,
                now,
            )
            for word in document["words"]
        ]
        repo.records_store(groups=groups, words=words)
        repo.records_index(groups=groups, words=words)
        yield document


def read_page(**query):
    with counting_dynamodb_reads() as reads:
        page = services.words_list(**query)
    return page, reads


@pytest.mark.parametrize("sort_by", services.SORT_ORDERS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("per_page", [1, 20, 100])
def test_first_middle_and_last_pages_read_a_bounded_number_of_items(big_vocabulary, sort_by, descending, per_page):
    last = -(-WORDS // per_page)
    for page_number in (1, last // 2, last):
        page, reads = read_page(page=page_number, per_page=per_page, sort_by=sort_by, descending=descending)
        assert len(page.items) == per_page
        assert page.total == WORDS
        assert reads.items <= 2 * per_page + 10, (page_number, reads.calls)
        assert "Scan" not in reads.calls


@pytest.mark.parametrize("sort_by", services.SORT_ORDERS)
def test_last_page_ascending_is_the_first_descending_reversed(big_vocabulary, sort_by):
    ascending = services.words_list(page=1000, per_page=100, sort_by=sort_by, descending=False)
    descending = services.words_list(page=1, per_page=100, sort_by=sort_by, descending=True)
    assert [word.id for word in ascending.items] == [word.id for word in descending.items][::-1]


def test_pages_are_in_order_across_leaves(big_vocabulary):
    keys = []
    for page_number in (1, 2, 3, 4):
        page = services.words_list(page=page_number, per_page=100, sort_by="romaji", descending=False)
        keys += [(word.romaji, int(word.id)) for word in page.items]
    assert keys == sorted(keys)


def test_a_group_page_is_bounded_too(big_vocabulary):
    size = sum("7" in word["group_ids"] for word in big_vocabulary["words"])
    last = -(-size // 20)
    page, reads = read_page(page=last, per_page=20, sort_by="english", descending=True, group_id="7")
    assert page.total == size
    assert len(page.items) == size - (last - 1) * 20
    assert reads.items <= 2 * 20 + 10


def test_the_api_page_with_the_callers_statistics_is_bounded_too(big_vocabulary):
    """What GET /api/words reads: the index, the words and the caller's statistics.

    The token check reads nothing from DynamoDB, so the caller is signed in directly.
    """
    client = APIClient()
    client.force_authenticate(User(username="reader", sub="reader-sub"))
    with counting_dynamodb_reads() as reads:
        response = client.get("/api/words?page=1000&per_page=100&sort_by=english&order=desc")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 100
    assert "BatchGetItem" in reads.calls
    assert reads.items <= 2 * 100 + 10
