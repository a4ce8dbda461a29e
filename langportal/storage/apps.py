from django.apps import AppConfig


class StorageConfig(AppConfig):
    """Installed as an app so that its tables are found with every other app's."""

    name = "langportal.storage"
    label = "storage"
    verbose_name = "storage"
