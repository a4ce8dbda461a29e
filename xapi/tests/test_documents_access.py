"""Who may use the document resources: the state scope for states, profile for both
profile resources, all/read to read; a student only their own Agent's documents."""

import pytest

from xapi.tests.document_factories import ACTIVITY_PROFILE, AGENT_PROFILE, RESOURCES, STATE, document_params, without_id

SCOPE_OF = {STATE: "state", ACTIVITY_PROFILE: "profile", AGENT_PROFILE: "profile"}


def read_and_write(client, resource: str, params: dict) -> tuple[int, int]:
    return (
        client.put(resource, {"n": 1}, params, **{"If-None-Match": "*"}).status_code,
        client.get(resource, without_id(resource, params)).status_code,
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_credential_with_the_resource_s_scope_reads_and_writes(make_xapi_client, resource):
    client = make_xapi_client(SCOPE_OF[resource])

    assert read_and_write(client, resource, document_params(resource)) == (204, 200)


@pytest.mark.parametrize(
    ("resource", "scope"),
    [
        (resource, scope)
        for resource in RESOURCES
        for scope in ("statements/write", "statements/read", "define", "state", "profile")
        if scope != SCOPE_OF[resource]
    ],
)
def test_a_credential_without_the_resource_s_scope_is_403(make_xapi_client, xapi, resource, scope):
    client = make_xapi_client(scope)
    params = document_params(resource)

    assert read_and_write(client, resource, params) == (403, 403)
    assert client.delete(resource, params).status_code == 403
    assert xapi.get(resource, without_id(resource, params)).json() == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_all_read_reads_but_does_not_write(make_xapi_client, xapi, resource):
    params = document_params(resource)
    xapi.post(resource, {"n": 1}, params)
    reader = make_xapi_client("all/read")

    assert reader.get(resource, params).json() == {"n": 1}
    assert reader.post(resource, {"n": 2}, params).status_code == 403
    assert reader.delete(resource, params).status_code == 403
    assert xapi.get(resource, params).json() == {"n": 1}


@pytest.mark.parametrize("resource", [STATE, AGENT_PROFILE])
def test_a_student_keeps_documents_as_themselves(make_xapi_user, resource):
    student = make_xapi_user("aiko")
    params = document_params(resource, agent=student.agent)

    assert student.post(resource, {"n": 1}, params).status_code == 204
    assert student.get(resource, params).json() == {"n": 1}
    assert student.delete(resource, params).status_code == 204


@pytest.mark.parametrize("resource", [STATE, AGENT_PROFILE])
def test_a_student_cannot_touch_another_agent_s_documents(make_xapi_user, xapi, resource):
    student = make_xapi_user("aiko")
    params = document_params(resource)
    xapi.post(resource, {"n": 1}, params)

    assert student.get(resource, params).status_code == 403
    assert student.get(resource, without_id(resource, params)).status_code == 403
    assert student.post(resource, {"n": 2}, params).status_code == 403
    assert student.delete(resource, params).status_code == 403
    assert xapi.get(resource, params).json() == {"n": 1}


def test_a_student_cannot_delete_another_agent_s_states(make_xapi_user, xapi):
    student = make_xapi_user("aiko")
    params = document_params(STATE)
    xapi.post(STATE, {"n": 1}, params)

    assert student.delete(STATE, without_id(STATE, params)).status_code == 403

    assert xapi.get(STATE, params).status_code == 200


def test_a_student_reads_an_activity_s_profile_but_does_not_write_it(make_xapi_user, xapi):
    student = make_xapi_user("aiko")
    params = document_params(ACTIVITY_PROFILE)
    xapi.post(ACTIVITY_PROFILE, {"n": 1}, params)

    assert student.get(ACTIVITY_PROFILE, params).json() == {"n": 1}
    assert student.post(ACTIVITY_PROFILE, {"n": 2}, params).status_code == 403
    assert student.put(ACTIVITY_PROFILE, {"n": 2}, params, **{"If-Match": "*"}).status_code == 403
    assert student.delete(ACTIVITY_PROFILE, params).status_code == 403
    assert xapi.get(ACTIVITY_PROFILE, params).json() == {"n": 1}


def test_a_teacher_reads_a_student_s_state_but_does_not_write_it(make_xapi_user):
    student, teacher = make_xapi_user("aiko"), make_xapi_user("sensei", "teachers")
    params = document_params(STATE, agent=student.agent)
    student.post(STATE, {"n": 1}, params)

    assert teacher.get(STATE, params).json() == {"n": 1}
    assert teacher.post(STATE, {"n": 2}, params).status_code == 403
    assert student.get(STATE, params).json() == {"n": 1}
