from functools import wraps

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts import two_factor, views
from accounts.forms import AdminLoginForm

# Admin pages an administrator who still has to set up two-factor authentication may open.
SETUP_EXEMPT_URL_NAMES = {"two_factor", "logout", "jsi18n"}


class AdminSite(admin.AdminSite):
    """The admin, with two-factor authentication for the users who have set it up (and, with
    REQUIRE_ADMIN_2FA, for administrators)."""

    login_form = AdminLoginForm
    login_template = "accounts/login.html"

    def has_permission(self, request):
        # A user with a device is kept out until this session has been verified with a code.
        return super().has_permission(request) and not two_factor.verification_missing(request)

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def require_two_factor_setup(request, *args, **kwargs):
            match = request.resolver_match
            url_name = match.url_name if match else None
            if url_name not in SETUP_EXEMPT_URL_NAMES and two_factor.setup_required(request):
                return redirect(reverse("admin:two_factor", current_app=self.name))
            return view(request, *args, **kwargs)

        return super().admin_view(require_two_factor_setup, cacheable)

    def get_urls(self):
        return [
            path(
                "two-factor/",
                self.admin_view(views.TwoFactorSetupView.as_view(admin_site=self)),
                name="two_factor",
            ),
            *super().get_urls(),
        ]

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        # Django's log of admin changes is listed as the audit log.
        for app in app_dict.values():
            for model in app["models"]:
                if model["model"] is LogEntry:
                    model["name"] = _("Audit log")
        return app_dict
