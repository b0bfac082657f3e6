"""The editorial workflow: draft → in review → published → archived, and back to draft.

Editors of a practice (see practices.access) submit their drafts for review and may withdraw
them; publishers (practices.publish_practice) publish, return to draft with a message,
unpublish and archive. Every step is recorded as a PracticeTransition with who and when.

Published text is never replaced by unapproved text: when someone who may not publish saves
changes to a published practice, it goes back to review and is hidden from the public until a
publisher publishes it again.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import may_publish, practices_editable_by
from .models import Practice, PracticeTransition

Status = Practice.Status

# Steps anyone who edits the practice may take; publishers may take every step.
EDITOR_STEPS = {
    (Status.DRAFT, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.DRAFT),
}
PUBLISHER_STEPS = {
    (Status.DRAFT, Status.IN_REVIEW),
    (Status.DRAFT, Status.PUBLISHED),
    (Status.IN_REVIEW, Status.DRAFT),
    (Status.IN_REVIEW, Status.PUBLISHED),
    (Status.PUBLISHED, Status.DRAFT),
    (Status.PUBLISHED, Status.ARCHIVED),
    (Status.ARCHIVED, Status.DRAFT),
    (Status.ARCHIVED, Status.PUBLISHED),
}

# What each step is called on its button.
STEP_LABELS = {
    Status.IN_REVIEW: _("Submit for review"),
    Status.PUBLISHED: _("Publish"),
    Status.DRAFT: _("Return to draft"),
    Status.ARCHIVED: _("Archive"),
}


def steps_for(user, practice):
    """The statuses `user` may move `practice` to, in workflow order."""
    if practice.pk is None or not practices_editable_by(user).filter(pk=practice.pk).exists():
        return []
    steps = PUBLISHER_STEPS if may_publish(user) else EDITOR_STEPS
    return [status for status in Status.values if (practice.status, status) in steps]


def record(practice, from_status, to_status, user=None, message=""):
    return PracticeTransition.objects.create(
        practice=practice,
        from_status=from_status or "",
        to_status=to_status,
        user=user if user is not None and user.is_authenticated else None,
        message=message,
    )


@transaction.atomic
def move(practice, to_status, user, message=""):
    """Take one step; PermissionDenied if `user` may not take it."""
    if to_status not in steps_for(user, practice):
        raise PermissionDenied
    from_status = practice.status
    practice.status = to_status
    if to_status == Status.PUBLISHED and practice.published_at is None:
        practice.published_at = timezone.now()
    practice.save()
    return record(practice, from_status, to_status, user, message)
