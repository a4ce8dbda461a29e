"""Forwarding rules as the services make and change them: what a rule may be, and pausing,
resuming and deleting one."""

import pytest

from langportal.errors import InvalidInput
from xapi.repositories import forwarding as repo
from xapi.services import forwarding


def test_a_new_rule_is_stored_as_given_from_the_beginning_of_the_store(make_rule, target):
    rule = make_rule(
        name="  School LRS ",
        endpoint=f"{target.url}/",
        verbs=["http://adlnet.gov/expapi/verbs/answered", " http://adlnet.gov/expapi/verbs/answered", ""],
        activity_prefix="https://school.example/course-1/",
        langportal_only=True,
        version="1.0.3",
    )

    stored = repo.forwarding_get(rule.rule_id)
    assert stored == rule
    assert (stored.name, stored.endpoint, stored.version) == ("School LRS", target.url, "1.0.3")
    assert stored.verbs == {"http://adlnet.gov/expapi/verbs/answered"}
    assert (stored.activity_prefix, stored.langportal_only, stored.enabled) == (
        "https://school.example/course-1/",
        True,
        True,
    )
    assert (stored.cursor, stored.forwarded, stored.last_error, stored.created_by) == (None, 0, None, "root")
    assert forwarding.forwardings_list() == [stored]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "A rule's name has 1 to 100 characters."),
        ({"name": "x" * 101}, "A rule's name has 1 to 100 characters."),
        ({"endpoint": ""}, "The endpoint is a URL of at most 500 characters."),
        ({"endpoint": "lrs.school.example/xapi"}, "The endpoint is an https:// URL"),
        ({"endpoint": "ftp://lrs.school.example/xapi"}, "The endpoint is an https:// URL"),
        ({"endpoint": "http://lrs.school.example/xapi"}, "The endpoint must use https:// (plain http only to this"),
        ({"endpoint": "https://lrs.school.example:99999/xapi"}, "The endpoint is not a URL."),
        ({"endpoint": "https://me:pw@lrs.school.example/xapi"}, "The endpoint has no user, password, query or"),
        ({"endpoint": "https://lrs.school.example/xapi?x=1"}, "The endpoint has no user, password, query or"),
        ({"target_key": ""}, "The target's key has 1 to 500 characters"),
        ({"target_key": "a:b"}, "The target's key has no colon"),
        ({"target_secret": ""}, "The target's secret has 1 to 500 characters"),
        ({"target_secret": " padded "}, "The target's secret has 1 to 500 characters"),
        ({"version": "1.0.2"}, "The xAPI version is one of 2.0.0, 1.0.3."),
        ({"verbs": ["answered"]}, "The verb 'answered' is not an IRI"),
        ({"verbs": [f"https://verbs.example/{n}" for n in range(51)]}, "A rule names at most 50 verbs."),
        ({"activity_prefix": "course-1"}, "The activity id prefix 'course-1' is not an IRI"),
    ],
)
def test_what_a_rule_cannot_be_is_refused_and_nothing_is_stored(make_rule, changes, message):
    with pytest.raises(InvalidInput) as refused:
        make_rule(**changes)
    assert refused.value.message.startswith(message)
    assert forwarding.forwardings_list() == []


def test_https_endpoints_anywhere_and_http_to_this_machine_are_taken(make_rule):
    for endpoint in ("https://lrs.school.example/xapi", "http://localhost:8000/xapi", "http://[::1]:8000/xapi"):
        assert make_rule(endpoint=endpoint).endpoint == endpoint


def test_pausing_and_resuming_a_rule(make_rule):
    rule = make_rule()
    forwarding.forwarding_pause(rule.rule_id)
    assert not repo.forwarding_get(rule.rule_id).enabled
    forwarding.forwarding_resume(rule.rule_id)
    assert repo.forwarding_get(rule.rule_id).enabled


def test_resuming_forgets_the_last_failure(make_rule):
    rule = make_rule()
    repo.forwarding_failed(
        rule.rule_id, read=None, error="The target answered 400", failed_at="t", retry_at=None, failures=3
    )
    forwarding.forwarding_resume(rule.rule_id)
    resumed = repo.forwarding_get(rule.rule_id)
    assert (resumed.enabled, resumed.last_error, resumed.failed_at, resumed.failures) == (True, None, None, 0)


def test_a_deleted_rule_is_gone(make_rule):
    kept, deleted = make_rule(name="kept"), make_rule(name="deleted")
    forwarding.forwarding_delete(deleted.rule_id)
    assert forwarding.forwardings_list() == [kept]


@pytest.mark.parametrize("rule_id", ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"])
@pytest.mark.parametrize(
    "change",
    [
        forwarding.forwarding_get,
        forwarding.forwarding_pause,
        forwarding.forwarding_resume,
        forwarding.forwarding_delete,
    ],
)
def test_an_unknown_rule_is_404(aws, rule_id, change):
    with pytest.raises(forwarding.ForwardingNotFound) as refused:
        change(rule_id)
    assert refused.value.status == 404
    assert forwarding.forwardings_list() == []
