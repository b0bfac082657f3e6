"""Which contact people an editor may see and change.

Superusers and those with practices.edit_all_organisations see every contact; everyone else
the contacts of their own organisations (Contact.organisation among their memberships) and
the contacts of the practices they may edit (practices.access.practices_editable_by).

A contact has no record of who created it: a contact counts as an organisation's own when it
names that organisation. An editor confined to their organisations therefore gives each
contact they add one of their own organisations (the first one unless they choose), so that
they can pick it on a practice right after creating it.
"""

from django.db.models import Q

from organisations.roles import edits_all_organisations, member_organisation_ids
from practices.access import practices_editable_by
from practices.models import PracticeContact

from .models import Contact


def contacts_editable_by(user, queryset=None):
    """`queryset` (by default every contact) narrowed to those `user` may see and change."""
    queryset = Contact.objects.all() if queryset is None else queryset
    if edits_all_organisations(user):
        return queryset
    of_their_practices = PracticeContact.objects.filter(
        practice__in=practices_editable_by(user)
    ).values("contact_id")
    return queryset.filter(
        Q(organisation__in=member_organisation_ids(user)) | Q(pk__in=of_their_practices)
    )
