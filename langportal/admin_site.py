"""The admin site: Django's, signing teachers in with Cognito, with our own pages added.

Vocabulary and study records live in DynamoDB, not in Django models, so their pages
are admin views (each app's admin.urls) listed on the index like models would be.
"""

from django.contrib import admin
from django.urls import reverse

from accounts.forms import CognitoLoginForm


def _entry(name: str, url: str, add_url: str | None = None) -> dict:
    return {
        "name": name,
        "object_name": name.replace(" ", ""),
        "admin_url": url,
        "add_url": add_url,
        "view_only": add_url is None,
        "perms": {"add": add_url is not None, "change": True, "delete": True, "view": True},
    }


class AdminSite(admin.AdminSite):
    site_header = "langportal"
    site_title = "langportal admin"
    index_title = "Vocabulary and study records"
    login_form = CognitoLoginForm

    def get_urls(self):
        from lrs import admin as lrs_admin
        from vocabulary import admin as vocabulary_admin

        # Ours first: Django's list ends in a catch-all that answers 404.
        return vocabulary_admin.urls(self) + lrs_admin.urls(self) + super().get_urls()

    def get_app_list(self, request, app_label=None):
        ours = [
            {
                "name": "Vocabulary",
                "app_label": "vocabulary",
                "app_url": reverse("admin:vocabulary_words"),
                "has_module_perms": True,
                "models": [
                    _entry("Words", reverse("admin:vocabulary_words"), reverse("admin:vocabulary_word_add")),
                    _entry("Groups", reverse("admin:vocabulary_groups")),
                    _entry("Import words", reverse("admin:vocabulary_import")),
                ],
            },
            {
                "name": "Study records",
                "app_label": "lrs",
                "app_url": reverse("admin:lrs_dashboard"),
                "has_module_perms": True,
                "models": [
                    _entry("Statistics", reverse("admin:lrs_dashboard")),
                    _entry("Students", reverse("admin:lrs_students")),
                ],
            },
        ]
        apps = [app for app in ours if app_label in (None, app["app_label"])]
        return apps + super().get_app_list(request, app_label)
