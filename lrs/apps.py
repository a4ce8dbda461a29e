from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "lrs"
    verbose_name = "Learning record store"

    def ready(self):
        from lrs import jobs  # noqa: F401 (registers the study records' kinds of job)
