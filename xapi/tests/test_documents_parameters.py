"""The parameters of the document resources: a request missing one it needs, naming one
it does not take, or giving one in the wrong form is 400, and stores nothing."""

import json

import pytest

from langportal.errors import InvalidInput
from xapi.services import documents
from xapi.tests.document_factories import (
    ACTIVITY_PROFILE,
    AGENT_PROFILE,
    RESOURCES,
    STATE,
    document_params,
    id_name,
    without_id,
)

METHODS = ("get", "put", "post", "delete")
BODY = {"n": 1}


def send(client, method: str, resource: str, params: dict, **headers):
    if method in ("put", "post"):
        return getattr(client, method)(resource, BODY, params, **headers)
    return getattr(client, method)(resource, params, **headers)


def assert_refused(xapi, method: str, resource: str, params: dict, **headers) -> None:
    answer = send(xapi, method, resource, params, **headers)
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == "invalid"


def assert_nothing_stored(xapi, resource: str) -> None:
    assert xapi.get(resource, without_id(resource, document_params(resource))).json() == []


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("resource", "name"),
    [(STATE, "activityId"), (STATE, "agent"), (ACTIVITY_PROFILE, "activityId"), (AGENT_PROFILE, "agent")],
)
def test_a_request_without_what_says_where_the_document_is_is_400(xapi, method, resource, name):
    params = document_params(resource)
    del params[name]

    assert_refused(xapi, method, resource, params)


@pytest.mark.parametrize("method", ["put", "post"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_write_without_the_document_id_is_400(xapi, method, resource):
    params = without_id(resource, document_params(resource))

    assert_refused(xapi, method, resource, params)
    assert_nothing_stored(xapi, resource)


@pytest.mark.parametrize("resource", [ACTIVITY_PROFILE, AGENT_PROFILE])
def test_a_profile_delete_without_profile_id_is_400_and_deletes_nothing(xapi, resource):
    params = document_params(resource)
    xapi.put(resource, BODY, params, **{"If-None-Match": "*"})

    assert_refused(xapi, "delete", resource, without_id(resource, params))
    assert xapi.get(resource, params).status_code == 200


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_parameter_the_resource_does_not_take_is_400(xapi, method, resource):
    params = document_params(resource, limit="10")

    assert_refused(xapi, method, resource, params)
    assert_nothing_stored(xapi, resource)


@pytest.mark.parametrize("resource", [ACTIVITY_PROFILE, AGENT_PROFILE])
def test_a_registration_is_a_parameter_of_states_only(xapi, resource):
    assert_refused(
        xapi, "put", resource, document_params(resource, registration="d5a8b5a1-5cc5-4f0e-a9ad-6e7f5c1b0e0a")
    )


@pytest.mark.parametrize(
    "agent",
    [
        "not JSON",
        "true",
        '{"objectType""Agent","account":{"homePage":"http://example.com","name":"Rick James"}}',
        json.dumps({"objectType": "Agent", "name": "nobody"}),
        json.dumps({"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}),
        json.dumps({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
    ],
    ids=["not-json", "true", "broken-json", "no-identifier", "two-identifiers", "anonymous-group"],
)
@pytest.mark.parametrize("resource", [STATE, AGENT_PROFILE])
def test_an_agent_that_is_not_an_identified_agent_as_json_is_400(xapi, resource, agent):
    assert_refused(xapi, "put", resource, {**document_params(resource), "agent": agent})
    assert_nothing_stored(xapi, resource)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("resource", [STATE, AGENT_PROFILE])
def test_every_method_checks_the_agent(xapi, resource, method):
    assert_refused(xapi, method, resource, {**document_params(resource), "agent": "true"})


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("resource", [STATE, ACTIVITY_PROFILE])
def test_an_activity_id_that_is_not_an_iri_is_400(xapi, method, resource):
    assert_refused(xapi, method, resource, document_params(resource, activityId="not an iri"))


@pytest.mark.parametrize("method", METHODS)
def test_a_registration_that_is_not_a_uuid_is_400(xapi, method):
    assert_refused(xapi, method, STATE, document_params(STATE, registration="true"))


@pytest.mark.parametrize("resource", RESOURCES)
def test_since_that_is_not_a_timestamp_is_400(xapi, resource):
    assert_refused(xapi, "get", resource, {**without_id(resource, document_params(resource)), "since": "true"})


@pytest.mark.parametrize("resource", RESOURCES)
def test_since_is_for_the_list_of_ids_not_one_document(xapi, resource):
    params = document_params(resource)
    xapi.post(resource, BODY, params)

    assert_refused(xapi, "get", resource, {**params, "since": "2020-01-01T00:00:00Z"})


@pytest.mark.parametrize("method", ["put", "post", "delete"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_since_is_not_a_parameter_of_writes(xapi, method, resource):
    assert_refused(xapi, method, resource, {**document_params(resource), "since": "2020-01-01T00:00:00Z"})


@pytest.mark.parametrize("value", ["", "x" * 1025], ids=["empty", "too-long"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_document_id_empty_or_past_1024_bytes_is_400(xapi, resource, value):
    params = document_params(resource, **{id_name(resource): value})

    assert_refused(xapi, "post", resource, params)
    assert_nothing_stored(xapi, resource)


@pytest.mark.parametrize("header", ["If-Match", "If-None-Match"])
def test_a_precondition_that_is_not_a_list_of_quoted_etags_is_400(xapi, header):
    params = document_params(STATE)

    assert_refused(xapi, "put", STATE, params, **{header: "abc, def"})
    assert_nothing_stored(xapi, STATE)


@pytest.mark.parametrize(
    "place",
    [
        lambda group: documents.state_place(activity_id="http://example.com/a", agent=group, registration=None),
        lambda group: documents.agent_profile_place(agent=group),
    ],
    ids=["state", "agent-profile"],
)
def test_documents_are_never_about_an_anonymous_group(place):
    """Whatever the Agent rules let through, an anonymous Group has no identity to keep
    documents under."""
    with pytest.raises(InvalidInput):
        place({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]})
