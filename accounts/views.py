from datetime import timedelta
from math import ceil

import django_otp
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.forms import ConfirmDeviceForm


class TwoFactorSetupView(View):
    """Setting up an authenticator app for the logged-in admin user: the page shows a new
    secret (and its otpauth:// address) to add to the app, and the device is turned on once
    the user types a code the app shows."""

    admin_site = None
    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        self.confirmed = two_factor.confirmed_device(request.user)
        self.pending = TOTPDevice.objects.devices_for_user(request.user, confirmed=False).first()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if self.confirmed is None and self.pending is None:
            self.pending = self._new_device()
        form = ConfirmDeviceForm(device=self.pending) if self.pending else None
        return self._render(form)

    def post(self, request):
        if "start" in request.POST:
            self._new_device()
            return redirect("admin:two_factor")
        if "cancel" in request.POST or self.pending is None:
            self._pending_devices().delete()
            return redirect("admin:two_factor")
        form = ConfirmDeviceForm(request.POST, device=self.pending)
        if not form.is_valid():
            return self._render(form)
        with transaction.atomic():
            # The new device replaces any earlier one.
            TOTPDevice.objects.filter(user=request.user).exclude(pk=self.pending.pk).delete()
            self.pending.confirmed = True
            self.pending.save(update_fields=["confirmed"])
        # Verifying raises the session's privileges: give it a new key.
        request.session.cycle_key()
        django_otp.login(request, self.pending)
        request.session[two_factor.DEVICE_REQUIRED_SESSION_KEY] = True
        messages.success(
            request,
            _(
                "Two-factor authentication is on. From now on, logging in asks for a code "
                "from your authenticator app."
            ),
        )
        return redirect("admin:index")

    def _pending_devices(self):
        return TOTPDevice.objects.devices_for_user(self.request.user, confirmed=False)

    def _new_device(self):
        self._pending_devices().delete()
        return TOTPDevice.objects.create(
            user=self.request.user, name=str(_("Authenticator app")), confirmed=False
        )

    def _render(self, form):
        context = {
            **self.admin_site.each_context(self.request),
            "title": _("Two-factor authentication"),
            "confirmed_device": self.confirmed,
            "device": self.pending,
            "form": form,
            "setup_required": two_factor.setup_required(self.request),
        }
        if self.pending is not None:
            context["secret"] = two_factor.secret_for_display(self.pending)
            context["otpauth_uri"] = self.pending.config_url
        self.request.current_app = self.admin_site.name
        return TemplateResponse(self.request, self.template_name, context)


def lockout(request, original_response=None, credentials=None):
    """The page a user sees after too many failed logins (AXES_LOCKOUT_CALLABLE). Every
    further attempt during the lockout starts the wait again, so it ends one cool-off
    period from now."""
    cool_off = get_cool_off(request) or timedelta(0)
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed login attempts"),
        "minutes": ceil(cool_off.total_seconds() / 60),
        "retry_at": timezone.now() + cool_off,
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
