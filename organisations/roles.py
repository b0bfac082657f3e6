"""Editorial roles: the Django groups staff are put in, and the organisations they belong to.

- Koordinaattori (coordinator) creates and edits the practices, contacts and attachments of
  their own organisations and submits them for review.
- Julkaisija (publisher) does what a coordinator does and also publishes and archives.
- Tuoja (importer) does what a coordinator does and also imports spreadsheets.
- Ylläpitäjä (administrator) may do everything: every organisation's practices, reference
  data and users.

Anyone who is neither a superuser nor has practices.edit_all_organisations edits only the
practices in which one of their organisations (Membership) has a role.

The groups are created by a data migration; their permissions are (re)assigned after every
migrate by :func:`assign_role_permissions`, when every app's permissions exist. Permissions
are only ever added, so what an administrator adds to a group in the admin stays.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

PUBLISH_PERMISSION = "practices.publish_practice"
EDIT_ALL_PERMISSION = "practices.edit_all_organisations"
IMPORT_PERMISSION = "practices.import_practice"

COORDINATOR = "Koordinaattori"
PUBLISHER = "Julkaisija"
IMPORTER = "Tuoja"
ADMINISTRATOR = "Ylläpitäjä"

# A card and what hangs off it: rows of the inlines may also be removed from a card.
_CARD = ("view", "add", "change")
_CARD_ROW = ("view", "add", "change", "delete")
_LOOK_UP = ("view",)

COORDINATOR_PERMISSIONS = {
    "practices": {
        "practice": _CARD,
        "practiceorganisation": _CARD_ROW,
        "practicecontact": _CARD_ROW,
        "practicelink": _CARD_ROW,
        "attachment": _CARD_ROW,
        "recognition": _CARD_ROW,
        "assessment": _CARD_ROW,
        "developmentstage": _LOOK_UP,
        "theme": _LOOK_UP,
        "targetgroup": _LOOK_UP,
        "funder": _LOOK_UP,
        "collection": _LOOK_UP,
    },
    "contacts": {"contact": _CARD},
    "organisations": {
        "organisation": _LOOK_UP,
        "region": _LOOK_UP,
        "wellbeingservicescounty": _LOOK_UP,
        "municipality": _LOOK_UP,
    },
}

# The administrator's group holds every permission of these apps.
ADMINISTRATOR_APPS = ("auth", "organisations", "contacts", "practices")

GROUP_NAMES = (COORDINATOR, PUBLISHER, IMPORTER, ADMINISTRATOR)


def _codenames(spec):
    """(app label, codename) pairs of a {app: {model: actions}} mapping."""
    return [
        (app_label, f"{action}_{model_name}")
        for app_label, models in spec.items()
        for model_name, actions in models.items()
        for action in actions
    ]


def _extra(*permissions):
    return [tuple(permission.split(".")) for permission in permissions]


ROLE_PERMISSIONS = {
    COORDINATOR: _codenames(COORDINATOR_PERMISSIONS),
    PUBLISHER: _codenames(COORDINATOR_PERMISSIONS) + _extra(PUBLISH_PERMISSION),
    IMPORTER: _codenames(COORDINATOR_PERMISSIONS) + _extra(IMPORT_PERMISSION),
}


def create_role_groups(apps=global_apps, using=DEFAULT_DB_ALIAS):
    """The four groups, created if missing."""
    Group = apps.get_model("auth", "Group")
    return {name: Group.objects.using(using).get_or_create(name=name)[0] for name in GROUP_NAMES}


def assign_role_permissions(apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Give the four groups (created if missing) their permissions. Permissions that do not
    exist (yet) are skipped; the next migrate adds them."""
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using)
    groups = create_role_groups(apps, using)
    for name, pairs in ROLE_PERMISSIONS.items():
        wanted = {}
        for app_label, codename in pairs:
            wanted.setdefault(app_label, []).append(codename)
        found = []
        for app_label, codenames in wanted.items():
            found.extend(
                permissions.filter(content_type__app_label=app_label, codename__in=codenames)
            )
        groups[name].permissions.add(*found)
    groups[ADMINISTRATOR].permissions.add(
        *permissions.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )


def assign_role_permissions_after_migrate(
    sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs
):
    """post_migrate receiver: create the permissions of the apps the roles use, then assign
    them.

    Django creates an app's permissions when that app's own post_migrate signal is sent
    (for the apps listed after this one, later), from the models as the migrations describe
    them. Here they are created from the models as they are, so that a permission declared in
    a model's Meta exists even before a migration records it."""
    from django.contrib.auth.management import create_permissions

    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return  # auth is not migrated (yet)
    for label in ADMINISTRATOR_APPS:
        create_permissions(
            global_apps.get_app_config(label), verbosity=0, interactive=False, using=using
        )
    assign_role_permissions(using=using)


def edits_all_organisations(user):
    """Whether `user` edits the practices of every organisation."""
    return user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL_PERMISSION))


def member_organisation_ids(user):
    """Ids of the organisations `user` is a member of (cached on the user for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_member_organisation_ids", None)
    if cached is None:
        from .models import Membership

        cached = frozenset(
            Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
        )
        user._member_organisation_ids = cached
    return cached
