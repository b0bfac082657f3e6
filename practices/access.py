"""Which practices an editor may see and change, and what they may do with them.

Superusers and those with practices.edit_all_organisations edit every practice; everyone
else the practices in which one of their organisations (organisations.Membership) has a
role. Only those with practices.publish_practice make a practice public or archive it.
"""

from organisations.roles import (
    PUBLISH_PERMISSION,
    edits_all_organisations,
    member_organisation_ids,
)

from .models import Practice, PracticeOrganisation

# Statuses only publishers may give a practice.
PUBLISHER_STATUSES = frozenset({Practice.Status.PUBLISHED, Practice.Status.ARCHIVED})


def practices_editable_by(user, queryset=None):
    """`queryset` (by default every practice) narrowed to those `user` may edit."""
    queryset = Practice.objects.all() if queryset is None else queryset
    if edits_all_organisations(user):
        return queryset
    roles = PracticeOrganisation.objects.filter(organisation__in=member_organisation_ids(user))
    return queryset.filter(pk__in=roles.values("practice_id"))


def may_publish(user):
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def status_choices_for(user, current=None):
    """The statuses `user` may choose for a practice whose status is `current` (None for a
    new practice): everything for a publisher; otherwise draft and in review, and the current
    status kept as it is."""
    if may_publish(user):
        return list(Practice.Status.choices)
    return [
        (value, label)
        for value, label in Practice.Status.choices
        if value not in PUBLISHER_STATUSES or value == current
    ]
