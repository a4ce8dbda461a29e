"""boto3 clients configured once: our region, short timeouts, bounded retries.

Endpoints are left to boto3, which reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>,
so the same code talks to AWS, to the local emulator or to any other one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from boto3.exceptions import S3UploadFailedError
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from langportal.errors import Unavailable

# Error codes that mean "try again later", not "you asked for something wrong".
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "SlowDown",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)

_lock = threading.Lock()


def client_config() -> Config:
    return Config(
        region_name=settings.AWS_REGION,
        connect_timeout=settings.AWS_CONNECT_TIMEOUT,
        read_timeout=settings.AWS_READ_TIMEOUT,
        # total_max_attempts counts every attempt (max_attempts would count retries only),
        # as PynamoDB's models do with the same setting.
        retries={"total_max_attempts": settings.AWS_MAX_ATTEMPTS, "mode": "standard"},
    )


@functools.cache
def client(service: str):
    """A shared client for one AWS service (boto3 clients are thread-safe once made)."""
    with _lock:  # creating clients from one session is not thread-safe
        config = client_config()
        if service == "s3":  # links it presigns are signed as S3 asks today (SigV4), as the media's are
            config = config.merge(Config(signature_version="s3v4"))
        return boto3.session.Session().client(service, config=config)


def is_unavailable(error: BaseException) -> bool:
    """True when an AWS error means the service is down, slow or throttling us."""
    if isinstance(error, S3UploadFailedError):  # boto3's transfer manager hides the cause
        return True
    if isinstance(error, ClientError):
        error_info = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_info.get("Code") in RETRYABLE_CODES or status >= 500
    return isinstance(error, BotoCoreError)


@contextmanager
def unavailable_on_outage(service: str) -> Iterator[None]:
    """Turn an outage of `service` into Unavailable (503); other errors pass through."""
    try:
        yield
    except (BotoCoreError, ClientError, S3UploadFailedError) as error:
        if is_unavailable(error):
            raise Unavailable(f"{service} is unavailable. Please retry shortly.") from error
        raise
