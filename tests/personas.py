"""Who uses the admin in tests: a coordinator persona whose group grants what coordinators do."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

PASSWORD = "a-long-test-password-1"

# What a coordinator's group may do: edit practices and what hangs off them, keep contacts,
# and look up (not change) organisations, areas and reference lists.
COORDINATOR_PERMISSIONS = {
    "practices": {
        "practice": ("view", "add", "change"),
        "practiceorganisation": ("view", "add", "change"),
        "practicecontact": ("view", "add", "change"),
        "practicelink": ("view", "add", "change"),
        "attachment": ("view", "add", "change"),
        "recognition": ("view", "add", "change"),
        "assessment": ("view", "add", "change"),
        "developmentstage": ("view",),
        "theme": ("view",),
        "targetgroup": ("view",),
        "funder": ("view",),
        "collection": ("view",),
    },
    "contacts": {"contact": ("view", "add", "change")},
    "organisations": {
        "organisation": ("view",),
        "region": ("view",),
        "wellbeingservicescounty": ("view",),
        "municipality": ("view",),
    },
}


def make_coordinator(username="koordinaattori"):
    """A staff user who gets COORDINATOR_PERMISSIONS through a group."""
    group, _created = Group.objects.get_or_create(name="Koordinaattorit")
    for app_label, models in COORDINATOR_PERMISSIONS.items():
        for model_name, actions in models.items():
            codenames = [f"{action}_{model_name}" for action in actions]
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            assert permissions.count() == len(codenames), (app_label, model_name)
            group.permissions.add(*permissions)
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    return user
