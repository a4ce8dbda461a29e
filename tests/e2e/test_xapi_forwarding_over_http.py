"""Forwarding statements to a school's own LRS, end to end: a second langportal is the
school's store; an administrator of the first makes a rule in its admin, over HTTP; a tool
stores statements in the first, and its jobs worker forwards those the rule keeps, both
stacks on DynamoDB as AWS may behave."""

import base64
import json
import re
import time
import uuid

import pytest
import requests

from .conftest import AdminBrowser, Stack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ARRIVAL_SECONDS = 60  # the worker runs the forwarder every few seconds


@pytest.fixture(scope="module")
def school_lrs(tmp_path_factory):
    """Another langportal, with data of its own: the school's LRS."""
    other = Stack(tmp_path_factory.mktemp("school-lrs"), free_port(), free_port()).start()
    yield other
    other.stop()


def made(stack: Stack, *arguments: str) -> str:
    """The output of a manage.py command that writes, tried again when strict DynamoDB
    lost the answer to its write (the command then finds its own write in the way)."""
    for _ in range(3):
        result = stack.manage(*arguments)
        if result.returncode == 0:
            return result.stdout
    raise AssertionError(result.stderr)


def credential(stack: Stack, name: str) -> dict[str, str]:
    """A new Basic credential of the stack's xAPI store, with every scope: its key and secret."""
    return json.loads(made(stack, "xapi_credential", name, "--scope", "all", "--json"))


def basic(given: dict[str, str]) -> str:
    return "Basic " + base64.b64encode(f"{given['key']}:{given['secret']}".encode()).decode()


def xapi(method: str, url: str, authorization: str, **kwargs) -> requests.Response:
    """A request of an xAPI tool, sent again after a 503's Retry-After."""
    headers = {"Authorization": authorization, "X-Experience-API-Version": "2.0.0"}
    for _ in range(5):
        answer = requests.request(method, url, headers=headers, timeout=30, **kwargs)
        if answer.status_code != 503:
            return answer
        time.sleep(int(answer.headers.get("Retry-After", 1)))
    return answer


def statement_ids(stack: Stack, authorization: str, verb: str) -> set[str]:
    """The ids of the statements with this verb that the stack's store holds, every page."""
    found, url = set(), f"{stack.url}/xapi/statements"
    params = {"verb": verb, "limit": "100"}
    while url:
        answer = xapi("GET", url, authorization, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found |= {statement["id"] for statement in page["statements"]}
        url, params = (f"{stack.url}{page['more']}", None) if page["more"] else (None, None)
    return found


def administrator(stack: Stack) -> AdminBrowser:
    name = f"admin-{uuid.uuid4().hex[:8]}"
    password = re.search(r"password: (\S+)", made(stack, "local_user", name, "--group", "admins"))[1]
    return AdminBrowser(stack.url).signed_in(name, password)


def test_statements_stored_in_one_langportal_arrive_in_the_schools(stack, school_lrs):
    run = uuid.uuid4().hex[:8]
    course, verb = f"https://school.example/e2e-{run}/", f"https://school.example/e2e-{run}/verbs/practised"
    school_key = credential(school_lrs, "langportal")
    school = basic(school_key)
    admin = administrator(stack)
    fields = {
        "name": f"School {run}",
        "endpoint": f"{school_lrs.url}/xapi",
        "target_key": school_key["key"],
        "target_secret": school_key["secret"],
        "version": "2.0.0",
        "verbs": "",
        "activity_prefix": course,
        "enabled": "on",
    }
    created = admin.post("/admin/xapi/forwarding/add/", fields)
    assert created.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", created.text))[-1500:]
    rule_id = re.search(rf'id="rule-(\w+)"><th>School {run}<', admin.get("/admin/xapi/forwarding/").text)[1]
    try:
        tool = basic(credential(stack, f"e2e tool {run}"))
        kept = [
            {
                "id": str(uuid.uuid4()),
                "actor": {"mbox": f"mailto:learner{n}@school.example"},
                "verb": {"id": verb},
                "object": {"id": f"{course}lesson-{n}"},
            }
            for n in range(120)
        ]
        left_out = [{**kept[0], "id": str(uuid.uuid4()), "object": {"id": f"https://elsewhere.example/{run}"}}]
        for start in range(0, 120, 40):
            sent = kept[start : start + 40] + (left_out if start == 40 else [])
            answer = xapi("POST", f"{stack.url}/xapi/statements", tool, json=sent)
            assert answer.status_code == 200, answer.text
        assert statement_ids(stack, tool, verb) == {statement["id"] for statement in kept + left_out}

        deadline, arrived = time.monotonic() + ARRIVAL_SECONDS, set()
        while time.monotonic() < deadline:
            arrived = statement_ids(school_lrs, school, verb)
            if len(arrived) >= len(kept):
                break
            time.sleep(1)

        assert arrived == {statement["id"] for statement in kept}
        one = xapi("GET", f"{school_lrs.url}/xapi/statements", school, params={"statementId": kept[7]["id"]}).json()
        assert (one["actor"], one["verb"], one["object"]) == (kept[7]["actor"], kept[7]["verb"], kept[7]["object"])
        assert one["authority"]["name"] == "langportal"  # the school's store names who sent it
        row = admin.get("/admin/xapi/forwarding/").text.split(f'id="rule-{rule_id}"')[1].split("</tr>")[0]
        assert '<td class="rule-state">forwarding</td>' in row and '<td class="rule-error"></td>' in row
        assert int(re.search(r'<td class="rule-forwarded">(\d+)</td>', row)[1]) >= len(kept)
    finally:
        deleted = admin.post(f"/admin/xapi/forwarding/{rule_id}/delete/", {})
        assert deleted.status_code == 302, deleted.text
