"""Strict DynamoDB (langportal/local/strict/): what a client sees once moto answers as AWS
may. Here, the faults AWS may answer with, injected at the rates configured, and what
botocore and PynamoDB make of them: stale eventually consistent reads, throttling, lost
answers and client tokens, conflicts, and partial batches."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from langportal.local.strict import THROTTLING, Fault
from langportal.storage.dynamo import BaseMeta, transaction_connection
from langportal.storage.models import SequenceModel
from lrs.models import WordStatModel

from .conftest import SEQUENCES, STATS, add_one, counter, dynamodb, refusal, stat, stat_key, stored_stats


@pytest.fixture
def clock(strict_dynamodb, hand_clock):
    strict_dynamodb.clock = hand_clock
    return strict_dynamodb.clock


# -- eventually consistent reads


def test_an_eventually_consistent_get_may_return_the_item_before_a_write(strict_dynamodb):
    WordStatModel("u1", "w1", card="old").save()
    strict_dynamodb.configure(lag_ms=60_000, stale=Fault(1.0))
    WordStatModel("u1", "w1", card="new").save()
    WordStatModel("u1", "w2", card="added").save()
    assert WordStatModel.get("u1", "w1").card == "old"
    assert WordStatModel.get("u1", "w1", consistent_read=True).card == "new"
    assert [found.card for found in WordStatModel.batch_get([("u1", "w1"), ("u1", "w2")])] == ["old"]
    assert WordStatModel.count("u1") == 1
    assert WordStatModel.count("u1", consistent_read=True) == 2


def test_a_global_index_query_lags_even_after_a_transaction(strict_dynamodb):
    WordStatModel("u1", "w1", due="2025-01-01").save()
    strict_dynamodb.configure(lag_ms=60_000, stale=Fault(1.0))
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.update(WordStatModel("u1", "w1"), actions=[WordStatModel.due.set("2025-06-01")])
    assert [found.due for found in WordStatModel.due_cards.query("u1")] == ["2025-01-01"]
    assert WordStatModel.get("u1", "w1", consistent_read=True).due == "2025-06-01"
    assert strict_dynamodb.faults["stale"] == 1


def test_reads_are_fresh_once_lag_ms_has_passed(strict_dynamodb, clock):
    strict_dynamodb.configure(lag_ms=100, stale=Fault(1.0))
    client = dynamodb()
    client.put_item(TableName=STATS, Item=stat(card="new"))
    clock.advance(0.099)
    assert "Item" not in client.get_item(TableName=STATS, Key=stat_key())
    clock.advance(0.002)
    assert client.get_item(TableName=STATS, Key=stat_key())["Item"] == stat(card="new")


# -- throttling


def test_throttled_requests_are_retried_by_botocore(strict_dynamodb, no_botocore_backoff):
    strict_dynamodb.configure(throttle=Fault(1.0, limit=2))
    client = dynamodb(attempts=3)
    client.put_item(TableName=STATS, Item=stat())
    assert client.get_item(TableName=STATS, Key=stat_key())["ResponseMetadata"]["RetryAttempts"] == 0
    assert strict_dynamodb.faults["throttle"] == 2
    assert stored_stats() == [stat()]


def test_a_throttle_outlasting_the_attempts_reaches_the_client(strict_dynamodb, no_botocore_backoff):
    strict_dynamodb.configure(throttle=Fault(1.0, limit=3))
    client = dynamodb(attempts=3)
    client.describe_table(TableName=STATS)  # the control plane is never throttled
    error = refusal(client.get_item, TableName=STATS, Key=stat_key())
    assert error["Error"]["Message"] == THROTTLING[error["Error"]["Code"]]
    assert error["ResponseMetadata"]["RetryAttempts"] == 2
    assert strict_dynamodb.faults["throttle"] == 3


# -- lost answers and tokens


def test_a_lost_conditional_put_fails_its_own_condition_when_resent(strict_dynamodb):
    strict_dynamodb.configure(lost=Fault(1.0, limit=1))
    with pytest.raises(PutError) as error:
        WordStatModel("u1", "w1", card="once").save(condition=WordStatModel.user_id.does_not_exist())
    assert error.value.cause_response_code == "ConditionalCheckFailedException"
    assert [item["card"]["S"] for item in stored_stats()] == ["once"]
    assert strict_dynamodb.faults["lost"] == 1


def test_a_lost_transaction_resent_by_botocore_is_applied_once_through_its_token(strict_dynamodb):
    strict_dynamodb.configure(lost=Fault(1.0, limit=1))
    response = dynamodb().transact_write_items(TransactItems=[add_one("c1")])
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert counter("c1") == 1
    assert (strict_dynamodb.faults["lost"], strict_dynamodb.faults["token_replay"]) == (1, 1)


def test_the_answer_to_a_resent_transaction_can_be_lost_too(strict_dynamodb):
    """Every attempt's answer lost: the client gives up, though the write was made, once."""
    strict_dynamodb.configure(lost=Fault(1.0, limit=3))
    error = refusal(dynamodb(attempts=3).transact_write_items, TransactItems=[add_one("c1")])
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert counter("c1") == 1
    assert (strict_dynamodb.faults["lost"], strict_dynamodb.faults["token_replay"]) == (3, 2)


