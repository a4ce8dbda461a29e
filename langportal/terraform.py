"""DynamoDB tables for terraform, written from the PynamoDB models: one source of truth.

`python manage.py terraform_tables` writes terraform/dynamodb.tf.json; a test fails when
the committed file and the models drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from pynamodb.attributes import TTLAttribute

from langportal.storage.dynamo import table_models

OUTPUT = Path(settings.BASE_DIR) / "terraform" / "dynamodb.tf.json"


def resource_name(model) -> str:
    return table_suffix(model).replace("-", "_")


def table_suffix(model) -> str:
    return model.Meta.table_name.removeprefix(settings.DYNAMODB_TABLE_PREFIX)


def _key(schema: list[dict], kind: str) -> str | None:
    return next((part["AttributeName"] for part in schema if part["KeyType"] == kind), None)


def table_block(model) -> dict:
    schema = model._get_schema()
    block = {
        "name": f"${{var.name_prefix}}{table_suffix(model)}",
        "billing_mode": "PAY_PER_REQUEST",
        "hash_key": _key(schema["key_schema"], "HASH"),
        "attribute": [
            {"name": attribute["AttributeName"], "type": attribute["AttributeType"]}
            for attribute in sorted(schema["attribute_definitions"], key=lambda attribute: attribute["AttributeName"])
        ],
        "point_in_time_recovery": {"enabled": True},
        "server_side_encryption": {"enabled": True},
        "deletion_protection_enabled": "${var.deletion_protection}",
        "tags": "${local.tags}",
    }
    if range_key := _key(schema["key_schema"], "RANGE"):
        block["range_key"] = range_key
    indexes = []
    for index in sorted(schema["global_secondary_indexes"], key=lambda index: index["index_name"]):
        entry = {
            "name": index["index_name"],
            "hash_key": _key(index["key_schema"], "HASH"),
            "projection_type": index["projection"]["ProjectionType"],
        }
        if range_key := _key(index["key_schema"], "RANGE"):
            entry["range_key"] = range_key
        if attributes := index["projection"].get("NonKeyAttributes"):
            entry["non_key_attributes"] = sorted(attributes)
        indexes.append(entry)
    if indexes:
        block["global_secondary_index"] = indexes
    ttl = [attribute.attr_name for attribute in model.get_attributes().values() if isinstance(attribute, TTLAttribute)]
    if ttl:
        block["ttl"] = {"attribute_name": ttl[0], "enabled": True}
    return block


def tables_document() -> dict:
    models = sorted(table_models(), key=resource_name)
    return {
        "//": "Written by `python manage.py terraform_tables` from the PynamoDB models; do not edit.",
        "resource": {"aws_dynamodb_table": {resource_name(model): table_block(model) for model in models}},
    }


def tables_json() -> str:
    return json.dumps(tables_document(), indent=2, sort_keys=False) + "\n"
