"""Concurrency control of the document resources: ETags, If-Match and If-None-Match
(412), a PUT without either (409, and each version's rules), and races between a read
and its write."""

import pytest

from xapi.tests.document_factories import ACTIVITY_PROFILE, AGENT_PROFILE, RESOURCES, STATE, document_params, without_id

PROFILES = (ACTIVITY_PROFILE, AGENT_PROFILE)
ORIGINAL = {"name": "original"}


def stored(xapi, resource: str) -> tuple[dict, str]:
    """A new document of `resource` and its ETag."""
    params = document_params(resource)
    assert xapi.post(resource, ORIGINAL, params).status_code == 204
    return params, xapi.get(resource, params)["ETag"]


def send(xapi, method: str, resource: str, params: dict, body: dict | None = None, **headers):
    if method == "delete":
        return xapi.delete(resource, params, **headers)
    return getattr(xapi, method)(resource, body or {"name": "changed"}, params, **headers)


@pytest.mark.parametrize("method", ["put", "post", "delete"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_write_whose_if_match_is_not_the_etag_is_412_and_changes_nothing(xapi, resource, method):
    params, _ = stored(xapi, resource)

    answer = send(xapi, method, resource, params, **{"If-Match": '"1234"'})

    assert answer.status_code == 412 and answer.json()["error"]["code"] == "precondition_failed"
    assert xapi.get(resource, params).json() == ORIGINAL


@pytest.mark.parametrize(("method", "expected"), [("put", {"name": "changed"}), ("post", {"name": "changed"})])
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_write_whose_if_match_is_the_etag_is_made(xapi, resource, method, expected):
    params, etag = stored(xapi, resource)

    assert send(xapi, method, resource, params, **{"If-Match": etag}).status_code == 204

    assert xapi.get(resource, params).json() == expected


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_delete_whose_if_match_is_the_etag_deletes(xapi, resource):
    params, etag = stored(xapi, resource)

    assert xapi.delete(resource, params, **{"If-Match": f'"other", {etag}'}).status_code == 204

    assert xapi.get(resource, params).status_code == 404


@pytest.mark.parametrize("method", ["put", "post", "delete"])
@pytest.mark.parametrize("if_match", ['"1234"', "*"])
def test_if_match_where_no_document_is_stored_is_412(xapi, method, if_match):
    params = document_params(ACTIVITY_PROFILE)

    assert send(xapi, method, ACTIVITY_PROFILE, params, **{"If-Match": if_match}).status_code == 412

    assert xapi.get(ACTIVITY_PROFILE, params).status_code == 404


def test_if_match_star_replaces_any_stored_document(xapi):
    params, _ = stored(xapi, AGENT_PROFILE)

    assert xapi.put(AGENT_PROFILE, {"name": "changed"}, params, **{"If-Match": "*"}).status_code == 204

    assert xapi.get(AGENT_PROFILE, params).json() == {"name": "changed"}


def test_a_weak_etag_never_satisfies_if_match(xapi):
    params, etag = stored(xapi, ACTIVITY_PROFILE)

    assert xapi.put(ACTIVITY_PROFILE, {"name": "changed"}, params, **{"If-Match": f"W/{etag}"}).status_code == 412


@pytest.mark.parametrize("method", ["put", "post"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_if_none_match_star_creates_but_never_replaces(xapi, resource, method):
    params, _ = stored(xapi, resource)
    new = document_params(resource)

    assert send(xapi, method, resource, params, **{"If-None-Match": "*"}).status_code == 412
    assert send(xapi, method, resource, new, **{"If-None-Match": "*"}).status_code == 204

    assert xapi.get(resource, params).json() == ORIGINAL
    assert xapi.get(resource, new).json() == {"name": "changed"}


def test_if_none_match_with_the_current_etag_is_412_and_with_another_is_made(xapi):
    params, etag = stored(xapi, ACTIVITY_PROFILE)

    assert xapi.put(ACTIVITY_PROFILE, {"n": 1}, params, **{"If-None-Match": f"W/{etag}"}).status_code == 412
    assert xapi.put(ACTIVITY_PROFILE, {"n": 2}, params, **{"If-None-Match": '"other"'}).status_code == 204

    assert xapi.get(ACTIVITY_PROFILE, params).json() == {"n": 2}


@pytest.mark.parametrize("version", ["2.0.0", "1.0.3"])
@pytest.mark.parametrize("resource", PROFILES)
def test_a_profile_put_without_precondition_over_a_stored_one_is_409_and_explains(make_xapi_client, resource, version):
    client = make_xapi_client(version=version)
    params, _ = stored(client, resource)

    answer = client.put(resource, {"name": "changed"}, params)

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "document_exists" and "If-Match" in answer.json()["error"]["message"]
    assert client.get(resource, params).json() == ORIGINAL


@pytest.mark.parametrize(("version", "status"), [("2.0.0", 204), ("1.0.3", 400)])
@pytest.mark.parametrize("resource", PROFILES)
def test_a_new_profile_put_without_precondition_is_stored_in_2_0_0_and_refused_in_1_0_3(
    make_xapi_client, resource, version, status
):
    client = make_xapi_client(version=version)
    params = document_params(resource)

    assert client.put(resource, {"n": 1}, params).status_code == status

    assert client.get(resource, params).status_code == (200 if status == 204 else 404)


@pytest.mark.parametrize(("version", "status", "kept"), [("2.0.0", 409, ORIGINAL), ("1.0.3", 204, {"n": 2})])
def test_a_state_put_without_precondition_over_a_stored_one_is_409_in_2_0_0_and_replaces_in_1_0_3(
    make_xapi_client, version, status, kept
):
    client = make_xapi_client(version=version)
    params, _ = stored(client, STATE)

    assert client.put(STATE, {"n": 2}, params).status_code == status

    assert client.get(STATE, params).json() == kept


def test_a_delete_of_every_state_takes_no_precondition(xapi):
    params, etag = stored(xapi, STATE)

    assert xapi.delete(STATE, without_id(STATE, params), **{"If-Match": etag}).status_code == 400

    assert xapi.get(STATE, params).status_code == 200


# --- races: another writer between a request's read and its write ---------------------


def test_if_match_holds_against_a_write_between_the_read_and_the_write(xapi, make_xapi_client, race):
    params, etag = stored(xapi, ACTIVITY_PROFILE)
    other = make_xapi_client()
    race(lambda: other.put(ACTIVITY_PROFILE, {"by": "other"}, params, **{"If-Match": etag}))

    answer = xapi.put(ACTIVITY_PROFILE, {"by": "me"}, params, **{"If-Match": etag})

    assert answer.status_code == 412
    assert xapi.get(ACTIVITY_PROFILE, params).json() == {"by": "other"}


def test_if_none_match_holds_against_a_create_between_the_read_and_the_write(xapi, make_xapi_client, race):
    params = document_params(AGENT_PROFILE)
    other = make_xapi_client()
    race(lambda: other.put(AGENT_PROFILE, {"by": "other"}, params, **{"If-None-Match": "*"}))

    assert xapi.put(AGENT_PROFILE, {"by": "me"}, params, **{"If-None-Match": "*"}).status_code == 412

    assert xapi.get(AGENT_PROFILE, params).json() == {"by": "other"}


def test_merges_that_race_both_land(xapi, make_xapi_client, race):
    params, _ = stored(xapi, STATE)
    other = make_xapi_client()
    race(lambda: other.post(STATE, {"theirs": 1}, params))

    assert xapi.post(STATE, {"mine": 2}, params).status_code == 204

    assert xapi.get(STATE, params).json() == {**ORIGINAL, "theirs": 1, "mine": 2}


def test_a_delete_with_if_match_holds_against_a_write_between_the_read_and_the_delete(xapi, make_xapi_client, race):
    params, etag = stored(xapi, STATE)
    other = make_xapi_client()
    race(lambda: other.post(STATE, {"theirs": 1}, params))

    assert xapi.delete(STATE, params, **{"If-Match": etag}).status_code == 412

    assert xapi.get(STATE, params).json() == {**ORIGINAL, "theirs": 1}
