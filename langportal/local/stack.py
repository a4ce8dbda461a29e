"""Bring an empty emulator to what the app needs; each step is safe to repeat."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command

from accounts.cognito import user_upsert
from langportal import progress
from langportal.local import provision
from langportal.storage.dynamo import table_name
from langportal.storage.retry import resending
from vocabulary.seeding import STARTER_KEY, document_upload, seed_from_s3, starter_document


def prepare(*, seed: bool, endpoint: str) -> dict[str, str]:
    """Tables, bucket, user pool, Django's database and static files; the starter
    vocabulary when the words table is new. Returns the user pool's settings."""
    created = provision.tables_create()
    provision.bucket_create()
    provision.queue_create()
    pool = provision.user_pool_create()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if seed and table_name("words") in created:
        document_upload(bucket=settings.MEDIA_BUCKET, key=STARTER_KEY, document=starter_document())
        # Importing again finishes what a failed try left, so a busy database is tried again.
        _, result = resending(
            lambda: seed_from_s3(bucket=settings.MEDIA_BUCKET, key=STARTER_KEY, progress=progress.bar)
        )
        words, groups = len(result.created_words), len(result.created_groups)
        print(f"Loaded the starter vocabulary: {words} words in {groups} groups.")
    return {
        "COGNITO_USER_POOL_ID": pool.pool_id,
        "COGNITO_APP_CLIENT_IDS": pool.client_id,
        "COGNITO_JWKS_URL": f"{endpoint}/{pool.pool_id}/.well-known/jwks.json",
    }


def demo_users(users, *, pool_id: str) -> dict[str, str]:
    """Create (or refresh) the demo users; returns their passwords."""
    return {name: user_upsert(username=name, group=group, pool_id=pool_id).password for name, group in users}
