"""Admin pieces for keeping cards fresh: the "review overdue" filter of the practice list,
the review due date, and the completeness of a card."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .freshness import missing_sections, overdue_q, review_due


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("review overdue")), ("current", _("reviewed in time"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(overdue_q())
        if self.value() == "current":
            return queryset.filter(status="published").exclude(overdue_q())
        return queryset


class FreshnessAdminMixin:
    """Adds the review due date and the completeness indicator (read-only) to the form."""

    @admin.display(description=_("review due"))
    def review_due_date(self, practice):
        due = review_due(practice) if practice.pk else None
        return due.isoformat() if due else "–"

    @admin.display(description=_("completeness"))
    def completeness(self, practice):
        missing = missing_sections(practice)
        if not missing:
            return _("Every section of the card has content.")
        return format_html(
            "{}<ul>{}</ul>",
            _("Still empty:"),
            format_html_join("", "<li>{}</li>", ((label,) for label in missing)),
        )
