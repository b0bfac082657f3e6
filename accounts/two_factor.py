"""Two-factor authentication for the admin with TOTP authenticator apps (django-otp).

Two-factor authentication is optional per user: once a user has confirmed a device, the
admin login asks for a code from it, and a session is only let into the admin once a code
has been given. With `REQUIRE_ADMIN_2FA`, administrators must set up a device before they
can use the admin.
"""

from base64 import b32encode

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

# Set at login when the user has a confirmed device, so that the admin can tell on every
# request, without a query, that this session must be verified with a code.
DEVICE_REQUIRED_SESSION_KEY = "accounts_two_factor_required"


def confirmed_device(user):
    """The user's confirmed TOTP device, or None."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_verified(request):
    """Whether this session has been verified with a code from one of the user's devices
    (django_otp's OTPMiddleware puts `is_verified` on the user)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def verification_missing(request):
    """A user with a device who logged in without giving a code."""
    return bool(request.session.get(DEVICE_REQUIRED_SESSION_KEY)) and not is_verified(request)


def is_administrator(user):
    """Users to whom REQUIRE_ADMIN_2FA applies: superusers and whoever may change user
    accounts (and so could give themselves any permission)."""
    return user.is_superuser or user.has_perm("auth.change_user")


def setup_required(request):
    """An administrator who must set up a device before using the admin."""
    user = request.user
    return (
        settings.REQUIRE_ADMIN_2FA
        and user.is_authenticated
        and not is_verified(request)
        and is_administrator(user)
    )


def secret_for_display(device):
    """The device's key as authenticator apps expect it typed: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
