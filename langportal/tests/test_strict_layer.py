"""Strict DynamoDB (langportal/local/strict/): what a client sees once moto answers as AWS
may. Here, the layer itself and its configuration: the same seed gives the same faults,
other services pass through untouched, the fault counts are served and saved, and
LOCAL_AWS_STRICT is read as the runner and the emulator expect."""

from __future__ import annotations

import json
import os
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from langportal.local.emulator import Emulator
from langportal.local.runner import strict_config
from langportal.local.strict import Fault, StrictConfig

from .conftest import STATS, dynamodb, refusal, stat, stat_key

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
