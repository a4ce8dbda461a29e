"""The forwarder delivers each rule's statements to its target (another LRS, on a local
port) at least once, in batches, in stored order; failures keep the cursor and back off."""

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from langportal.jobs import periodic
from langportal.storage.dynamo import Transaction
from xapi.repositories import forwarding as repo
from xapi.services import forwarder, forwarding, statements
from xapi.services.attachments import Attachment
from xapi.services.statements import timestamp
from xapi.tests.target_lrs import TOOL, a_statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"


def run(now: datetime | None = None, seconds: float = 60) -> dict[str, int]:
    return forwarder.forwarding_run(seconds=seconds, now=now)


def rule_now(rule) -> repo.ForwardingRule:
    return repo.forwarding_get(rule.rule_id)


def test_statements_go_in_batches_of_at_most_50_in_stored_order(make_rule, store, target):
    rule = make_rule()
    sent = store(*[a_statement(n) for n in range(120)])

    assert run() == {"forwarded": 120, "failed": 0}

    assert [len(batch) for batch in target.batches] == [50, 50, 20]
    assert [statement_id for batch in target.batches for statement_id in batch] == sent
    assert {received.version for received in target.received} == {"2.0.0"}
    delivered = target.stored[sent[0]]
    assert delivered["authority"] == TOOL.authority and delivered["version"] == "2.0.0"
    after = rule_now(rule)
    assert (after.forwarded, after.last_error, after.failures) == (120, None, 0)
    assert after.cursor.endswith(f"#{sent[-1]}")


def test_a_later_run_sends_only_what_was_stored_since(make_rule, store, target):
    make_rule()
    store(a_statement(1), a_statement(2))
    run()
    later = store(a_statement(3), ago=2)

    assert run() == {"forwarded": 1, "failed": 0}

    assert target.batches[-1] == later and len(target.received) == 2
    assert run() == {"forwarded": 0, "failed": 0} and len(target.received) == 2


def test_statements_not_yet_consistent_wait_for_a_later_run(make_rule, store, target):
    make_rule()
    stored_at = datetime.now(UTC)
    [fresh] = statements.statements_store([a_statement()], principal=TOOL, version="2.0.0", now=stored_at)

    assert run(now=stored_at) == {"forwarded": 0, "failed": 0}
    assert run(now=stored_at + timedelta(seconds=2)) == {"forwarded": 1, "failed": 0}
    assert target.batches == [[fresh]]


def test_the_filter_keeps_only_the_verbs_named(make_rule, store, target):
    rule = make_rule(verbs=[EXPERIENCED])
    ids = store(a_statement(1), a_statement(2, verb={"id": EXPERIENCED}), a_statement(3))

    run()

    assert target.batches == [[ids[1]]]
    assert rule_now(rule).cursor.endswith(f"#{ids[2]}")  # past what it left out


def test_the_filter_keeps_only_activities_under_the_prefix(make_rule, store, target):
    make_rule(activity_prefix="https://school.example/course-1/")
    ids = store(
        a_statement(1, object={"id": "https://school.example/course-1/lesson-1"}),
        a_statement(2, object={"id": "https://school.example/course-2/lesson-1"}),
        a_statement(3, object={"objectType": "Agent", "mbox": "mailto:x@example.com"}),
        a_statement(4, object={"id": "https://school.example/course-1/lesson-2"}),
    )

    run()

    assert target.batches == [[ids[0], ids[3]]]


def test_the_filter_keeps_only_langportals_own_statements(make_rule, store, target):
    make_rule(langportal_only=True)
    store(a_statement(1))
    made = statements.statement_made(a_statement(2), stored=datetime.now(UTC) - timedelta(seconds=3))
    transaction = Transaction()
    made.stage(transaction)
    transaction.commit()

    run()

    assert target.batches == [[made.statement.id]]
    assert target.stored[made.statement.id.lower()]["authority"]["name"] == "langportal"


def test_a_rule_whose_filter_keeps_nothing_sends_nothing_and_moves_on(make_rule, store, target):
    rule = make_rule(verbs=[EXPERIENCED])
    ids = store(*[a_statement(n) for n in range(130)])

    assert run() == {"forwarded": 0, "failed": 0}

    assert target.received == []
    assert rule_now(rule).cursor.endswith(f"#{ids[-1]}")


def test_a_voiding_statement_follows_the_statement_it_voids(make_rule, store, target):
    make_rule(verbs=["http://adlnet.gov/expapi/verbs/answered"])
    [kept] = store(a_statement(1))
    [other] = store(a_statement(2, verb={"id": EXPERIENCED}))
    run()
    voiding = {"objectType": "StatementRef"}
    [voids_kept] = store(a_statement(3, verb={"id": VOIDED}, object={**voiding, "id": kept}), ago=3)
    store(a_statement(4, verb={"id": VOIDED}, object={**voiding, "id": other}), ago=3)

    run()

    assert target.batches == [[kept], [voids_kept]]
    assert target.stored[voids_kept]["object"] == {"objectType": "StatementRef", "id": kept}


