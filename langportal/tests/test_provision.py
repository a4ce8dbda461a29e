"""Provisioning brings an older local stack up to date."""

import boto3
from django.conf import settings

from langportal.local import provision
from lrs.models import WordStatModel


def test_a_missing_index_is_added_to_an_existing_table(aws):
    dynamodb = boto3.client("dynamodb", region_name=settings.AWS_REGION)
    table = WordStatModel.Meta.table_name
    dynamodb.delete_table(TableName=table)
    dynamodb.create_table(  # as a stack made before the due-cards index existed
        TableName=table,
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "word_id", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "user_id", "AttributeType": "S"},
            {"AttributeName": "word_id", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    assert provision.tables_create() == []
    indexes = dynamodb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    assert [index["IndexName"] for index in indexes] == ["due-cards"]
    assert provision.indexes_add(WordStatModel) == []
