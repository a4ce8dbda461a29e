"""The statements resource: stored once, never changed, read by id and by query."""

import uuid

from langportal.errors import Unavailable
from langportal.storage.dynamo import Transaction


def statement(**changes) -> dict:
    made = {
        "actor": {"objectType": "Agent", "mbox": "mailto:aiko@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"id": "http://example.com/activities/1"},
    }
    made.update(changes)
    return made


def test_a_statement_put_by_id_is_read_back_with_what_the_store_adds(xapi):
    statement_id = str(uuid.uuid4())
    assert xapi.put("statements", statement(), {"statementId": statement_id}).status_code == 204

    answer = xapi.get("statements", {"statementId": statement_id})

    assert answer.status_code == 200
    stored = answer.json()
    assert stored["id"] == statement_id and stored["version"] == "2.0.0"
    assert stored["authority"]["name"] == "test tool" and stored["timestamp"] == stored["stored"]
    assert answer["X-Experience-API-Version"] == "2.0.0"
    assert "X-Experience-API-Consistent-Through" in answer


def test_a_statement_sent_again_is_accepted_once_and_other_content_is_a_conflict(xapi):
    statement_id = str(uuid.uuid4())
    sent = statement(id=statement_id)
    assert xapi.post("statements", sent).json() == [statement_id]
    assert xapi.post("statements", sent).json() == [statement_id]

    changed = xapi.post("statements", statement(id=statement_id, verb={"id": "http://example.com/other"}))

    assert changed.status_code == 409
    found = xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/answered"}).json()["statements"]
    assert [entry["id"] for entry in found] == [statement_id]


def test_a_voided_statement_is_read_only_as_voided(xapi):
    target = xapi.post("statements", statement()).json()[0]
    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": target}
    )
    xapi.post("statements", voiding)

    assert xapi.get("statements", {"statementId": target}).status_code == 404
    assert xapi.get("statements", {"voidedStatementId": target}).json()["id"] == target
    listed = xapi.get("statements").json()["statements"]
    assert target not in [entry["id"] for entry in listed]


def test_pages_follow_more_links_to_the_end(xapi):
    sent = [xapi.post("statements", statement()).json()[0] for _ in range(5)]

    seen, page = [], xapi.get("statements", {"limit": 2, "ascending": True}).json()
    while True:
        seen += [entry["id"] for entry in page["statements"]]
        if not page["more"]:
            break
        page = xapi.client.get(page["more"], **xapi._headers({})).json()

    assert seen == sent


def test_a_student_writes_only_as_themselves_and_reads_only_their_own(make_xapi_user, xapi, aws):
    student = make_xapi_user("aiko")
    other = xapi.post("statements", statement()).json()[0]
    refused = student.post("statements", statement())
    assert refused.status_code == 403

    mine = student.post("statements", statement(actor=student.agent)).json()[0]

    listed = [entry["id"] for entry in student.get("statements").json()["statements"]]
    assert listed == [mine] and other not in listed


def team_statement(members: int, **changes) -> dict:
    """A statement whose team names more agents than one transaction can index."""
    team = {"objectType": "Group", "member": [{"mbox": f"mailto:member{n}@example.com"} for n in range(members)]}
    return statement(context={"team": team}, **changes)


def test_a_statement_found_by_more_keys_than_a_transaction_holds_is_stored_and_voided(xapi):
    big = xapi.post("statements", team_statement(60)).json()[0]
    member = {"mbox": "mailto:member59@example.com"}

    found = xapi.get("statements", {"agent": member, "related_agents": True}).json()["statements"]
    assert [entry["id"] for entry in found] == [big]

    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": big}
    )
    voiding_id = xapi.post("statements", voiding).json()[0]
    found = xapi.get("statements", {"agent": member, "related_agents": True}).json()["statements"]
    assert [entry["id"] for entry in found] == [voiding_id]  # it targets what matches; what it voided is gone
    assert xapi.get("statements", {"voidedStatementId": big}).status_code == 200


def test_index_items_of_a_statement_that_was_never_stored_find_nothing(xapi, monkeypatch):
    statement_id = str(uuid.uuid4())
    failing = {"left": 1}
    real_commit = Transaction.commit

    def commit(transaction):  # the process dies once its index items are written
        if failing["left"]:
            failing["left"] -= 1
            raise Unavailable()
        return real_commit(transaction)

    monkeypatch.setattr(Transaction, "commit", commit)
    assert xapi.put("statements", team_statement(60), {"statementId": statement_id}).status_code == 503
    other = team_statement(10, verb={"id": "http://example.com/verbs/other"})
    assert xapi.put("statements", other, {"statementId": statement_id}).status_code == 204

    member = {"mbox": "mailto:member59@example.com"}
    assert xapi.get("statements", {"agent": member, "related_agents": True}).json()["statements"] == []
    assert xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/answered"}).json()["statements"] == []
    assert xapi.get("statements", {"statementId": statement_id}).json()["verb"]["id"] == other["verb"]["id"]
