"""Who may call the store: Basic credentials by their scopes, revoked ones not at all,
students with their token as themselves, teachers reading everything."""

import base64

import pytest

from xapi.services import credentials

STATEMENT = {
    "actor": {"mbox": "mailto:tool@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "http://example.com/activities/scoped"},
}


@pytest.mark.parametrize(
    ("scopes", "writes", "reads"),
    [
        (["all"], 200, 200),
        (["statements/write"], 200, 403),
        (["statements/read"], 403, 200),
        (["all/read"], 403, 200),
        (["statements/read/mine"], 403, 200),
        (["state"], 403, 403),
        (["profile", "define"], 403, 403),
        (["statements/write", "statements/read/mine"], 200, 200),
    ],
)
def test_each_scope_grants_what_it_names(make_xapi_client, scopes, writes, reads):
    client = make_xapi_client(*scopes)
    assert client.post("statements", STATEMENT).status_code == writes
    assert client.get("statements").status_code == reads


def test_read_mine_reads_only_the_statements_it_stored(make_xapi_client, xapi):
    theirs = xapi.post("statements", STATEMENT).json()[0]
    mine = make_xapi_client("statements/write", "statements/read/mine", name="a quiz tool")
    own = mine.post("statements", STATEMENT).json()[0]

    listed = [entry["id"] for entry in mine.get("statements").json()["statements"]]

    assert listed == [own]
    assert mine.get("statements", {"statementId": theirs}).status_code == 404
    assert {entry["id"] for entry in xapi.get("statements").json()["statements"]} == {own, theirs}


def test_a_statement_names_its_credential_as_its_authority(make_xapi_client):
    tool = make_xapi_client("all", name="Moodle of Minami High")
    stored = tool.get("statements", {"statementId": tool.post("statements", STATEMENT).json()[0]}).json()

    assert stored["authority"]["name"] == "Moodle of Minami High"
    assert stored["authority"]["objectType"] == "Agent"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"unknown:secret").decode(),
        "Bearer not-a-token",
        "Digest something",
    ],
)
def test_without_a_valid_credential_it_is_401(xapi, authorization):
    xapi.authorization = authorization or ""
    answer = xapi.get("statements")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Basic realm="xapi"'
    assert answer.json()["error"]["code"] == "unauthorized"


def test_a_wrong_secret_and_a_revoked_credential_are_401(aws, db, make_xapi_client, settings):
    settings.XAPI_CREDENTIAL_CACHE_SECONDS = 0
    made = credentials.credential_create(name="old tool", scopes=["all"], created_by="tests")
    client = make_xapi_client()
    client.authorization = "Basic " + base64.b64encode(f"{made.credential.key}:wrong".encode()).decode()
    assert client.get("statements").status_code == 401

    client.authorization = "Basic " + base64.b64encode(f"{made.credential.key}:{made.secret}".encode()).decode()
    assert client.get("statements").status_code == 200
    credentials.credential_revoke(made.credential.key)
    assert client.get("statements").status_code == 401


def test_a_credential_is_refused_without_a_name_or_with_an_unknown_scope(aws):
    for name, scopes in (("", ["all"]), ("tool", []), ("tool", ["statements/delete"])):
        with pytest.raises(credentials.InvalidInput):
            credentials.credential_create(name=name, scopes=scopes, created_by="tests")


def test_a_teacher_reads_every_statement_and_writes_none(make_xapi_user, xapi):
    stored = xapi.post("statements", STATEMENT).json()[0]
    teacher = make_xapi_user("sensei", "teachers")

    assert [entry["id"] for entry in teacher.get("statements").json()["statements"]] == [stored]
    assert teacher.post("statements", STATEMENT).status_code == 403


def test_a_student_may_not_read_another_agent(make_xapi_user):
    student = make_xapi_user("aiko")

    answer = student.get("statements", {"agent": STATEMENT["actor"]})

    assert answer.status_code == 403
    assert student.get("statements", {"agent": student.agent}).status_code == 200
