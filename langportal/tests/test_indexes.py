"""moto's queries read only the items under their key (langportal.local.indexes): every
query answers exactly as moto's own scan of the table would, after each kind of write, and
looks at the matching items only."""

import copy

import pytest
from botocore.exceptions import ClientError
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from langportal.aws import client
from langportal.local import indexes
from langportal.local.emulator import restore, snapshot
from langportal.local.strict.protocol import store_item

TABLE = "index-test"
COLOURS = ("red", "blue", "green")


@pytest.fixture
def table(aws):
    """A table with a GSI on colour and size, a keys-only GSI on shape, an LSI on size, and
    twelve items of three colours, one without a colour and one without a shape."""
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "colour", "AttributeType": "S"},
            {"AttributeName": "shape", "AttributeType": "S"},
            {"AttributeName": "size", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_colour", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "colour", "KeyType": "HASH"}, {"AttributeName": "size", "KeyType": "RANGE"}]},
            {"IndexName": "by_shape", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "shape", "KeyType": "HASH"}]},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "by_size", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "size", "KeyType": "RANGE"}]},
        ],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    for number in range(12):
        dynamodb.put_item(TableName=TABLE, Item=thing(number, COLOURS[number % 3], size=number % 4))
    dynamodb.put_item(TableName=TABLE, Item={**key("p1", "colourless"), "shape": {"S": "round"}, "size": {"N": "2"}})
    dynamodb.put_item(TableName=TABLE, Item={**key("p2", "shapeless"), "colour": {"S": "red"}, "size": {"N": "9"}})
    first_queries = (("by_colour", "colour", "red"), ("by_shape", "shape", "round"), ("by_size", "pk", "p0"))
    for index, attribute, value in first_queries:
        dynamodb.query(TableName=TABLE, IndexName=index, KeyConditionExpression=f"{attribute} = :v",
                       ExpressionAttributeValues={":v": {"S": value}})  # fmt: skip
    return dynamodb  # each index built by a first query: the writes of a test change it


def key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def thing(number: int, colour: str, *, size: int) -> dict:
    shape = "round" if number % 2 else "square"
    return {**key(f"p{number % 3}", f"s{number:02}"), "colour": {"S": colour}, "shape": {"S": shape},
            "size": {"N": str(size)}}  # fmt: skip


@pytest.fixture
def moto_table() -> Table:
    """The test table as moto's backend holds it."""
    return get_backend("dynamodb")[DEFAULT_ACCOUNT_ID][client("dynamodb").meta.region_name].tables[TABLE]


@pytest.fixture
def same_as_moto(table, monkeypatch):
    """same_as_moto(**query): every page of the query (its items and LastEvaluatedKey),
    checked equal to what moto's own Table.query answers, and returned."""

    def pages(**query) -> list[tuple[list, dict | None]]:
        answers, start = [], {}
        while True:
            answer = table.query(TableName=TABLE, **query, **start)
            answers.append((answer["Items"], answer.get("LastEvaluatedKey")))
            if "LastEvaluatedKey" not in answer:
                return answers
            start = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}

    def compare(**query) -> list[tuple[list, dict | None]]:
        ours = pages(**query)
        with monkeypatch.context() as unpatched:
            unpatched.setattr(Table, "query", Table.query.__wrapped__)
            mottos = pages(**query)
        assert ours == mottos
        return ours

    return compare


def colour_query(colour: str, **query) -> dict:
    return {"IndexName": "by_colour", "KeyConditionExpression": "colour = :c",
            "ExpressionAttributeValues": {":c": {"S": colour}}, **query}  # fmt: skip


def found(pages: list[tuple[list, dict | None]]) -> list[str]:
    return [item["sk"]["S"] for items, _ in pages for item in items]


def test_a_query_on_an_index_finds_its_keys_items_only_and_leaves_out_items_without_the_key(same_as_moto):
    assert found(same_as_moto(**colour_query("red"))) == ["s00", "s09", "s06", "s03", "shapeless"]
    assert found(same_as_moto(**colour_query("purple"))) == []
    shape = {"KeyConditionExpression": "shape = :s", "ExpressionAttributeValues": {":s": {"S": "round"}}}
    round_things = same_as_moto(IndexName="by_shape", **shape)
    assert sorted(found(round_things)) == ["colourless", "s01", "s03", "s05", "s07", "s09", "s11"]
    assert all(set(item) == {"pk", "sk", "shape"} for item in round_things[0][0])  # keys only


