"""AWS Lambda handlers of the learning record store: thin doors onto the services."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langportal.settings")
django.setup()

from lrs import services  # noqa: E402 (needs Django set up)


def reset_streaks(event, context) -> dict:
    """Run daily by EventBridge: set the streaks that broke to 0."""
    return {"reset": services.streaks_reset()}
