from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = "xAPI learning record store"

    def ready(self):
        from xapi import jobs  # noqa: F401 (registers the forwarder, a periodic task)
