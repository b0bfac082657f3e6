"""Messages of the public feedback form, for administrators to read. Nobody adds or changes
one in the admin: they come from the form (practices.pages)."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.admin import AdministratorsMayViewMixin, ReadOnlyAdminMixin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(AdministratorsMayViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "topic", "short_message", "page_url", "name", "email"]
    list_filter = ["topic", "language"]
    search_fields = ["message", "name", "email", "page_url"]
    date_hierarchy = "created_at"
    fields = ["created_at", "topic", "message", "page_url", "name", "email", "language"]
    readonly_fields = fields

    @admin.display(description=_("message"))
    def short_message(self, feedback):
        return Truncator(feedback.message).chars(80)
