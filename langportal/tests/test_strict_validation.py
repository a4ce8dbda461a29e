"""Strict DynamoDB (langportal/local/strict/): what a client sees once moto answers as AWS
may. Here, the requests AWS refuses and moto lets through, refused with AWS's errors:
empty key values, keys and items past their sizes, transactions and batches past their
limits or naming an item twice, consistent reads of a global index."""

from __future__ import annotations

from langportal.local.strict import EMPTY_KEY

from .conftest import SEQUENCES, STATS, add_one, counter, dynamodb, refusal, stat, stat_key, stored_stats


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
