"""How many DynamoDB round trips, one after another, a student's page of words waits on."""

import pytest

from vocabulary import services as vocabulary
from vocabulary.seeding import document_parse
from vocabulary.synthetic import synthetic_document

WORDS = 1_000  # more than one leaf of the ordered index holds: its root is a branch, as in any real vocabulary


@pytest.fixture
def vocabulary_of_many_leaves(aws):
    document = document_parse(synthetic_document(WORDS, groups=3))
    vocabulary.vocabulary_import(groups=document.groups, words=document.words)


def test_a_page_of_words_waits_on_three_round_trips(student_api, vocabulary_of_many_leaves, dynamodb_round_trips):
    """The index's root, a leaf, then the page's words and the student's counts of them at
    once: both are keyed by the page's ids."""
    response = student_api.get("/api/words?page=3")
    assert response.status_code == 200 and response.json()["pagination"]["total_items"] == WORDS
    assert [operation for operation, _, _ in dynamodb_round_trips.calls] == ["BatchGetItem"] * 4
    assert dynamodb_round_trips.sequential == 3
