from functools import wraps

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor, views
from accounts.forms import AdminLoginForm

# Admin pages an administrator who still has to set up two-factor authentication may open.
SETUP_EXEMPT_URL_NAMES = {"two_factor", "logout", "jsi18n"}


class AdminSite(admin.AdminSite):
    """The admin, with two-factor authentication for the users who have set it up (and, with
    REQUIRE_ADMIN_2FA, for administrators)."""

    login_form = AdminLoginForm
    login_template = "accounts/login.html"
    site_header = _("Käytäntöpankki administration")
    site_title = _("Käytäntöpankki administration")
    index_title = _("Administration")

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
        urls = [
            path(
                "two-factor/",
                self.admin_view(views.TwoFactorSetupView.as_view(admin_site=self)),
                name="two_factor",
            ),
            *super().get_urls(),
        ]
        # "View on site" redirects only to objects the user may see in the admin: the
        # redirect would otherwise reveal another organisation's draft's address.
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<path:content_type_id>/<path:object_id>/",
                    self.admin_view(self._scoped_view_on_site),
                    name="view_on_site",
                )
        return urls

    def _scoped_view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except (ContentType.DoesNotExist, ValueError) as error:
            raise Http404 from error
        model_admin = self._registry.get(model)
        if model_admin is not None:
            try:
                visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
            except (ValueError, TypeError, ValidationError):
                visible = False
            if not visible:
                raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        # Django's log of admin changes is listed as the audit log, and django-otp's devices
        # (whose names the library does not translate) as authenticator apps.
        names = {LogEntry: _("Audit log"), TOTPDevice: _("Authenticator apps")}
        for app in app_dict.values():
            for model in app["models"]:
                if model["model"] in names:
                    model["name"] = names[model["model"]]
        return app_dict
