"""The vocabulary on DynamoDB as AWS behaves (the strict emulator): stale reads, lost
answers, conflicts, partial batches and AWS's validation."""

import pytest

from langportal.local.strict import Fault
from langportal.storage import orderindex
from langportal.storage.models import OrderNodeModel
from langportal.storage.retry import BACKOFF
from vocabulary import repositories as repo
from vocabulary import services
from vocabulary.documents import document_parse
from vocabulary.synthetic import synthetic_document

CAT = {"japanese": "猫", "english": "cat"}


@pytest.fixture
def lagging(strict_dynamodb):
    """Every eventually consistent read misses the writes of the last second."""
    strict_dynamodb.configure(lag_ms=1000, stale=Fault(1.0))
    return strict_dynamodb


def test_a_new_word_is_listed_and_read_at_once(teacher_api, words, lagging):
    created = teacher_api.post("/api/words", CAT, format="json").json()
    assert teacher_api.get(f"/api/words/{created['id']}").json()["english"] == "cat"
    listed = teacher_api.get("/api/words?sort_by=english").json()
    assert created["id"] in [item["id"] for item in listed["items"]]
    assert listed["pagination"]["total_items"] == 6


def test_the_admin_shows_the_word_it_just_added(teacher_browser, words, lagging):
    response = teacher_browser.post("/admin/vocabulary/words/add/", CAT, follow=True)
    assert response.status_code == 200
    assert "猫" in response.content.decode() and "neko" in response.content.decode()


def test_a_create_resent_by_botocore_makes_one_word(teacher_api, words, strict_dynamodb):
    strict_dynamodb.configure(lost=Fault(1.0, limit=1, operations=frozenset({"TransactWriteItems"})))
    assert teacher_api.post("/api/words", CAT, format="json").status_code == 201
    assert services.words_total() == 6
    assert strict_dynamodb.faults["token_replay"] == 1


def test_a_create_whose_answer_is_lost_makes_one_word_when_the_client_retries(teacher_api, words, strict_dynamodb):
    """Every botocore attempt loses its answer: the client sees 503 although the word was
    written, and its retry with the same Idempotency-Key gets the word, not a second one."""
    strict_dynamodb.configure(lost=Fault(1.0, limit=3, operations=frozenset({"TransactWriteItems"})))
    lost = teacher_api.post("/api/words", CAT, format="json", HTTP_IDEMPOTENCY_KEY="cat-1")
    assert lost.status_code == 503 and lost["Retry-After"]
    retried = teacher_api.post("/api/words", CAT, format="json", HTTP_IDEMPOTENCY_KEY="cat-1")
    assert retried.status_code == 201
    assert services.words_total() == 6
    assert [word.english for word in services.words_search(text="cat")] == ["cat"]


def test_a_write_that_keeps_losing_races_is_503_after_bounded_attempts(teacher_api, words, strict_dynamodb):
    strict_dynamodb.configure(conflict=Fault(1.0, operations=frozenset({"TransactWriteItems"})))
    response = teacher_api.post("/api/words", CAT, format="json")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "service_unavailable"
    assert strict_dynamodb.faults["conflict"] == BACKOFF.attempts
    strict_dynamodb.configure(conflict=Fault())
    assert services.words_total() == 5


def test_conflicts_now_and_then_are_retried(teacher_api, words, strict_dynamodb):
    strict_dynamodb.configure(conflict=Fault(1.0, limit=3))
    response = teacher_api.patch("/api/words/3", {"english": "cold water"}, format="json")
    assert response.status_code == 200
    assert repo.word_get("3").english == "cold water"


def test_partial_batches_are_finished(student_api, words, strict_dynamodb):
    strict_dynamodb.configure(partial=Fault(1.0, limit=4))
    listed = student_api.get("/api/words?per_page=5&sort_by=english").json()
    assert [item["english"] for item in listed["items"]] == ["hello", "school", "sushi", "thank you", "water"]
    assert strict_dynamodb.faults["partial"] >= 2  # the words, then the caller's counts


@pytest.mark.parametrize("path", ["/api/words/{long}", "/api/groups/{long}", "/api/groups/{long}/words"])
def test_ids_aws_would_refuse_are_404_without_asking_it(student_api, words, strict_dynamodb, path):
    response = student_api.get(path.format(long="1" * 2048))
    assert response.status_code == 404
    assert strict_dynamodb.faults["validation"] == 0


def test_the_admin_imports_new_words_without_ids(admin_import, words, strict_dynamodb):
    """The preview looks up only the ids a file gives (AWS refuses empty keys), and each row
    is written once though answers are lost."""
    strict_dynamodb.configure(lost=Fault(0.3, operations=frozenset({"TransactWriteItems"})))
    rows = "".join(f",語{n},ご,,word {n:02d},noun,\n" for n in range(12))
    csv = f"id,japanese,kana,romaji,english,part_of_speech,group_ids\n{rows}".encode()
    preview = admin_import.preview(csv)
    assert "12 rows can be imported" in preview
    assert "words created: 12" in admin_import.confirm(preview)
    imported = [word.english for word in services.words_search(text="word")]
    assert imported == [f"word {n:02d}" for n in range(12)]
    assert services.words_total() == 5 + 12
    assert strict_dynamodb.faults["validation"] == 0 and strict_dynamodb.faults["lost"] > 0


def shifted(document: dict) -> dict:
    """A generated document whose ids stay clear of the `words` fixture's."""
    return {
        "groups": [{**group, "id": str(int(group["id"]) + 10)} for group in document["groups"]],
        "words": [
            {**word, "id": str(int(word["id"]) + 100), "group_ids": [str(int(g) + 10) for g in word["group_ids"]]}
            for word in document["words"]
        ],
    }


def test_a_bulk_import_under_faults_is_exact_and_its_groups_can_be_deleted(words, strict_dynamodb):
    strict_dynamodb.configure(
        lag_ms=1000,
        stale=Fault(1.0),
        partial=Fault(0.3),
        conflict=Fault(0.05),
        throttle=Fault(0.05),
    )
    document = document_parse(shifted(synthetic_document(600, groups=3)))
    result = services.vocabulary_import(groups=document.groups, words=document.words)
    assert len(result.created_words) == 600
    assert services.words_total() == 605
    for group in document.groups:
        stored = services.group_get(group_id=group["id"])
        listed = services.words_list(page=1, per_page=100, sort_by="japanese", descending=False, group_id=group["id"])
        assert stored.word_count == listed.total > 0
    services.group_delete(group_id=document.groups[0]["id"])
    assert repo.group_get(document.groups[0]["id"]) is None
    assert strict_dynamodb.faults["partial"] > 0 and strict_dynamodb.faults["stale"] == 0  # every read is consistent


def test_a_rebuild_that_loses_its_race_leaves_no_nodes_behind(words, strict_dynamodb):
    """The root swap meets a running transaction: the new nodes go, the rebuild runs again."""
    name = repo.words_index("english")
    strict_dynamodb.configure(conflict=Fault(1.0, limit=1, operations=frozenset({"TransactWriteItems"})))
    extra = {orderindex.entry(orderindex.sort_key(f"extra {n}"), str(n)) for n in range(100, 1100)}
    orderindex.rebuild(name, orderindex.Change(inserts=extra))
    root = orderindex.read_roots([name])[name]
    stored = {item.node for item in OrderNodeModel.query(name, consistent_read=True)}
    assert len(stored) == len(root.pointers) + 1  # only the root and the nodes it reaches
    assert orderindex.read_total(name) == 1005
    assert strict_dynamodb.faults["conflict"] == 1
