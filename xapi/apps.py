from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = "xAPI learning record store"

    def ready(self):
        from xapi import checks, jobs  # noqa: F401 (register a deployment check, and the forwarder as a periodic task)
