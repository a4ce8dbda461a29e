from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Installed as an app so that its tables are found with every other app's."""

    name = "langportal.jobs"
    label = "jobs"
    verbose_name = "jobs"
