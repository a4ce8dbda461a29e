"""Liveness and readiness probes for load balancers and operators."""

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from langportal import aws
from langportal.storage.dynamo import table_name


@require_GET
def healthz(request) -> JsonResponse:
    """The process is up; no dependency is called."""
    return JsonResponse({"status": "ok"})


def _dynamodb() -> None:
    aws.client("dynamodb").describe_table(TableName=table_name("words"))


def _s3() -> None:
    aws.client("s3").head_bucket(Bucket=settings.MEDIA_BUCKET)


CHECKS = {"dynamodb": _dynamodb, "s3": _s3}


@require_GET
def readyz(request) -> JsonResponse:
    """DynamoDB and S3 answer; 503 naming what does not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except (BotoCoreError, ClientError):
            results[name] = "unavailable"
    ready = all(result == "ok" for result in results.values())
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(settings.AWS_RETRY_AFTER)
    return response
