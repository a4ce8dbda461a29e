"""`manage.py xapi_forwarding`: the operators' door onto the forwarding rules."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from xapi.services import forwarding
from xapi.tests.target_lrs import TARGET_SECRET, a_statement


def command(*arguments: str) -> str:
    out = io.StringIO()
    call_command("xapi_forwarding", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def secret_on_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TARGET_SECRET}\n"))


def test_a_rule_added_with_its_secret_on_stdin_forwards(secret_on_stdin, target, store):
    rule_id = command(
        "add",
        "School",
        "--endpoint",
        target.url,
        "--key",
        "langportal",
        "--verb",
        "http://adlnet.gov/expapi/verbs/answered",
    ).strip()
    [sent] = store(a_statement())

    assert json.loads(command("run")) == {"forwarded": 1, "failed": 0}

    [rule] = forwarding.forwardings_list()
    assert (rule.rule_id, rule.target_secret, rule.created_by) == (rule_id, TARGET_SECRET, "manage.py")
    assert target.batches == [[sent]]
    [listed] = map(json.loads, command("list").splitlines())
    assert (listed["rule_id"], listed["state"], listed["forwarded"]) == (rule_id, "forwarding", 1)
    assert "target_secret" not in listed and TARGET_SECRET not in command("list")


def test_pause_resume_and_delete(make_rule):
    rule = make_rule()
    command("pause", rule.rule_id)
    assert forwarding.forwarding_state(forwarding.forwarding_get(rule.rule_id)) == "paused"
    command("resume", rule.rule_id)
    assert forwarding.forwarding_get(rule.rule_id).enabled
    command("delete", rule.rule_id)
    assert forwarding.forwardings_list() == []


def test_what_a_service_refuses_is_the_commands_error(secret_on_stdin, aws):
    with pytest.raises(CommandError, match="The endpoint must use https://"):
        command("add", "School", "--endpoint", "http://lrs.school.example/xapi", "--key", "k")
    with pytest.raises(CommandError, match=r"No such forwarding rule\."):
        command("pause", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert forwarding.forwardings_list() == []
