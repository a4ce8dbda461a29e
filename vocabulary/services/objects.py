"""Media objects in S3: the URLs browsers fetch them at, and their removal once no word
points at them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def media_url(key: str | None) -> str | None:
    """A URL a browser can fetch: presigned for a private bucket, or on the custom domain."""
    return default_storage.url(key) if key else None


def media_delete(keys: Iterable[str | None]) -> None:
    """Remove objects no word points at any more; a failure leaves an orphan, not a broken link."""
    for key in filter(None, keys):
        try:
            default_storage.delete(key)
        except (BotoCoreError, ClientError):
            logger.warning("Could not delete s3://%s/%s; it is no longer referenced.", settings.MEDIA_BUCKET, key)