def test_a_statement_voided_before_its_turn_is_not_sent_but_its_voiding_statement_is(make_rule, store, target):
    make_rule()
    [voided] = store(a_statement(1))
    ref = {"objectType": "StatementRef", "id": voided}
    [voiding] = store(a_statement(2, verb={"id": VOIDED}, object=ref))

    run()

    assert target.batches == [[voiding]]


def test_a_failure_keeps_the_cursor_and_a_later_run_sends_that_batch_again(make_rule, store, target):
    rule = make_rule()
    sent = store(*[a_statement(n) for n in range(120)])
    target.failures = [None, "lost"]  # the second batch is stored, but its answer is lost
    now = datetime.now(UTC)

    assert run(now) == {"forwarded": 50, "failed": 1}

    failed = rule_now(rule)
    assert failed.cursor.endswith(f"#{sent[49]}") and failed.forwarded == 50
    assert failed.last_error == 'The target answered 500: {"error": "no"}'
    assert (failed.failures, failed.failed_at, failed.retry_at) == (
        1,
        timestamp(now),
        timestamp(now + timedelta(seconds=30)),
    )
    assert run(now + timedelta(seconds=29)) == {"forwarded": 0, "failed": 0}  # not due yet
    assert run(now + timedelta(seconds=31)) == {"forwarded": 70, "failed": 0}
    received = [statement_id for answer in target.received for statement_id in answer.ids]
    assert set(received) == set(sent) and len(received) == 170  # the lost batch twice
    assert sorted(target.stored) == sorted(sent)  # each once, by id
    after = rule_now(rule)
    assert (after.forwarded, after.last_error, after.retry_at, after.failures) == (120, None, None, 0)


@pytest.mark.parametrize("failure", [503, 500, 429, "drop"])
def test_failures_worth_retrying_back_off(make_rule, store, target, failure):
    rule = make_rule()
    store(a_statement())
    target.failures = [failure]
    now = datetime.now(UTC)

    assert run(now) == {"forwarded": 0, "failed": 1}

    failed = rule_now(rule)
    assert failed.enabled and failed.cursor is None and failed.retry_at == timestamp(now + timedelta(seconds=30))
    assert failed.last_error.startswith("Could not reach" if failure == "drop" else f"The target answered {failure}")


def test_the_wait_doubles_with_each_failure_up_to_the_most(make_rule, store, target, settings):
    settings.XAPI_FORWARDING_RETRY_SECONDS, settings.XAPI_FORWARDING_RETRY_MAX_SECONDS = 10, 50
    rule = make_rule()
    store(a_statement())
    target.failures = [503] * 5
    now, waits = datetime.now(UTC), []
    for _ in range(5):
        run(now)
        failed = rule_now(rule)
        waits.append(datetime.fromisoformat(failed.retry_at) - now)
        now = datetime.fromisoformat(failed.retry_at)
    assert [wait.total_seconds() for wait in waits] == [10, 20, 40, 50, 50]
    assert rule_now(rule).failures == 5
    run(now)
    assert (rule_now(rule).failures, rule_now(rule).retry_at, len(target.stored)) == (0, None, 1)


def test_a_429_waits_at_least_its_retry_after(make_rule, store, target):
    rule = make_rule()
    store(a_statement())
    target.failures = [(429, {"Retry-After": "600"})]
    now = datetime.now(UTC)
    run(now)
    assert rule_now(rule).retry_at == timestamp(now + timedelta(seconds=600))


def test_an_unreachable_target_is_retried(make_rule, store):
    rule = make_rule(endpoint="http://127.0.0.1:9/xapi")  # nothing listens there
    store(a_statement())
    assert run() == {"forwarded": 0, "failed": 1}
    assert rule_now(rule).last_error.startswith("Could not reach the target: ConnectionError")
    assert rule_now(rule).enabled


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_a_refusal_pauses_the_rule_until_it_is_resumed(make_rule, store, target, status):
    rule = make_rule()
    sent = store(a_statement())
    target.failures = [status]

    assert run() == {"forwarded": 0, "failed": 1}

    stopped = rule_now(rule)
    assert not stopped.enabled and stopped.retry_at is None and stopped.cursor is None
    assert stopped.last_error.startswith(f"The target answered {status}") and "resume" in stopped.last_error
    assert run(datetime.now(UTC) + timedelta(days=1)) == {"forwarded": 0, "failed": 0}
    forwarding.forwarding_resume(rule.rule_id)
    assert run() == {"forwarded": 1, "failed": 0}
    assert target.batches == [sent] and rule_now(rule).last_error is None


