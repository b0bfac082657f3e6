"""Keeping cards fresh: when a published card is due for review, which cards are overdue, and
which sections of a card are still empty.

A card is due for review PRACTICE_REVIEW_INTERVAL_DAYS (default 365) after it was last
reviewed, or, never reviewed, after it was published.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Practice


def review_interval():
    return timedelta(days=getattr(settings, "PRACTICE_REVIEW_INTERVAL_DAYS", 365))


def review_due(practice):
    """The date `practice` should next be reviewed; None unless it is published."""
    if practice.status != Practice.Status.PUBLISHED:
        return None
    if practice.last_reviewed:
        return practice.last_reviewed + review_interval()
    reference = practice.published_at or practice.created_at
    return timezone.localdate(reference) + review_interval() if reference else None


def overdue_q(today=None):
    """Published practices whose review is due by `today`."""
    threshold = (today or timezone.localdate()) - review_interval()
    never_reviewed = Q(last_reviewed__isnull=True) & (
        Q(published_at__date__lte=threshold)
        | Q(published_at__isnull=True, created_at__date__lte=threshold)
    )
    return Q(status=Practice.Status.PUBLISHED) & (Q(last_reviewed__lte=threshold) | never_reviewed)


# What a complete card has, beyond its name and short description: (label, test).
def _has_text(name):
    return lambda practice: bool((getattr(practice, f"{name}_fi") or "").strip())


def _has_related(name):
    return lambda practice: getattr(practice, name).exists()


def _checks():
    field = Practice._meta.get_field
    checks = [(field(name).verbose_name, _has_text(name)) for name in Practice.SECTION_FIELDS]
    checks += [
        (field("stage").verbose_name, lambda practice: practice.stage_id is not None),
        (field("themes").verbose_name, _has_related("themes")),
        (field("target_groups").verbose_name, _has_related("target_groups")),
        (_("organisations"), _has_related("organisation_roles")),
        (_("contact persons"), _has_related("contact_roles")),
        (
            _("place"),
            lambda practice: (
                practice.is_national
                or practice.municipalities.exists()
                or practice.regions.exists()
                or practice.wellbeing_counties.exists()
            ),
        ),
    ]
    return checks


def missing_sections(practice):
    """The labels of the card's parts that are still empty, in card order."""
    if practice.pk is None:
        return [str(label) for label, _check in _checks()]
    return [str(label) for label, check in _checks() if not check(practice)]