def test_a_query_on_an_lsi_and_on_the_base_table_answers_as_moto(same_as_moto):
    on_p1 = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p1"}}}
    assert found(same_as_moto(**on_p1)) == ["colourless", "s01", "s04", "s07", "s10"]
    assert found(same_as_moto(IndexName="by_size", **on_p1)) == ["s04", "s01", "colourless", "s10", "s07"]


def test_paging_limits_filters_projections_and_order_answer_as_moto(same_as_moto):
    pages = same_as_moto(
        **colour_query("blue", Limit=2, ScanIndexForward=False, FilterExpression="shape = :round",
                       ProjectionExpression="sk, #size", ExpressionAttributeNames={"#size": "size"},
                       ExpressionAttributeValues={":c": {"S": "blue"}, ":round": {"S": "round"}}),
    )  # fmt: skip
    assert len(pages) == 2
    assert found(pages) == ["s07", "s01"]
    ranged = same_as_moto(**colour_query("green", KeyConditionExpression="colour = :c AND #size BETWEEN :a AND :b",
                                         ExpressionAttributeNames={"#size": "size"},
                                         ExpressionAttributeValues={":c": {"S": "green"}, ":a": {"N": "1"},
                                                                    ":b": {"N": "2"}}))  # fmt: skip
    assert found(ranged) == ["s05", "s02"]


def test_an_item_whose_index_key_is_a_list_is_stored_and_never_found(table, same_as_moto):
    table.put_item(TableName=TABLE, Item={**key("p9", "listed"), "colour": {"L": [{"S": "red"}]}, "size": {"N": "1"}})
    assert "listed" not in found(same_as_moto(**colour_query("red")))


def test_an_update_that_changes_the_index_key_moves_the_item(table, same_as_moto):
    table.update_item(TableName=TABLE, Key=key("p0", "s00"), UpdateExpression="SET colour = :b",
                      ExpressionAttributeValues={":b": {"S": "blue"}})  # fmt: skip
    assert "s00" not in found(same_as_moto(**colour_query("red")))
    assert "s00" in found(same_as_moto(**colour_query("blue")))


def test_an_update_that_removes_the_index_key_leaves_the_index_and_one_that_adds_it_joins(table, same_as_moto):
    table.update_item(TableName=TABLE, Key=key("p0", "s00"), UpdateExpression="REMOVE colour")
    table.update_item(TableName=TABLE, Key=key("p1", "colourless"), UpdateExpression="SET colour = :g",
                      ExpressionAttributeValues={":g": {"S": "green"}})  # fmt: skip
    assert "s00" not in found(same_as_moto(**colour_query("red")))
    assert "colourless" in found(same_as_moto(**colour_query("green")))


def test_an_update_creating_an_item_puts_it_in_the_index(table, same_as_moto):
    table.update_item(TableName=TABLE, Key=key("p9", "new"), UpdateExpression="SET colour = :r, #size = :one",
                      ExpressionAttributeNames={"#size": "size"},
                      ExpressionAttributeValues={":r": {"S": "red"}, ":one": {"N": "1"}})  # fmt: skip
    assert "new" in found(same_as_moto(**colour_query("red")))


def test_a_put_over_an_item_and_a_delete_change_the_index(table, same_as_moto):
    table.put_item(TableName=TABLE, Item=thing(0, "green", size=3))
    table.delete_item(TableName=TABLE, Key=key("p0", "s03"))
    assert found(same_as_moto(**colour_query("red"))) == ["s09", "s06", "shapeless"]
    assert "s00" in found(same_as_moto(**colour_query("green")))


def test_a_transaction_moves_its_items_in_the_index(table, same_as_moto):
    table.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": thing(20, "red", size=5)}},
        {"Update": {"TableName": TABLE, "Key": key("p1", "s01"), "UpdateExpression": "SET colour = :r",
                    "ExpressionAttributeValues": {":r": {"S": "red"}}}},
        {"Delete": {"TableName": TABLE, "Key": key("p0", "s00")}},
    ])  # fmt: skip
    assert found(same_as_moto(**colour_query("red"))) == ["s09", "s01", "s06", "s03", "s20", "shapeless"]


