"""The storage layer's own rules: typed transaction failures, bounded retries, batches."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from langportal.errors import Conflict, Contended, NotFound
from langportal.idempotency import KEPT_FOR, Idempotency
from langportal.storage import dynamo, retry
from langportal.storage.dynamo import Transaction, batch_get, batch_write
from langportal.storage.models import SequenceModel


class Missing(NotFound):
    pass


class Moved(Contended):
    pass


@pytest.fixture
def instant(monkeypatch):
    """No waiting between attempts: what is retried, and how often, is the point."""
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)


def test_a_failed_condition_raises_what_its_action_names(aws):
    SequenceModel("taken", value=1).save()
    transaction = Transaction()
    transaction.put(SequenceModel("new"), condition=SequenceModel.name.does_not_exist(), failure=Moved)
    transaction.put(SequenceModel("taken"), condition=SequenceModel.name.does_not_exist(), failure=Missing("gone"))
    with pytest.raises(Missing, match="gone"):  # a decided failure wins over one worth retrying
        transaction.commit()
    assert SequenceModel.count() == 1


def test_a_condition_without_a_named_failure_is_a_conflict(aws):
    SequenceModel("taken", value=1).save()
    transaction = Transaction()
    transaction.put(SequenceModel("taken"), condition=SequenceModel.name.does_not_exist())
    with pytest.raises(Conflict):
        transaction.commit()


def test_a_transaction_never_sends_what_dynamodb_refuses(aws):
    twice = Transaction()
    twice.put(SequenceModel("a"))
    twice.update(SequenceModel("a"), [SequenceModel.value.add(1)])
    with pytest.raises(ValueError, match="once"):
        twice.commit()
    too_many = Transaction()
    for number in range(dynamo.TRANSACTION_ACTIONS + 1):
        too_many.put(SequenceModel(f"n{number}"))
    with pytest.raises(ValueError, match="at most 100"):
        too_many.commit()


def test_retrying_stops_after_its_attempts_with_a_503(instant):
    attempts = []

    def losing():
        attempts.append(1)
        raise Moved()

    with pytest.raises(Contended) as error:
        retry.retrying(losing)
    assert len(attempts) == retry.BACKOFF.attempts
    assert error.value.status == 503 and error.value.retry_after > 0


def test_retrying_returns_once_a_race_is_won(instant):
    outcomes = iter([Moved(), Moved(), "done"])

    def sometimes():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert retry.retrying(sometimes) == "done"


def test_other_errors_are_not_retried(instant):
    attempts = []

    def refused():
        attempts.append(1)
        raise Missing()

    with pytest.raises(Missing):
        retry.retrying(refused)
    assert len(attempts) == 1


def test_backoff_waits_grow_with_full_jitter():
    policy = retry.Backoff(attempts=6, base=0.1, cap=0.5)
    for _ in range(50):
        delays = list(policy.delays())
        assert len(delays) == 5
        assert all(0 <= delay <= min(0.5, 0.1 * 2**number) for number, delay in enumerate(delays))


def test_a_batch_dynamodb_never_finishes_is_503_after_its_attempts(instant):
    sent = []

    def never(requests):
        sent.append(requests)
        return requests  # every request comes back unprocessed

    with pytest.raises(Contended):
        dynamo._until_processed(never, ["a", "b"])
    assert len(sent) == retry.BACKOFF.attempts


def test_batches_read_and_write_past_dynamodbs_request_limits(aws):
    batch_write(SequenceModel, puts=[SequenceModel(f"s{number}", value=number) for number in range(230)])
    found = batch_get(SequenceModel, [f"s{number}" for number in range(230)] + ["s1", "absent"])
    assert sorted(int(item.value) for item in found) == list(range(230))
    batch_write(SequenceModel, deletes=[f"s{number}" for number in range(200)])
    assert SequenceModel.count() == 30


def test_an_expired_idempotency_key_is_a_new_request(aws):
    """DynamoDB deletes expired items late: a key past its day is free again all the same."""
    old = Idempotency.of(user_id="u1", key="k-1", operation="create", arguments={"name": "a"})
    old.claim({"answer": 1}).stage(
        transaction := Transaction(), now=datetime.now(UTC) - KEPT_FOR - timedelta(seconds=1)
    )
    transaction.commit()
    again = Idempotency.of(user_id="u1", key="k-1", operation="create", arguments={"name": "other"})
    assert again.stored_answer() is None  # expired: not a reuse (409) either
    again.record({"answer": 2})
    assert json.loads(again.stored_answer()) == {"answer": 2}
