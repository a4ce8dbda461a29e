"""Strict DynamoDB (langportal/local/strict/): what a client sees once moto answers as AWS may."""

from __future__ import annotations

import functools
import json
import os
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from langportal.local.emulator import Emulator
from langportal.local.runner import strict_config
from langportal.local.strict import EMPTY_KEY, THROTTLING, Fault, StrictConfig
from langportal.storage.dynamo import BaseMeta, transaction_connection
from langportal.storage.models import SequenceModel
from lrs.models import WordStatModel

STATS = WordStatModel.Meta.table_name  # user_id and word_id; the due-cards index: user_id and due
SEQUENCES = SequenceModel.Meta.table_name  # name


def dynamodb(attempts: int = 3):
    """A plain boto3 client of the strict emulator making `attempts` attempts in all
    (botocore's `max_attempts` counts retries only)."""
    return _client(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], attempts)


@functools.cache
def _client(endpoint: str, attempts: int):
    retries = {"mode": "standard", "total_max_attempts": attempts}
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=endpoint, config=Config(retries=retries))


def stat(user: str = "u1", word: str = "w1", **attributes: str) -> dict:
    return {
        "user_id": {"S": user},
        "word_id": {"S": word},
        **{name: {"S": value} for name, value in attributes.items()},
    }


def stat_key(user: str = "u1", word: str = "w1") -> dict:
    return stat(user, word)


def stored_stats() -> list[dict]:
    return dynamodb().scan(TableName=STATS, ConsistentRead=True)["Items"]


def counter(name: str) -> int:
    item = dynamodb().get_item(TableName=SEQUENCES, Key={"name": {"S": name}}, ConsistentRead=True).get("Item")
    return int(item["value"]["N"]) if item else 0