def test_a_cancelled_transaction_leaves_the_index_as_it_was(table, same_as_moto):
    before = same_as_moto(**colour_query("blue"))
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": key("p0", "s00"), "UpdateExpression": "SET colour = :b",
                        "ExpressionAttributeValues": {":b": {"S": "blue"}}}},
            {"Put": {"TableName": TABLE, "Item": thing(21, "blue", size=1)}},
            {"ConditionCheck": {"TableName": TABLE, "Key": key("p9", "none"),
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])  # fmt: skip
    assert same_as_moto(**colour_query("blue")) == before
    assert "s00" in found(same_as_moto(**colour_query("red")))


def test_a_batch_write_puts_and_deletes_in_the_index(table, same_as_moto):
    table.batch_write_item(RequestItems={TABLE: [
        {"PutRequest": {"Item": thing(22, "green", size=0)}},
        {"PutRequest": {"Item": thing(4, "red", size=0)}},
        {"DeleteRequest": {"Key": key("p2", "s02")}},
    ]})  # fmt: skip
    assert found(same_as_moto(**colour_query("green"))) == ["s22", "s08", "s05", "s11"]
    assert "s04" in found(same_as_moto(**colour_query("red")))


def test_an_item_put_back_behind_motos_methods_is_found_by_its_key(table, moto_table, same_as_moto):
    older = copy.deepcopy(moto_table.get_item(DynamoType({"S": "p0"}), DynamoType({"S": "s00"})))
    table.update_item(TableName=TABLE, Key=key("p0", "s00"), UpdateExpression="SET colour = :b",
                      ExpressionAttributeValues={":b": {"S": "blue"}})  # fmt: skip
    store_item(moto_table, key("p0", "s00"), older)  # as a strict stale read does
    assert "s00" in found(same_as_moto(**colour_query("red")))
    assert "s00" not in found(same_as_moto(**colour_query("blue")))


def test_a_restored_emulator_state_answers_from_its_own_items(table, same_as_moto):
    saved = snapshot()
    table.delete_item(TableName=TABLE, Key=key("p0", "s00"))
    restore(saved)
    assert "s00" in found(same_as_moto(**colour_query("red")))
    table.update_item(TableName=TABLE, Key=key("p0", "s00"), UpdateExpression="SET colour = :g",
                      ExpressionAttributeValues={":g": {"S": "green"}})  # fmt: skip
    assert "s00" in found(same_as_moto(**colour_query("green")))
    assert "s00" not in found(same_as_moto(**colour_query("red")))


@pytest.fixture
def compared(monkeypatch):
    """The DynamoType values moto compares with `!=` or `==`, counted."""
    counts = {"!=": 0, "==": 0}
    not_equal, equal = DynamoType.__ne__, DynamoType.__eq__

    def counted_ne(self, other):
        counts["!="] += 1
        return not_equal(self, other)

    def counted_eq(self, other):
        counts["=="] += 1
        return equal(self, other)

    monkeypatch.setattr(DynamoType, "__ne__", counted_ne)
    monkeypatch.setattr(DynamoType, "__eq__", counted_eq)
    return counts


def test_a_query_on_an_index_compares_only_its_keys_items(table, compared):
    for number in range(100):
        table.put_item(TableName=TABLE, Item={**key("bulk", f"b{number:03}"), "colour": {"S": "grey"}})
    compared["!="] = 0
    answer = table.query(TableName=TABLE, **colour_query("red"))
    assert answer["Count"] == 5
    assert compared["!="] == 5  # moto's key check, once an item: the 5 red ones of 114


def test_a_query_on_the_base_table_compares_only_its_keys_items(table, compared):
    for number in range(100):
        table.put_item(TableName=TABLE, Item=key(f"bulk{number:03}", "b"))
    compared["=="] = 0
    answer = table.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p2"}}
    )
    assert answer["Count"] == 5
    assert compared["=="] < 30  # its 5 items, sorted by range key; moto alone compares each of 114


def test_installing_twice_wraps_moto_once():
    indexes.install()
    wrapped = Table.query
    indexes.install()
    assert Table.query is wrapped
