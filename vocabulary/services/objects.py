"""Objects in S3: the URLs browsers fetch media at, their removal once no word points at
them, and files read as streams."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import BinaryIO

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import default_storage

from langportal import aws

logger = logging.getLogger(__name__)


def media_url(key: str | None) -> str | None:
    """A URL a browser can fetch: presigned for a private bucket, or on the custom domain."""
    return default_storage.url(key) if key else None


def object_stream(key: str) -> BinaryIO:
    """An object's body, to read a piece at a time (an import file, say); 503 when S3 is down."""
    with aws.unavailable_on_outage("File storage"):
        return aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=key)["Body"]


def object_start(key: str, size: int) -> tuple[int, bytes] | None:
    """An object's size and its first `size` bytes, or None when there is none (a file
    whose upload never arrived); 503 when S3 is down."""
    with aws.unavailable_on_outage("File storage"):
        try:
            answer = aws.client("s3").get_object(Bucket=settings.MEDIA_BUCKET, Key=key, Range=f"bytes=0-{size - 1}")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            if code == "InvalidRange":  # an empty object has no first byte
                return 0, b""
            raise
    with answer["Body"] as body:
        start = body.read()
    return int(answer["ContentRange"].rsplit("/", 1)[1]) if "ContentRange" in answer else len(start), start


def objects_delete(keys: Iterable[str | None]) -> None:
    """Remove objects nothing points at any more (media no word has, an import file read
    through); a failure leaves an orphan, not a broken link."""
    for key in filter(None, keys):
        try:
            default_storage.delete(key)
        except (BotoCoreError, ClientError):
            logger.warning("Could not delete s3://%s/%s, which nothing needs any more.", settings.MEDIA_BUCKET, key)
