"""The State resource: documents about an activity and an agent (and a registration),
replaced, merged, listed and deleted."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from xapi.models import DocumentModel
from xapi.tests.document_factories import ACTIVITY, STATE, agent, document_params, without_id


def test_a_state_put_is_read_back_as_sent_with_its_etag_and_last_modified(xapi):
    params = document_params(STATE)
    sent = b"\x00progress: 3 of 10\xff"
    assert xapi.put(STATE, sent, params, content_type="application/x-progress; v=2").status_code == 204

    answer = xapi.get(STATE, params)

    assert answer.status_code == 200
    assert answer.content == sent
    assert answer["Content-Type"] == "application/x-progress; v=2"
    assert answer["ETag"] == f'"{hashlib.sha1(sent, usedforsecurity=False).hexdigest()}"'
    assert datetime.strptime(answer["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT").year == datetime.now(UTC).year


def test_a_document_sent_without_a_content_type_is_kept_as_octets(xapi):
    params = document_params(STATE)
    xapi.put(STATE, b"raw", params, content_type=None)

    assert xapi.get(STATE, params)["Content-Type"] == "application/octet-stream"


def test_head_answers_as_get_without_the_body(xapi):
    params = document_params(STATE)
    xapi.put(STATE, {"x": 1}, params)

    answer = xapi.head(STATE, params)

    assert answer.status_code == 200 and answer.content == b""
    assert answer["ETag"] == xapi.get(STATE, params)["ETag"]


def test_a_state_not_stored_is_404(xapi):
    assert xapi.get(STATE, document_params(STATE)).status_code == 404


def test_a_post_where_nothing_is_stored_stores_the_document(xapi):
    params = document_params(STATE)
    assert xapi.post(STATE, {"car": "Honda"}, params).status_code == 204

    assert xapi.get(STATE, params).json() == {"car": "Honda"}


def test_a_post_of_another_type_where_nothing_is_stored_stores_it_as_sent(xapi):
    params = document_params(STATE)
    assert xapi.post(STATE, b"plain", params, content_type="text/plain").status_code == 204

    answer = xapi.get(STATE, params)
    assert answer.content == b"plain" and answer["Content-Type"] == "text/plain"


def test_a_post_merges_top_level_properties_replacing_whole_values(xapi):
    params = document_params(STATE)
    xapi.post(STATE, {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale", "kept": 1}, params)

    assert xapi.post(STATE, {"car": {"make": "Dodge"}, "driver": "Jeff", "added": [2]}, params).status_code == 204

    answer = xapi.get(STATE, params)
    assert answer.json() == {"car": {"make": "Dodge"}, "driver": "Jeff", "kept": 1, "added": [2]}
    assert answer["Content-Type"] == "application/json"
    assert answer["ETag"] == f'"{hashlib.sha1(answer.content, usedforsecurity=False).hexdigest()}"'


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        ({"a": 1}, "application/json", b"abcdefg", "not/json"),
        (b"/ asdf / undefined", "application/octet-stream", {"a": 2}, "application/json"),
        ({"a": 1}, "application/json", b'{"a": 2}{', "application/json"),
        ({"a": 1}, "application/json", [1, 2], "application/json"),
        ([1, 2], "application/json", {"a": 2}, "application/json"),
        (b"{not json", "application/json", {"a": 2}, "application/json"),
        (b"text", "text/plain", b"more text", "text/plain"),
    ],
    ids=[
        "posted-not-json",
        "stored-not-json",
        "posted-broken",
        "posted-array",
        "stored-array",
        "stored-broken",
        "both-text",
    ],
)
def test_a_post_that_cannot_merge_is_400_and_changes_nothing(xapi, stored, stored_type, posted, posted_type):
    params = document_params(STATE)
    xapi.put(STATE, stored, params, content_type=stored_type)
    before = xapi.get(STATE, params)

    answer = xapi.post(STATE, posted, params, content_type=posted_type)

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "not_mergeable"
    after = xapi.get(STATE, params)
    assert (after.content, after["ETag"]) == (before.content, before["ETag"])


@pytest.mark.parametrize("posted", [b'{"a": 1}[', b"[1]", b'"text"'], ids=["broken", "array", "string"])
def test_a_post_of_json_that_is_not_an_object_is_400_where_nothing_is_stored(xapi, posted):
    params = document_params(STATE)

    assert xapi.post(STATE, posted, params).status_code == 400
    assert xapi.get(STATE, params).status_code == 404


def test_a_put_replaces_the_document_whatever_it_was(xapi):
    params = document_params(STATE)
    xapi.put(STATE, {"a": 1, "b": 2}, params)

    assert xapi.put(STATE, {"c": 3}, params, **{"If-Match": xapi.get(STATE, params)["ETag"]}).status_code == 204

    assert xapi.get(STATE, params).json() == {"c": 3}


def test_the_ids_list_holds_the_states_of_the_activity_and_agent_with_the_latest_last_modified(xapi):
    first, second = document_params(STATE), document_params(STATE)
    xapi.put(STATE, {"n": 1}, first)
    xapi.put(STATE, {"n": 2}, second)
    xapi.put(STATE, {"n": 3}, document_params(STATE, agent=agent("kenji")))

    answer = xapi.get(STATE, without_id(STATE, first))

    assert answer.status_code == 200
    assert sorted(answer.json()) == sorted([first["stateId"], second["stateId"]])
    assert answer["Last-Modified"] == xapi.get(STATE, second)["Last-Modified"]
    assert answer["ETag"] == f'"{hashlib.sha1(answer.content, usedforsecurity=False).hexdigest()}"'


def test_since_lists_only_the_states_updated_after_it(xapi):
    earlier, later = document_params(STATE), document_params(STATE)
    xapi.put(STATE, {"n": 1}, earlier)
    between = datetime.now(UTC).isoformat()
    xapi.put(STATE, {"n": 2}, later)

    listed = xapi.get(STATE, {**without_id(STATE, earlier), "since": between}).json()
    future = xapi.get(STATE, {**without_id(STATE, earlier), "since": "2999-01-01T00:00:00Z"})

    assert listed == [later["stateId"]]
    assert future.json() == [] and "Last-Modified" not in future


def test_since_is_exclusive(xapi):
    params = document_params(STATE)
    xapi.put(STATE, {"n": 1}, params)
    (item,) = DocumentModel.scan()

    assert xapi.get(STATE, {**without_id(STATE, params), "since": item.updated}).json() == []


def test_an_agent_is_known_by_its_identifier_whatever_else_it_says(xapi):
    params = document_params(STATE, agent={"mbox": "mailto:aiko@example.com", "name": "Aiko"})
    xapi.put(STATE, {"n": 1}, params)

    again = {**params, "agent": {"objectType": "Agent", "mbox": "mailto:aiko@example.com"}}

    assert xapi.get(STATE, again).json() == {"n": 1}


def test_a_registration_keeps_states_of_its_own_apart_from_those_without_one(xapi):
    registration = str(uuid.uuid4())
    plain = document_params(STATE, stateId="bookmark")
    registered = {**plain, "registration": registration}
    xapi.put(STATE, {"at": "plain"}, plain)
    xapi.put(STATE, {"at": "registered"}, registered)

    assert xapi.get(STATE, plain).json() == {"at": "plain"}
    assert xapi.get(STATE, {**registered, "registration": registration.upper()}).json() == {"at": "registered"}
    assert xapi.get(STATE, without_id(STATE, registered)).json() == ["bookmark"]
    xapi.delete(STATE, without_id(STATE, registered))
    assert xapi.get(STATE, registered).status_code == 404
    assert xapi.get(STATE, plain).status_code == 200


def test_a_delete_removes_one_state(xapi):
    params, other = document_params(STATE), document_params(STATE)
    xapi.put(STATE, {"n": 1}, params)
    xapi.put(STATE, {"n": 2}, other)

    assert xapi.delete(STATE, params).status_code == 204

    assert xapi.get(STATE, params).status_code == 404
    assert xapi.get(STATE, other).status_code == 200


def test_deleting_a_state_not_stored_is_204(xapi):
    assert xapi.delete(STATE, document_params(STATE)).status_code == 204


def test_a_delete_without_state_id_removes_every_state_of_the_activity_and_agent_only(xapi):
    mine = [document_params(STATE) for _ in range(3)]
    for params in mine:
        xapi.put(STATE, {"n": 1}, params)
    others = [
        document_params(STATE, agent=agent("kenji")),
        document_params(STATE, activityId=f"{ACTIVITY}/other"),
        document_params(STATE, registration=str(uuid.uuid4())),
    ]
    for params in others:
        xapi.put(STATE, {"n": 2}, params)

    assert xapi.delete(STATE, without_id(STATE, mine[0])).status_code == 204

    assert xapi.get(STATE, without_id(STATE, mine[0])).json() == []
    assert [xapi.get(STATE, params).status_code for params in others] == [200, 200, 200]


def test_the_alternate_request_syntax_of_1_0_3_stores_and_reads_a_state(make_xapi_client):
    old = make_xapi_client(version="1.0.3")
    params = document_params(STATE)
    form = {
        "content": json.dumps({"n": 1}),
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
        **{name: json.dumps(value) if isinstance(value, dict) else value for name, value in params.items()},
    }

    answer = old.client.post(
        "/xapi/activities/state?method=PUT",
        urlencode(form),
        "application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=old.authorization,
    )

    assert answer.status_code == 204
    assert old.get(STATE, params).json() == {"n": 1}