def test_a_token_reused_for_another_request_is_refused(strict_dynamodb):
    client = dynamodb()
    client.transact_write_items(TransactItems=[add_one("c1")], ClientRequestToken="token-1")
    error = refusal(client.transact_write_items, TransactItems=[add_one("c2")], ClientRequestToken="token-1")
    client.transact_write_items(TransactItems=[add_one("c1")], ClientRequestToken="token-1")  # the same: replayed
    assert (error["Error"]["Code"], error["Error"]["Message"]) == (
        "IdempotentParameterMismatchException",
        "The request uses the same client token as a previous, but non-identical request.",
    )
    assert (counter("c1"), counter("c2")) == (1, 0)


# -- conflicts


def test_items_of_a_transaction_conflict_for_contention_ms(strict_dynamodb, clock):
    strict_dynamodb.configure(contention_ms=10)
    client = dynamodb()
    client.transact_write_items(TransactItems=[add_one("hot")])
    busy = [add_one("a"), add_one("hot"), add_one("b")]
    cancelled = refusal(client.transact_write_items, TransactItems=busy)
    single = refusal(client.put_item, TableName=SEQUENCES, Item={"name": {"S": "hot"}, "value": {"N": "9"}})
    assert cancelled["Error"]["Code"] == "TransactionCanceledException"
    assert cancelled["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, TransactionConflict, None]"
    )
    assert cancelled["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
        {"Code": "None"},
    ]
    assert (single["Error"]["Code"], single["Error"]["Message"]) == (
        "TransactionConflictException",
        "Transaction is ongoing for the item",
    )
    assert (counter("a"), counter("hot")) == (0, 1)
    clock.advance(0.011)
    client.transact_write_items(TransactItems=busy)
    assert (counter("a"), counter("hot")) == (1, 2)
    assert strict_dynamodb.faults["contention"] == 2


def test_random_conflicts_reach_pynamodb_with_their_reasons(strict_dynamodb):
    strict_dynamodb.configure(conflict=Fault(1.0, limit=1, operations=frozenset({"TransactWriteItems"})))
    with pytest.raises(TransactWriteError) as error, TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(SequenceModel("a", value=1))
        transaction.save(SequenceModel("b", value=1))
    reasons = [reason.code if reason else None for reason in error.value.cancellation_reasons]
    assert sorted(reasons, key=str) == [None, "TransactionConflict"]  # PynamoDB reads reason "None" as None
    SequenceModel("a", value=2).save()  # PutItem is not among the fault's operations
    assert (counter("a"), counter("b")) == (2, 0)


# -- partial batches


def test_a_partial_batch_get_returns_the_rest_as_aws_does(strict_dynamodb):
    client = dynamodb()
    keys = [stat_key(word=f"w{number}") for number in range(5)]
    client.batch_write_item(
        RequestItems={STATS: [{"PutRequest": {"Item": stat(word=f"w{n}", card="c")}} for n in range(5)]}
    )
    strict_dynamodb.configure(partial=Fault(1.0, limit=1))
    request = {
        "Keys": keys,
        "ConsistentRead": True,
        "ProjectionExpression": "#w, card",
        "ExpressionAttributeNames": {"#w": "word_id"},
    }
    first = client.batch_get_item(RequestItems={STATS: request})
    unprocessed = first["UnprocessedKeys"][STATS]
    assert first["ResponseMetadata"]["RetryAttempts"] == 0  # botocore found the rewritten answer's CRC32 right
    assert 0 < len(unprocessed["Keys"]) < 5
    assert {name: value for name, value in unprocessed.items() if name != "Keys"} == {
        name: value for name, value in request.items() if name != "Keys"
    }
    rest = client.batch_get_item(RequestItems=first["UnprocessedKeys"])
    found = first["Responses"][STATS] + rest["Responses"][STATS]
    assert sorted(item["word_id"]["S"] for item in found) == [f"w{number}" for number in range(5)]
    assert rest["UnprocessedKeys"] == {}


def test_a_partial_batch_write_is_completed_by_resending_the_rest(strict_dynamodb):
    strict_dynamodb.configure(partial=Fault(1.0, limit=1))
    client = dynamodb()
    writes = [{"PutRequest": {"Item": stat(word=f"w{number}")}} for number in range(5)]
    first = client.batch_write_item(RequestItems={STATS: writes})
    left = first["UnprocessedItems"][STATS]
    assert 0 < len(left) < 5 and all(entry in writes for entry in left)
    assert len(stored_stats()) == 5 - len(left)
    client.batch_write_item(RequestItems=first["UnprocessedItems"])
    assert len(stored_stats()) == 5


def test_pynamodb_batch_writes_complete_despite_partial_batches(strict_dynamodb):
    # PynamoDB resends the unprocessed part max_retry_attempts - 1 times, at once: a second
    # partial answer in a row makes it give up (PutError), as it would on AWS.
    strict_dynamodb.configure(partial=Fault(1.0, limit=BaseMeta.max_retry_attempts - 1))
    with WordStatModel.batch_write() as batch:
        for number in range(10):
            batch.save(WordStatModel("u1", f"w{number}"))
    assert WordStatModel.count("u1", consistent_read=True) == 10
    assert strict_dynamodb.faults["partial"] == 1