def test_wrong_credentials_for_the_target_pause_the_rule(make_rule, store, target):
    rule = make_rule(target_secret="not-the-secret")
    store(a_statement())
    run()
    assert rule_now(rule).last_error.startswith("The target answered 401") and not rule_now(rule).enabled


def test_paused_rules_send_nothing(make_rule, store, target):
    rule = make_rule(enabled=False)
    store(a_statement())
    assert run() == {"forwarded": 0, "failed": 0} and target.received == []
    assert rule_now(rule).cursor is None


def test_a_run_out_of_time_sends_one_batch_and_the_next_goes_on(make_rule, store, target):
    rule = make_rule()
    sent = store(*[a_statement(n) for n in range(120)])
    assert run(seconds=0) == {"forwarded": 50, "failed": 0}
    assert rule_now(rule).cursor.endswith(f"#{sent[49]}")
    run()
    assert sorted(target.stored) == sorted(sent)


def test_a_run_that_read_an_old_cursor_never_takes_it_back(make_rule, store, target):
    rule = make_rule()
    sent = store(*[a_statement(n) for n in range(120)])
    run(seconds=0)
    stale = rule_now(rule)  # half way: what a slow run read
    run()
    finished = rule_now(rule).cursor

    with requests.Session() as session:
        outcome = forwarder.rule_forward(stale, now=datetime.now(UTC), more_time=lambda: True, session=session)

    assert outcome == forwarder.Outcome(0)  # its first batch went again (harmlessly), then it found the cursor moved
    assert rule_now(rule).cursor == finished and rule_now(rule).forwarded == 120
    assert sorted(target.stored) == sorted(sent)


def test_two_runs_at_once_deliver_every_statement_and_end_at_the_last(make_rule, store, target):
    rule = make_rule()
    sent = store(*[a_statement(n) for n in range(200)])
    target.delay = 0.05
    runs = [threading.Thread(target=run) for _ in range(2)]
    for started in runs:
        started.start()
    for started in runs:
        started.join()

    assert sorted(target.stored) == sorted(sent)
    assert rule_now(rule).cursor.endswith(f"#{sent[-1]}")


def test_a_failure_after_another_run_moved_on_is_not_recorded(make_rule, store, target):
    rule = make_rule()
    store(a_statement())
    run()
    moved = rule_now(rule)
    target.failures = [503]

    with requests.Session() as session:
        outcome = forwarder.rule_forward(rule, now=datetime.now(UTC), more_time=lambda: True, session=session)

    assert outcome.error.startswith("The target answered 503")
    assert rule_now(rule) == moved


def test_a_1_0_3_target_gets_1_0_0_statements_without_what_2_0_added(make_rule, store, target):
    make_rule(version="1.0.3")
    context = {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@example.com"}}]}
    [statement_id] = store(a_statement(1, context={**context, "platform": "langportal"}))

    run()

    [received] = target.received
    assert received.version == "1.0.3"
    assert target.stored[statement_id]["version"] == "1.0.0"
    assert target.stored[statement_id]["context"] == {"platform": "langportal"}


def test_a_statement_with_an_attachment_goes_with_its_content(make_rule, target, aws):
    make_rule()
    content = b"a certificate"
    sha2 = hashlib.sha256(content).hexdigest()
    attachment = {
        "usageType": "http://example.com/certificate",
        "display": {"en-US": "certificate"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": sha2,
    }
    [statement_id] = statements.statements_store(
        [a_statement(1, attachments=[attachment])],
        principal=TOOL,
        version="2.0.0",
        parts={sha2: Attachment(sha2, "text/plain", content)},
        now=datetime.now(UTC) - timedelta(seconds=3),
    )

    run()

    [received] = target.received
    assert received.content_type.startswith("multipart/mixed") and received.attachments == {sha2: content}
    assert target.stored[statement_id]["attachments"][0]["sha2"] == sha2


def test_a_rule_deleted_meanwhile_is_not_made_again(make_rule, store, target):
    rule = make_rule()
    store(a_statement())
    forwarding.forwarding_delete(rule.rule_id)

    with requests.Session() as session:
        outcome = forwarder.rule_forward(rule, now=datetime.now(UTC), more_time=lambda: True, session=session)

    assert outcome == forwarder.Outcome(0)

    assert repo.forwarding_get(rule.rule_id) is None and len(target.batches) == 1


def test_the_forwarder_is_a_periodic_task(make_rule, store, target):
    make_rule()
    [sent] = store(a_statement())
    assert periodic.run_all(seconds=30)["xapi_forwarding"] == {"forwarded": 1, "failed": 0}
    assert target.batches == [[sent]]
