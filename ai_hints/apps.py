from django.apps import AppConfig


class AiHintsConfig(AppConfig):
    name = "ai_hints"
    verbose_name = "AI hints"

    def ready(self) -> None:
        from ai_hints import checks  # noqa: F401 (registers the system checks)
