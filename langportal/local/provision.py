"""Create what the app needs in an empty AWS account (the local emulator): tables with
their indexes, the media bucket, the user pool with its app client and groups.

Every step looks first and creates only what is missing, so it can run at every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from accounts import roles
from langportal import aws
from langportal.storage.dynamo import table_models

POOL_NAME = "langportal-local"
CLIENT_NAME = "langportal-local-app"
QUEUE_VISIBILITY_SECONDS = 180


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    client_id: str


def tables_create() -> list[str]:
    """Create missing tables, and missing indexes of existing ones (a local stack made by
    an older version); returns the names of the tables created."""
    created = []
    for model in table_models():
        if model.exists():
            indexes_add(model)
        else:
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
    return created


def indexes_add(model) -> list[str]:
    """Create the global secondary indexes a model declares and its table lacks."""
    dynamodb = aws.client("dynamodb")
    table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
    existing = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    added = []
    for index in model._get_schema()["global_secondary_indexes"]:
        if index["index_name"] in existing:
            continue
        dynamodb.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["index_name"],
                        "KeySchema": sorted(index["key_schema"], key=lambda part: part["KeyType"]),
                        "Projection": index["projection"],
                    }
                }
            ],
        )
        added.append(index["index_name"])
    return added


def bucket_create() -> None:
    s3 = aws.client("s3")
    if settings.MEDIA_BUCKET in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}:
        return
    location = (
        {}
        if settings.AWS_REGION == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": settings.AWS_REGION}}
    )
    s3.create_bucket(Bucket=settings.MEDIA_BUCKET, **location)


def queue_create() -> None:
    """The jobs queue; its visibility timeout outlasts a job's lease (see langportal.jobs),
    so a message comes back only once its run is surely over."""
    aws.client("sqs").create_queue(
        QueueName=settings.JOBS_QUEUE, Attributes={"VisibilityTimeout": str(QUEUE_VISIBILITY_SECONDS)}
    )


def user_pool_create() -> UserPool:
    cognito = aws.client("cognito-idp")
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((pool["Id"] for pool in pools if pool["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((client["ClientId"] for client in clients if client["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
    existing = {group["GroupName"] for group in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in roles.GROUPS:
        if group not in existing:
            cognito.create_group(UserPoolId=pool_id, GroupName=group)
    return UserPool(pool_id, client_id)
