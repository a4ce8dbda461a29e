from django.apps import AppConfig


class AiHintsConfig(AppConfig):
    name = "ai_hints"
    verbose_name = "AI hints"
