"""AWS Lambda handlers of the vocabulary: thin doors onto the services."""

import os
from urllib.parse import unquote_plus

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")
django.setup()

from django.conf import settings  # noqa: E402 (needs Django set up)

from vocabulary import services  # noqa: E402


def process_media(event, context) -> dict:
    """S3 ObjectCreated notifications: learn what each new upload holds.

    Returns, per key, "processed", "unchanged" (done before), "ignored" (not ours, or no
    longer used) or "refused" (an image too large to decode, taken off its word).
    """
    results = {}
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        results[key] = services.media_process(key=key) if bucket == settings.MEDIA_BUCKET else "ignored"
    return results
