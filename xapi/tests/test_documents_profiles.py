"""The Activity Profile and Agent Profile resources: documents about an activity, or an
agent, stored, merged, listed and deleted one by one."""

import hashlib
from datetime import UTC, datetime

import pytest

from xapi.tests.document_factories import ACTIVITY, ACTIVITY_PROFILE, AGENT_PROFILE, agent, document_params, without_id

PROFILES = (ACTIVITY_PROFILE, AGENT_PROFILE)
CREATE = {"If-None-Match": "*"}


@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_put_is_read_back_with_its_type_etag_and_last_modified(xapi, resource):
    params = document_params(resource)
    assert xapi.put(resource, b"<profile/>", params, content_type="application/xml", **CREATE).status_code == 204

    answer = xapi.get(resource, params)

    assert answer.status_code == 200 and answer.content == b"<profile/>"
    assert answer["Content-Type"] == "application/xml"
    assert answer["ETag"] == f'"{hashlib.sha1(b"<profile/>", usedforsecurity=False).hexdigest()}"'
    assert answer["Last-Modified"].endswith(" GMT")


@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_post_stores_then_merges(xapi, resource):
    params = document_params(resource)
    assert xapi.post(resource, {"car": "Honda"}, params).status_code == 204

    assert xapi.post(resource, {"type": "Civic"}, params).status_code == 204

    assert xapi.get(resource, params).json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_post_that_cannot_merge_is_400_and_changes_nothing(xapi, resource):
    params = document_params(resource)
    xapi.put(resource, b"/ asdf / undefined", params, content_type="application/octet-stream", **CREATE)

    assert xapi.post(resource, {"a": 1}, params).status_code == 400

    assert xapi.get(resource, params).content == b"/ asdf / undefined"


@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_delete_removes_it(xapi, resource):
    params = document_params(resource)
    xapi.post(resource, {"a": 1}, params)

    assert xapi.delete(resource, params).status_code == 204

    assert xapi.get(resource, params).status_code == 404
    assert xapi.delete(resource, params).status_code == 204


@pytest.mark.parametrize("resource", PROFILES)
def test_the_ids_list_holds_the_profiles_of_the_activity_or_agent_updated_since(xapi, resource):
    other = {"activityId": f"{ACTIVITY}/other"} if resource == ACTIVITY_PROFILE else {"agent": agent("kenji")}
    first, second = document_params(resource), document_params(resource)
    xapi.post(resource, {"n": 1}, first)
    between = datetime.now(UTC).isoformat()
    xapi.post(resource, {"n": 2}, second)
    xapi.post(resource, {"n": 3}, document_params(resource, **other))

    everything = xapi.get(resource, without_id(resource, first))
    recent = xapi.get(resource, {**without_id(resource, first), "since": between})

    assert sorted(everything.json()) == sorted([first["profileId"], second["profileId"]])
    assert everything["Last-Modified"] == xapi.get(resource, second)["Last-Modified"]
    assert recent.json() == [second["profileId"]]


def test_the_agent_of_an_agent_profile_is_known_by_its_identifier(xapi):
    account = {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}
    params = document_params(AGENT_PROFILE, agent={"objectType": "Agent", "name": "Rick", "account": account})
    xapi.post(AGENT_PROFILE, {"n": 1}, params)

    assert xapi.get(AGENT_PROFILE, {**params, "agent": {"account": account}}).json() == {"n": 1}
    other = {"account": {**account, "name": "Rick Jameson"}}
    assert xapi.get(AGENT_PROFILE, {**params, "agent": other}).status_code == 404


def test_state_and_profiles_of_one_id_are_documents_apart(xapi):
    shared = "progress"
    xapi.post("activities/state", {"of": "state"}, {"activityId": ACTIVITY, "agent": agent(), "stateId": shared})
    xapi.post(ACTIVITY_PROFILE, {"of": "activity"}, {"activityId": ACTIVITY, "profileId": shared})
    xapi.post(AGENT_PROFILE, {"of": "agent"}, {"agent": agent(), "profileId": shared})

    assert xapi.get(ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": shared}).json() == {"of": "activity"}
    assert xapi.get(AGENT_PROFILE, {"agent": agent(), "profileId": shared}).json() == {"of": "agent"}
