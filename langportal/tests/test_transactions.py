"""moto's transactions, undone item by item (langportal.local.transactions): a failed
transaction leaves every item it named as it was, and its table is never copied."""

import pytest
from botocore.exceptions import ClientError

from langportal.aws import client
from langportal.local import transactions

TABLE = "undo-test"


@pytest.fixture
def table(aws):
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    for name in ("a", "c"):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": name}, "sk": {"S": "1"}, "x": {"N": "1"}})
    return dynamodb


def key(name: str) -> dict:
    return {"pk": {"S": name}, "sk": {"S": "1"}}


def stored(dynamodb) -> dict:
    items = dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {item["pk"]["S"]: item.get("x", {}).get("N") for item in items}


def writes(*, failing: dict) -> list[dict]:
    return [
        {"Put": {"TableName": TABLE, "Item": {**key("b"), "x": {"N": "5"}}}},
        {"Update": {"TableName": TABLE, "Key": key("a"), "UpdateExpression": "SET x = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        {"Delete": {"TableName": TABLE, "Key": key("c")}},
        failing,
    ]  # fmt: skip


def test_a_cancelled_transaction_leaves_every_item_as_it_was(table):
    check = {"TableName": TABLE, "Key": key("d"), "ConditionExpression": "attribute_exists(pk)"}
    with pytest.raises(ClientError) as cancelled:
        table.transact_write_items(TransactItems=writes(failing={"ConditionCheck": check}))
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert stored(table) == {"a": "1", "c": "1"}


def test_a_transaction_naming_one_item_twice_writes_nothing(table):
    twice = {"Put": {"TableName": TABLE, "Item": {**key("b"), "x": {"N": "6"}}}}
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=writes(failing=twice))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert stored(table) == {"a": "1", "c": "1"}


def test_a_transaction_that_succeeds_writes_everything_and_copies_no_table(table, monkeypatch):
    copied = []
    monkeypatch.setattr(transactions.copy, "deepcopy", lambda value, memo=None: copied.append(value) or value)
    done = {"Put": {"TableName": TABLE, "Item": {**key("e"), "x": {"N": "7"}}}}
    table.transact_write_items(TransactItems=writes(failing=done))
    assert stored(table) == {"a": "2", "b": "5", "e": "7"}
    assert copied and not any(type(value).__name__ == "Table" for value in copied)


def test_installing_twice_wraps_moto_once():
    transactions.install()
    wrapped = transactions.models.DynamoDBBackend.transact_write_items
    transactions.install()
    assert transactions.models.DynamoDBBackend.transact_write_items is wrapped
