"""The editorial roles as test personas: users in the groups of organisations.roles, members
of the organisations they work for.

PERSONAS names the six people every permission test considers: a visitor who is not logged
in, a coordinator of organisation A, a coordinator of organisation B, a publisher and an
importer (both of organisation A), and an administrator who may do everything.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from organisations.models import Membership
from organisations.roles import ADMINISTRATOR, COORDINATOR, IMPORTER, PUBLISHER

PERSONAS = (
    "anonymous",
    "coordinator_a",
    "coordinator_b",
    "publisher",
    "importer",
    "administrator",
)

# persona -> (group, which of the organisations "a" and "b" it belongs to)
_ROLES = {
    "coordinator_a": (COORDINATOR, ("a",)),
    "coordinator_b": (COORDINATOR, ("b",)),
    "publisher": (PUBLISHER, ("a",)),
    "importer": (IMPORTER, ("a",)),
    "administrator": (ADMINISTRATOR, ()),
}


def add_membership(user, *organisations):
    """Make `user` a member of `organisations`; returns the user."""
    for organisation in organisations:
        Membership.objects.get_or_create(user=user, organisation=organisation)
    return user


def make_staff(username, group_name, *organisations):
    """A staff user in the group `group_name`, a member of `organisations`, read back from
    the database so that no permission or membership is cached. Tests log them in with
    force_login(); they have no password (hashing one takes long)."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    add_membership(user, *organisations)
    return get_user_model().objects.get(pk=user.pk)


def make_persona(persona, organisation_a, organisation_b, username=None):
    """The user of `persona` (None for the anonymous visitor), named `username` (by default
    the persona)."""
    if persona == "anonymous":
        return None
    group_name, memberships = _ROLES[persona]
    organisations = {"a": organisation_a, "b": organisation_b}
    return make_staff(username or persona, group_name, *(organisations[key] for key in memberships))


def log_in(client, user):
    """`client` logged in as `user` (left anonymous for None), with the user at client.user."""
    if user is not None:
        client.force_login(user)
    client.user = user
    return client
