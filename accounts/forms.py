from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import confirmed_device


def _code_field(required):
    return forms.CharField(
        label=_("Authentication code"),
        required=required,
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 10}
        ),
    )


def check_code(device, code):
    """Verify a code against the device; returns an error message or None.

    django-otp slows down repeated wrong codes per device; the attempt is counted even when
    it fails, so the check is not rolled back with the error.
    """
    code = (code or "").replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            return _("Too many wrong codes. Wait a moment and try again.")
        if not code:
            return _("Enter the code from your authenticator app.")
        if not device.verify_token(code):
            return _("The authentication code is not correct.")
    return None


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login: username and password, and the code from the authenticator app for
    users who have set up two-factor authentication."""

    otp_token = _code_field(required=False)

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["otp_token"].help_text = _(
            "Only if you have set up two-factor authentication: the six-digit code your "
            "authenticator app shows."
        )

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            return cleaned_data
        error = check_code(device, cleaned_data.get("otp_token"))
        if error:
            if cleaned_data.get("otp_token"):
                # A wrong code counts as a failed login for the login throttling.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned_data.get("username")},
                    request=self.request,
                )
            raise forms.ValidationError(error, code="otp_invalid")
        # django_otp marks the session as verified with this device on login.
        user.otp_device = device
        return cleaned_data


class ConfirmDeviceForm(forms.Form):
    """The first code from a newly added authenticator app, proving it was set up right."""

    otp_token = _code_field(required=True)

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        code = self.cleaned_data["otp_token"]
        error = check_code(self.device, code)
        if error:
            raise forms.ValidationError(error, code="otp_invalid")
        return code
