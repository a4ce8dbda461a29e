"""Forwarding rules in the admin: administrators make, pause, resume and delete them and
see how each is doing; the target's secret is never shown back; teachers are refused."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from xapi.repositories import forwarding as repo
from xapi.services import forwarder, forwarding
from xapi.services.statements import timestamp
from xapi.tests.target_lrs import TARGET_SECRET, a_statement

LIST = "/admin/xapi/forwarding/"
ADD = "/admin/xapi/forwarding/add/"


def action(rule_id: str, name: str) -> str:
    return f"/admin/xapi/forwarding/{rule_id}/{name}/"


def row(page: str, rule_id: str) -> str:
    return page.split(f'id="rule-{rule_id}"')[1].split("</tr>")[0]


def form(target, **changes) -> dict:
    return {
        "name": "School LRS",
        "endpoint": target.url,
        "target_key": "langportal",
        "target_secret": TARGET_SECRET,
        "version": "2.0.0",
        "verbs": "",
        "activity_prefix": "",
        "enabled": "on",
        **changes,
    }


def test_the_admin_index_links_to_forwarding_for_administrators(admin_browser):
    page = admin_browser.get("/admin/").content.decode()
    assert f'href="{LIST}"' in page and f'href="{ADD}"' in page


def test_a_rule_made_in_the_admin_is_stored_and_listed_without_its_secret(admin_browser, target):
    fields = form(
        target,
        verbs="http://adlnet.gov/expapi/verbs/answered\r\nhttp://adlnet.gov/expapi/verbs/completed\r\n",
        activity_prefix="https://school.example/",
        langportal_only="on",
        version="1.0.3",
    )

    made = admin_browser.post(ADD, fields)

    assert made.status_code == 302 and made["Location"] == LIST
    [rule] = forwarding.forwardings_list()
    assert (rule.name, rule.endpoint, rule.target_key, rule.target_secret) == (
        "School LRS",
        target.url,
        "langportal",
        TARGET_SECRET,
    )
    assert rule.verbs == {"http://adlnet.gov/expapi/verbs/answered", "http://adlnet.gov/expapi/verbs/completed"}
    assert (rule.activity_prefix, rule.langportal_only, rule.version, rule.enabled, rule.created_by) == (
        "https://school.example/",
        True,
        "1.0.3",
        True,
        "root",
    )
    page = html.unescape(admin_browser.get(LIST).content.decode())
    assert "Made the rule “School LRS”." in page
    shown = row(page, rule.rule_id)
    assert f"<code>{target.url}</code> (xAPI 1.0.3, key <code>langportal</code>)" in shown
    assert "verbs http://adlnet.gov/expapi/verbs/answered, http://adlnet.gov/expapi/verbs/completed" in shown
    assert "activities under https://school.example/" in shown and "langportal's own only" in shown
    assert '<td class="rule-state">forwarding</td>' in shown and '<td class="rule-position">not started</td>' in shown
    assert TARGET_SECRET not in page


def test_the_form_asks_for_the_secret_and_never_fills_it_in(admin_browser, target):
    page = admin_browser.get(ADD).content.decode()
    assert 'type="password" name="target_secret"' in page
    refused = admin_browser.post(ADD, form(target, name=""))
    assert refused.status_code == 400 and TARGET_SECRET not in refused.content.decode()


def test_the_list_shows_how_far_each_rule_got_and_its_last_error(admin_browser, make_rule, store, target):
    rule = make_rule()
    ids = store(a_statement(1), a_statement(2))
    forwarder.forwarding_run(seconds=30)
    store(a_statement(3), ago=3)
    target.failures = [503]
    now = datetime.now(UTC)
    forwarder.forwarding_run(seconds=30, now=now)
    stored_at = repo.forwarding_get(rule.rule_id).cursor.split("#")[0]

    shown = row(html.unescape(admin_browser.get(LIST).content.decode()), rule.rule_id)

    assert repo.forwarding_get(rule.rule_id).cursor == f"{stored_at}#{ids[1]}"  # sent up to the second
    assert f'<td class="rule-position">{stored_at}</td>' in shown
    assert '<td class="rule-forwarded">2</td>' in shown
    assert f'<td class="rule-state">retrying (next try {timestamp(now + timedelta(seconds=30))})</td>' in shown
    assert 'The target answered 503: {"error": "no"}' in shown and timestamp(now) in shown


def test_a_rule_the_target_refused_shows_as_stopped_and_resumes(admin_browser, make_rule, store, target):
    rule = make_rule()
    store(a_statement())
    target.failures = [400]
    forwarder.forwarding_run(seconds=30)
    page = html.unescape(admin_browser.get(LIST).content.decode())
    assert '<td class="rule-state">stopped</td>' in row(page, rule.rule_id)
    assert "The target answered 400" in row(page, rule.rule_id)

    resumed = admin_browser.post(action(rule.rule_id, "resume"))

    assert resumed.status_code == 302 and resumed["Location"] == LIST
    after = repo.forwarding_get(rule.rule_id)
    assert (after.enabled, after.last_error) == (True, None)
    assert forwarder.forwarding_run(seconds=30) == {"forwarded": 1, "failed": 0}


def test_pausing_stops_forwarding_until_resumed(admin_browser, make_rule, store, target):
    rule = make_rule()
    store(a_statement())

    paused = admin_browser.post(action(rule.rule_id, "pause"))

    assert paused.status_code == 302
    page = html.unescape(admin_browser.get(LIST).content.decode())
    assert "Paused “School LRS”." in page and '<td class="rule-state">paused</td>' in row(page, rule.rule_id)
    assert forwarder.forwarding_run(seconds=30) == {"forwarded": 0, "failed": 0}
    admin_browser.post(action(rule.rule_id, "resume"))
    assert forwarder.forwarding_run(seconds=30) == {"forwarded": 1, "failed": 0}


def test_pausing_and_resuming_are_posts(admin_browser, make_rule):
    rule = make_rule()
    assert admin_browser.get(action(rule.rule_id, "pause")).status_code == 405
    assert admin_browser.get(action(rule.rule_id, "resume")).status_code == 405
    assert repo.forwarding_get(rule.rule_id).enabled


def test_deleting_asks_first_then_the_rule_is_gone(admin_browser, make_rule):
    rule = make_rule()
    question = admin_browser.get(action(rule.rule_id, "delete"))
    assert question.status_code == 200 and 'id="confirm-delete"' in question.content.decode()
    assert forwarding.forwardings_list() == [rule]

    deleted = admin_browser.post(action(rule.rule_id, "delete"))

    assert deleted.status_code == 302 and deleted["Location"] == LIST
    assert forwarding.forwardings_list() == []
    assert "Deleted the rule “School LRS”" in html.unescape(admin_browser.get(LIST).content.decode())


@pytest.mark.parametrize("name", ["pause", "resume", "delete"])
def test_an_unknown_rule_is_404(admin_browser, aws, name):
    assert admin_browser.post(action("01ARZ3NDEKTSV4RRFFQ69G5FAV", name)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"endpoint": ""}, "This field is required."),
        ({"target_key": ""}, "This field is required."),
        ({"target_secret": ""}, "This field is required."),
        ({"version": "3.0.0"}, "Select a valid choice. 3.0.0 is not one of the available choices."),
        ({"endpoint": "http://lrs.school.example/xapi"}, "The endpoint must use https://"),
        ({"verbs": "answered"}, "The verb 'answered' is not an IRI"),
        ({"activity_prefix": "course"}, "The activity id prefix 'course' is not an IRI"),
    ],
)
def test_bad_input_is_400_with_the_forms_errors_and_makes_nothing(admin_browser, target, changes, error):
    answer = admin_browser.post(ADD, form(target, **changes))
    assert answer.status_code == 400
    assert error in html.unescape(answer.content.decode())
    assert forwarding.forwardings_list() == []


def test_teachers_may_not_see_or_change_forwarding(teacher_browser, make_rule, target):
    rule = make_rule()
    for answer in (
        teacher_browser.get(LIST),
        teacher_browser.get(ADD),
        teacher_browser.post(ADD, form(target, name="Mine")),
        teacher_browser.post(action(rule.rule_id, "pause")),
        teacher_browser.post(action(rule.rule_id, "delete")),
    ):
        assert answer.status_code == 403
        assert "Only administrators manage the xAPI store" in answer.content.decode()
    assert forwarding.forwardings_list() == [rule]


def test_changes_need_the_csrf_token(admin_browser, make_rule, target):
    guarded = Client(enforce_csrf_checks=True)
    guarded.cookies = admin_browser.cookies
    rule = make_rule()
    assert guarded.post(ADD, form(target, name="Forged")).status_code == 403
    assert guarded.post(action(rule.rule_id, "pause")).status_code == 403
    assert guarded.post(action(rule.rule_id, "delete")).status_code == 403
    assert forwarding.forwardings_list() == [rule]
