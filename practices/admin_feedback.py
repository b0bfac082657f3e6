"""Messages of the public feedback form, for administrators to read. Nobody adds or changes
one in the admin: they come from the form (practices.pages). Administrators delete a message
once it has been handled (it may hold the sender's name and e-mail address)."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.admin import AdministratorsMayViewMixin, ReadOnlyAdminMixin
from accounts.two_factor import is_administrator

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(AdministratorsMayViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "topic", "short_message", "page_url", "name", "email"]
    list_filter = ["topic", "language"]
    search_fields = ["message", "name", "email", "page_url"]
    date_hierarchy = "created_at"
    fields = ["created_at", "topic", "message", "page_url", "name", "email", "language"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)

    @admin.display(description=_("message"))
    def short_message(self, feedback):
        return Truncator(feedback.message).chars(80)
