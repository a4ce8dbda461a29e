"""Statements stay immutable when writers race and when DynamoDB behaves as AWS may: two
PUTs of one id store one statement, and under stale reads, lost answers, conflicts and
throttling every statement is stored once and found by its queries."""

import uuid

import pytest

from langportal.local.strict import Fault
from xapi import repositories as repo
from xapi.services import statements


def statement(verb: str = "http://adlnet.gov/expapi/verbs/answered", **changes) -> dict:
    made = {
        "actor": {"mbox": "mailto:aiko@example.com"},
        "verb": {"id": verb},
        "object": {"id": "http://example.com/activities/race"},
    }
    return {**made, **changes}


@pytest.fixture
def first_put_meets(monkeypatch):
    """The first statement write runs `competitor` (another request's PUT) just before
    it is sent, after this request has checked the id is free."""

    def arm(competitor):
        real = repo.statement_put

        def put(*args, **kwargs):
            monkeypatch.setattr(repo, "statement_put", real)
            competitor()
            return real(*args, **kwargs)

        monkeypatch.setattr(repo, "statement_put", put)

    return arm


def test_of_two_puts_of_one_id_with_other_content_the_second_is_a_conflict(xapi, first_put_meets):
    statement_id = str(uuid.uuid4())
    theirs = statement(verb="http://example.com/verbs/theirs")
    first_put_meets(lambda: xapi.put("statements", theirs, {"statementId": statement_id}))

    ours = xapi.put("statements", statement(), {"statementId": statement_id})

    assert ours.status_code == 409
    assert xapi.get("statements", {"statementId": statement_id}).json()["verb"]["id"] == theirs["verb"]["id"]
    assert len(xapi.get("statements", {"activity": "http://example.com/activities/race"}).json()["statements"]) == 1


def test_of_two_puts_of_one_id_with_the_same_content_both_succeed_and_one_is_stored(xapi, first_put_meets):
    statement_id = str(uuid.uuid4())
    first_put_meets(lambda: xapi.put("statements", statement(), {"statementId": statement_id}))

    assert xapi.put("statements", statement(), {"statementId": statement_id}).status_code == 204

    found = xapi.get("statements", {"activity": "http://example.com/activities/race"}).json()["statements"]
    assert [entry["id"] for entry in found] == [statement_id]


def test_voiding_a_statement_voided_meanwhile_stores_the_second_voiding_alone(xapi, first_put_meets):
    target = xapi.post("statements", statement()).json()[0]
    voiding = statement(verb=statements.VOIDED, object={"objectType": "StatementRef", "id": target})
    first_put_meets(lambda: xapi.post("statements", voiding))

    assert xapi.post("statements", voiding).status_code == 200

    assert xapi.get("statements", {"voidedStatementId": target}).status_code == 200
    listed = xapi.get("statements", {"verb": statements.VOIDED}).json()["statements"]
    assert len(listed) == 2 and target not in [entry["id"] for entry in listed]


def test_under_stale_reads_lost_answers_conflicts_and_throttling_each_statement_is_stored_once(
    xapi, strict_dynamodb, no_botocore_backoff
):
    sent = [statement(id=str(uuid.uuid4()), context={"registration": str(uuid.uuid4())}) for _ in range(20)]
    writes = frozenset({"TransactWriteItems"})
    strict_dynamodb.configure(
        lag_ms=1000,
        stale=Fault(1.0),
        lost=Fault(0.3, operations=writes),
        conflict=Fault(0.1, operations=writes),
        throttle=Fault(0.05),
    )

    for entry in sent:
        for _ in range(10):  # a client sends again what got a 503, as xAPI clients do
            answer = xapi.post("statements", entry)
            if answer.status_code != 503:
                break
        assert answer.status_code == 200, answer.content

    assert strict_dynamodb.faults["lost"] > 0
    strict_dynamodb.configure()
    stored = xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/answered", "limit": 50}).json()
    assert sorted(entry["id"] for entry in stored["statements"]) == sorted(entry["id"] for entry in sent)
    for entry in sent:
        by_registration = xapi.get("statements", {"registration": entry["context"]["registration"]}).json()
        assert [found["id"] for found in by_registration["statements"]] == [entry["id"]]
