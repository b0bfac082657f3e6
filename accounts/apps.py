from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Signing in to the admin: throttling, two-factor authentication and the audit log."""

    default = True
    name = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from accounts import signals  # noqa: F401


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's admin site as `admin.site`, so that every
    `admin.site.register()` (the project's and the libraries') lands on it."""

    default = False
    default_site = "accounts.admin_site.AdminSite"
