from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LangportalConfig(AppConfig):
    """The project itself, installed as an app for its management commands."""

    name = "langportal"
    verbose_name = "langportal"


class LangportalAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with our site (listed in INSTALLED_APPS by its path)."""

    default = False
    default_site = "langportal.admin_site.AdminSite"
