"""The editors' dashboard on the admin index: drafts, practices waiting for review and cards
overdue for review, among the practices the user may edit."""

from django import template
from django.urls import reverse

from practices.access import practices_editable_by
from practices.freshness import overdue_q
from practices.models import Practice

register = template.Library()

# Practices listed in each part; the count is always complete.
SHOWN = 8


def _part(queryset, query):
    url = reverse("admin:practices_practice_changelist") + query
    items = list(queryset.order_by("-modified_at").only("pk", "name", "modified_at")[:SHOWN])
    return {"count": queryset.count(), "items": items, "url": url}


@register.inclusion_tag("admin/practices/dashboard.html", takes_context=True)
def editor_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("practices.view_practice"):
        return {"show": False}
    scope = practices_editable_by(user, Practice.objects.all())
    return {
        "show": True,
        "drafts": _part(scope.filter(status=Practice.Status.DRAFT), "?status__exact=draft"),
        "waiting": _part(
            scope.filter(status=Practice.Status.IN_REVIEW), "?status__exact=in_review"
        ),
        "overdue": _part(scope.filter(overdue_q()), "?review=overdue"),
    }
