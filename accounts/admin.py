from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import is_administrator


class AdministratorsMayViewMixin:
    """Administrators (who manage user accounts) see the security records without a
    permission of their own; others need the model's view permission."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_administrator(request.user)


class ReadOnlyAdminMixin:
    """A record of what happened: it can be looked at, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class AuditLogAdmin(AdministratorsMayViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who changed what in the admin, and when (Django's admin log)."""

    list_display = ["action_time", "user", "content_type", "object_link", "action", "change"]
    list_filter = [
        ("user", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
        "action_flag",
    ]
    search_fields = ["object_repr", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
    fields = ["action_time", "user", "content_type", "object_id", "object_link", "action", "change"]
    readonly_fields = fields

    @admin.display(description=_("object"), ordering="object_repr")
    def object_link(self, entry):
        url = None if entry.is_deletion() else entry.get_admin_url()
        if url:
            return format_html('<a href="{}">{}</a>', url, entry.object_repr)
        return entry.object_repr

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry):
        return entry.get_action_flag_display()

    @admin.display(description=_("change"))
    def change(self, entry):
        return entry.get_change_message()

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": _("Audit log"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


# Logins, logouts and failed logins recorded by django-axes (AXES_ENABLE_ADMIN is off, so
# they are registered here, read-only).
@admin.register(AccessLog)
class LoginLogAdmin(AdministratorsMayViewMixin, ReadOnlyAdminMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class FailedLoginLogAdmin(AdministratorsMayViewMixin, ReadOnlyAdminMixin, AccessFailureLogAdmin):
    pass


@admin.register(AccessAttempt)
class LoginAttemptAdmin(AdministratorsMayViewMixin, AccessAttemptAdmin):
    """Current failed-login counts. Deleting a row lifts that lockout before its cool-off
    time has passed."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or is_administrator(request.user)

    @admin.action(
        description=_("Remove failed-login counts whose cool-off time has passed"),
        permissions=["delete"],
    )
    def cleanup_expired_attempts(self, request, queryset):
        # The library's own action expects the attributes its login handler puts on a
        # request (and fails without them on an admin request); they are set here the same way.
        AxesProxyHandler.update_request(request)
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired failed-login count removed.",
                "%(count)d expired failed-login counts removed.",
                count,
            )
            % {"count": count},
        )


# Each user sets up their own authenticator app (accounts.views.TwoFactorSetupView); in the
# admin, administrators see who has one and remove the device of a user who lost their phone.
# The keys are never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorDeviceAdmin(AdministratorsMayViewMixin, TOTPDeviceAdmin):
    # The library's field names are not translatable: the columns are named here.
    list_display = ("device_user", "device_name", "device_created", "device_used", "in_use")
    list_filter = ()
    search_help_text = _("Search by username or e-mail address.")

    @admin.display(description=_("user"), ordering="user__username")
    def device_user(self, device):
        return device.user

    @admin.display(description=_("name"), ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=_("set up"), ordering="created_at")
    def device_created(self, device):
        return device.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def device_used(self, device):
        return device.last_used_at

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def in_use(self, device):
        return device.confirmed

    def get_list_display(self, request):
        return self.list_display  # never the QR code (OTP_ADMIN_HIDE_SENSITIVE_DATA)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": _("Authenticator apps"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or is_administrator(request.user)
