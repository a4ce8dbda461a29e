from django.apps import AppConfig


class LangportalConfig(AppConfig):
    """The project itself, installed as an app for its management commands."""

    name = "langportal"
    verbose_name = "langportal"
