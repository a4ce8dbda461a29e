from django.conf import settings
from django.core import checks

from ai_hints.backends import BACKENDS


@checks.register()
def hint_providers(app_configs, **kwargs):
    """AI_HINT_PROVIDERS names known providers, and the local model has a folder."""
    problems = [
        checks.Error(
            f"Unknown hint provider {name!r} in AI_HINT_PROVIDERS.",
            hint=f"Use {', '.join(BACKENDS)}.",
            id="ai_hints.E001",
        )
        for name in settings.AI_HINT_PROVIDERS
        if name not in BACKENDS
    ]
    if "transformers" in settings.AI_HINT_PROVIDERS and not settings.AI_TRANSFORMERS_MODEL_PATH:
        problems.append(
            checks.Warning("The transformers provider needs AI_TRANSFORMERS_MODEL_PATH.", id="ai_hints.W001")
        )
    return problems
