"""Seeding: vocabulary documents stored in S3, imported into DynamoDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from langportal import aws
from langportal.errors import NotFound
from langportal.progress import Progress, silent
from vocabulary import services
from vocabulary.documents import Document, DocumentLimits, document_loads, document_parse

STARTER_DOCUMENT = Path(__file__).parent / "data" / "starter_words.json"
STARTER_KEY = "seed/starter_words.json"


def document_upload(*, bucket: str, key: str, document: dict[str, Any]) -> None:
    body = json.dumps(document, ensure_ascii=False).encode()
    with aws.unavailable_on_outage("S3"):
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")


def document_download(*, bucket: str, key: str) -> Any:
    """A JSON document from S3, decoded within the seeding limits (InvalidInput past one)."""
    limits = DocumentLimits.seeds()
    s3 = aws.client("s3")
    try:
        with aws.unavailable_on_outage("S3"):
            # One byte past the limit is enough to see that a document is too large.
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read(limits.max_bytes + 1)
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "NoSuchBucket", "404"}:
            raise NotFound(f"s3://{bucket}/{key} does not exist.") from error
        raise
    return document_loads(body, limits)


def seed_from_s3(
    *, bucket: str, key: str, dry_run: bool = False, progress: Progress = silent
) -> tuple[Document, services.ImportResult]:
    """Read a vocabulary document from S3, check every entry, import the good ones."""
    document = document_parse(document_download(bucket=bucket, key=key))
    result = services.vocabulary_import(
        groups=document.groups, words=document.words, dry_run=dry_run, progress=progress
    )
    return document, result


def starter_document() -> dict[str, Any]:
    return json.loads(STARTER_DOCUMENT.read_text(encoding="utf-8"))
