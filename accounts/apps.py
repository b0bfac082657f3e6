from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


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


class LoginRecordsConfig(AxesConfig):
    """django-axes (login throttling), named in the admin in the user's language."""

    default = False
    verbose_name = _("Login records")


class AuthenticatorDevicesConfig(TOTPConfig):
    """django-otp's authenticator-app devices, named in the admin in the user's language."""

    default = False
    verbose_name = _("Two-factor authentication")

    def ready(self):
        super().ready()
        # The library names its model in English only; the admin's titles and breadcrumbs
        # read these. (Migrations read the model's declared options, which stay as they are.)
        device = self.get_model("TOTPDevice")
        device._meta.verbose_name = _("authenticator app")
        device._meta.verbose_name_plural = _("Authenticator apps")
