"""Hint providers ("backends"), tried in the order AI_HINT_PROVIDERS gives.

Each backend module defines one class; a backend is imported only when configured, so
torch and transformers stay out of processes that do not use the local model.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.module_loading import import_string

from ai_hints.backends.base import HintBackend

BACKENDS = {
    "bedrock": "ai_hints.backends.bedrock.BedrockBackend",
    "transformers": "ai_hints.backends.transformers.TransformersBackend",
    "offline": "ai_hints.backends.offline.OfflineBackend",
}


@functools.cache
def _chain(names: tuple[str, ...]) -> tuple[HintBackend, ...]:
    return tuple(import_string(BACKENDS[name])() for name in names)


def configured() -> tuple[HintBackend, ...]:
    """The configured backends, made once per process."""
    return _chain(tuple(settings.AI_HINT_PROVIDERS))
