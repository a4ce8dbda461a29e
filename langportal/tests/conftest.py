"""What the strict DynamoDB tests (test_strict_*.py) share: a plain boto3 client of the
strict emulator, items of the word stats table and counters of the sequences table to
write and read with it, and the error a refused call meets."""

from __future__ import annotations

import functools
import os

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

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
