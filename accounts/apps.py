from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts import admin_access, schema  # noqa: F401 (schema registers the OpenAPI security scheme)

        user_logged_in.connect(admin_access.signed_in, dispatch_uid="accounts.admin_access.signed_in")
        user_logged_out.connect(admin_access.signed_out, dispatch_uid="accounts.admin_access.signed_out")
