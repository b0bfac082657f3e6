from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.two_factor import DEVICE_REQUIRED_SESSION_KEY, confirmed_device


@receiver(user_logged_in, dispatch_uid="accounts_remember_two_factor_device")
def remember_two_factor_device(sender, request, user, **kwargs):
    """Remember in the session whether the user has a device, so that a session that was not
    verified with a code (whichever way it logged in) is kept out of the admin."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[DEVICE_REQUIRED_SESSION_KEY] = confirmed_device(user) is not None