def add_one(name: str) -> dict:
    """A TransactWriteItems action that counts one more on a sequence."""
    return {
        "Update": {
            "TableName": SEQUENCES,
            "Key": {"name": {"S": name}},
            "UpdateExpression": "ADD #value :one",
            "ExpressionAttributeNames": {"#value": "value"},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def refusal(call, **parameters) -> dict:
    """The error a client sees for this call."""
    with pytest.raises(ClientError) as error:
        call(**parameters)
    return error.value.response


@pytest.fixture
def clock(strict_dynamodb, hand_clock):
    strict_dynamodb.clock = hand_clock
    return strict_dynamodb.clock


# -- validation


def test_an_empty_key_value_is_refused_in_every_operation(strict_dynamodb):
    empty = stat_key(user="")
    client = dynamodb()
    calls = {
        "GetItem": (client.get_item, {"TableName": STATS, "Key": empty}),
        "PutItem": (client.put_item, {"TableName": STATS, "Item": empty}),
        "UpdateItem": (
            client.update_item,
            {
                "TableName": STATS,
                "Key": empty,
                "UpdateExpression": "SET card = :c",
                "ExpressionAttributeValues": {":c": {"S": "x"}},
            },
        ),
        "DeleteItem": (client.delete_item, {"TableName": STATS, "Key": empty}),
        "BatchGetItem": (client.batch_get_item, {"RequestItems": {STATS: {"Keys": [empty]}}}),
        "BatchWriteItem": (client.batch_write_item, {"RequestItems": {STATS: [{"PutRequest": {"Item": empty}}]}}),
        "TransactWriteItems": (
            client.transact_write_items,
            {"TransactItems": [{"Put": {"TableName": STATS, "Item": empty}}]},
        ),
        "TransactGetItems": (
            client.transact_get_items,
            {"TransactItems": [{"Get": {"TableName": STATS, "Key": empty}}]},
        ),
        "Query": (
            client.query,
            {
                "TableName": STATS,
                "KeyConditionExpression": "user_id = :u",
                "ExpressionAttributeValues": {":u": {"S": ""}},
            },
        ),
    }
    for operation, (call, parameters) in calls.items():
        error = refusal(call, **parameters)["Error"]
        assert (error["Code"], error["Message"]) == ("ValidationException", EMPTY_KEY.format(name="user_id")), operation
    assert strict_dynamodb.faults["validation"] == len(calls)
    assert stored_stats() == []


def test_an_empty_value_in_an_index_key_condition_names_the_index_key(strict_dynamodb):
    error = refusal(
        dynamodb().query,
        TableName=STATS,
        IndexName="due-cards",
        KeyConditionExpression="#user = :u AND due > :due",
        ExpressionAttributeNames={"#user": "user_id"},
        ExpressionAttributeValues={":u": {"S": "u1"}, ":due": {"S": ""}},
    )
    assert error["Error"]["Message"] == EMPTY_KEY.format(name="due")


def test_key_sizes_are_counted_in_utf8_bytes(strict_dynamodb):
    client = dynamodb()
    client.put_item(TableName=STATS, Item=stat(user="あ" * 682 + "xx", word="い" * 341 + "x"))  # 2048 and 1024 bytes
    long_hash = refusal(client.put_item, TableName=STATS, Item=stat(user="あ" * 683))  # 683 characters, 2049 bytes
    long_range = refusal(client.get_item, TableName=STATS, Key=stat_key(word="い" * 341 + "xy"))
    assert long_hash["Error"]["Message"] == (
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    )
    assert long_range["Error"]["Message"] == (
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of "
        "1024 bytes"
    )
    assert len(stored_stats()) == 1


BULK = "x" * 398_000


def large_item() -> dict:
    """410,032 bytes as DynamoDB counts them (a list costs 3 bytes, and 1 more per element):
    over 400 KB (409,600 bytes), while moto, which counts 404,029, lets it through."""
    return stat(card=BULK) | {"history": {"L": [{"NULL": True}] * 6_000}}


def test_an_item_over_400_kb_is_refused_in_every_write(strict_dynamodb):
    client = dynamodb()
    item = large_item()
    refusals = [
        refusal(client.put_item, TableName=STATS, Item=item),
        refusal(client.batch_write_item, RequestItems={STATS: [{"PutRequest": {"Item": item}}]}),
        refusal(client.transact_write_items, TransactItems=[{"Put": {"TableName": STATS, "Item": item}}]),
    ]
    assert {error["Error"]["Message"] for error in refusals} == {"Item size has exceeded the maximum allowed size"}
    assert stored_stats() == []


def test_an_update_that_makes_an_item_over_400_kb_is_refused_and_undone(strict_dynamodb):
    client = dynamodb()
    client.put_item(TableName=STATS, Item=stat(card=BULK))
    error = refusal(
        client.update_item,
        TableName=STATS,
        Key=stat_key(),
        UpdateExpression="SET history = :history",
        ExpressionAttributeValues={":history": large_item()["history"]},
    )
    assert error["Error"]["Message"] == "Item size to update has exceeded the maximum allowed size"
    assert stored_stats() == [stat(card=BULK)]


def test_a_transaction_holds_at_most_100_actions_and_one_per_item(strict_dynamodb):
    client = dynamodb()
    too_many = [add_one(f"c{number}") for number in range(101)]
    twice = [
        add_one("c1"),
        {
            "ConditionCheck": {
                "TableName": SEQUENCES,
                "Key": {"name": {"S": "c1"}},
                "ConditionExpression": "attribute_exists(#n)",
                "ExpressionAttributeNames": {"#n": "name"},
            }
        },
    ]
    long_error = refusal(client.transact_write_items, TransactItems=too_many)["Error"]["Message"]
    assert long_error.startswith(
        "1 validation error detected: Value '[com.amazonaws.dynamodb.v20120810.TransactWriteItem@"
    )
    assert long_error.endswith(
        "' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
    )
    assert refusal(client.transact_write_items, TransactItems=twice)["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item"
    )
    assert counter("c1") == 0


def test_a_batch_holds_at_most_100_keys_or_25_writes_and_no_duplicates(strict_dynamodb):
    client = dynamodb()
    keys = [stat_key(word=f"w{number}") for number in range(101)]
    writes = [{"PutRequest": {"Item": stat(word=f"w{number}")}} for number in range(26)]
    assert refusal(client.batch_get_item, RequestItems={STATS: {"Keys": keys}})["Error"]["Message"] == (
        "Too many items requested for the BatchGetItem call"
    )
    assert (
        "Member must have length less than or equal to 25"
        in (refusal(client.batch_write_item, RequestItems={STATS: writes})["Error"]["Message"])
    )
    duplicates = "Provided list of item keys contains duplicates"
    assert (
        refusal(client.batch_get_item, RequestItems={STATS: {"Keys": keys[:1] * 2}})["Error"]["Message"] == duplicates
    )
    assert refusal(client.batch_write_item, RequestItems={STATS: writes[:1] * 2})["Error"]["Message"] == duplicates
    assert stored_stats() == []


def test_a_query_on_a_global_index_cannot_be_consistent(strict_dynamodb):
    error = refusal(
        dynamodb().query,
        TableName=STATS,
        IndexName="due-cards",
        ConsistentRead=True,
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": "u1"}},
    )
    assert error["Error"]["Message"] == "Consistent reads are not supported on global secondary indexes"


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


# -- the layer itself


def outcomes(client) -> list[str]:
    """What each of a fixed sequence of requests met."""
    met = []
    for number in range(15):
        try:
            client.put_item(TableName=STATS, Item=stat(word=f"w{number}"))
            writes = [{"PutRequest": {"Item": stat(word=f"b{number}-{part}")}} for part in range(3)]
            left = client.batch_write_item(RequestItems={STATS: writes})["UnprocessedItems"]
            met.append(f"unprocessed {len(left.get(STATS, []))}")
        except ClientError as error:
            met.append(error.response["Error"]["Code"])
    return met


def test_the_same_seed_gives_the_same_faults(strict_dynamodb):
    strict_dynamodb.configure(seed=7, throttle=Fault(0.2), partial=Fault(0.5), lost=Fault(0.2))
    client = dynamodb(attempts=1)
    first, first_faults = outcomes(client), dict(strict_dynamodb.faults)
    strict_dynamodb.reset()
    second, second_faults = outcomes(client), dict(strict_dynamodb.faults)
    strict_dynamodb.configure(seed=8)
    strict_dynamodb.reset()
    other = outcomes(client)
    assert (second, second_faults) == (first, first_faults)
    assert set(first_faults) == {"throttle", "partial", "lost"}
    assert other != first


def test_other_services_pass_through_untouched(strict_dynamodb, settings):
    strict_dynamodb.configure(throttle=Fault(1.0))
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    assert settings.MEDIA_BUCKET in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert strict_dynamodb.faults == {}


def test_fault_counts_are_served_and_saved_when_the_emulator_stops(aws, tmp_path):
    emulator = Emulator(port=0, state_file=tmp_path / "emulator.pickle", strict=StrictConfig())
    emulator.start()
    try:
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=emulator.endpoint)
        refusal(client.get_item, TableName=STATS, Key=stat_key(user=""))
        with urllib.request.urlopen(f"{emulator.endpoint}/strict-api/faults") as response:  # noqa: S310 (http://127.0.0.1)
            served = json.load(response)
    finally:
        emulator.stop()
    assert served == {"validation": 1}
    assert json.loads((tmp_path / "strict-faults.json").read_text()) == {"validation": 1}


# -- configuration


def test_from_env_reads_1_and_comma_lists():
    realistic = StrictConfig.from_env("1")
    listed = StrictConfig.from_env(
        "lag_ms=1000,stale=1,throttle=0.03,conflict=0.02,contention_ms=10,partial=0.2,lost=0.02,seed=7"
    )
    assert realistic == StrictConfig.realistic(seed=realistic.seed)
    assert listed == StrictConfig.realistic(seed=7)
    assert StrictConfig.from_env(listed.to_env()) == listed
    assert StrictConfig.from_env("") is None
    assert StrictConfig.from_env("0") is None


def test_from_env_refuses_unknown_names_and_bad_values():
    with pytest.raises(ValueError, match=r"unknown setting 'throtle'.*throttle"):
        StrictConfig.from_env("throtle=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        StrictConfig.from_env("throttle=3")
    with pytest.raises(ValueError, match="not a number"):
        StrictConfig.from_env("lag_ms=soon")


def test_the_runner_reads_LOCAL_AWS_STRICT():
    assert strict_config({"LOCAL_AWS_STRICT": "throttle=0.5,seed=3"}) == StrictConfig(seed=3, throttle=Fault(0.5))
    assert strict_config({}) is None
