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


@checks.register()
def hint_bounds(app_configs, **kwargs):
    """Hints get some time, and models at least one call slot: with none, no model is ever asked."""
    problems = []
    if settings.AI_HINT_DEADLINE_SECONDS <= 0:
        problems.append(checks.Error("AI_HINT_DEADLINE_SECONDS must be more than 0.", id="ai_hints.E002"))
    if settings.AI_MAX_CONCURRENT_CALLS < 1:
        problems.append(checks.Error("AI_MAX_CONCURRENT_CALLS must be at least 1.", id="ai_hints.E003"))
    return problems
