"""Organisation membership and the editorial groups: what a fresh migrate creates, and how
administrators put users in organisations in the admin."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.urls import reverse

from organisations.models import Membership
from organisations.roles import ADMINISTRATOR, COORDINATOR, GROUP_NAMES, IMPORTER, PUBLISHER
from tests.admin_forms import browser_post_data
from tests.factories import make_organisation
from tests.roles import add_membership, log_in, make_persona, make_staff


def _codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


CARD = {
    "practices.view_practice",
    "practices.add_practice",
    "practices.change_practice",
    "practices.change_attachment",
    "practices.delete_attachment",
    "practices.add_practicecontact",
    "contacts.add_contact",
    "contacts.change_contact",
    "practices.view_theme",
    "organisations.view_municipality",
}
NOT_FOR_COORDINATORS = {
    "practices.delete_practice",
    "practices.publish_practice",
    "practices.import_practice",
    "practices.edit_all_organisations",
    "practices.change_theme",
    "organisations.change_organisation",
    "auth.change_user",
}


def test_a_migrated_database_has_the_four_groups_with_their_permissions(db):
    coordinator = _codenames(COORDINATOR)
    publisher = _codenames(PUBLISHER)
    importer = _codenames(IMPORTER)
    administrator = _codenames(ADMINISTRATOR)

    assert coordinator >= CARD
    assert not coordinator & NOT_FOR_COORDINATORS
    assert publisher - coordinator == {"practices.publish_practice"}
    assert importer - coordinator == {"practices.import_practice"}
    assert NOT_FOR_COORDINATORS | publisher | importer <= administrator
    assert {"auth.add_user", "organisations.change_region", "practices.delete_theme"} <= (
        administrator
    )


def test_migrate_gives_deleted_groups_back_and_keeps_what_an_administrator_added(db):
    Group.objects.filter(name=COORDINATOR).delete()
    publisher = Group.objects.get(name=PUBLISHER)
    added = Permission.objects.get(codename="delete_practice")
    publisher.permissions.add(added)
    counts = {name: Group.objects.get(name=name).permissions.count() for name in GROUP_NAMES[1:]}

    call_command("migrate", verbosity=0)

    assert Group.objects.filter(name__in=GROUP_NAMES).count() == 4
    assert "practices.change_practice" in _codenames(COORDINATOR)
    assert added in publisher.permissions.all()
    assert {
        name: Group.objects.get(name=name).permissions.count() for name in GROUP_NAMES[1:]
    } == counts


def test_the_data_migration_creates_each_group_once(db):
    migration = importlib.import_module("organisations.migrations.0003_role_groups")

    schema_editor = SimpleNamespace(connection=connection)

    migration.create_groups(apps, schema_editor)
    migration.create_groups(apps, schema_editor)

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(GROUP_NAMES)


def test_a_user_belongs_to_an_organisation_once(db):
    user = get_user_model().objects.create_user("jasen")
    organisation = make_organisation()
    Membership.objects.create(user=user, organisation=organisation)

    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, organisation=organisation)


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def administrator_client(client, db):
    return log_in(client, make_persona("administrator", None, None))


def test_an_administrator_puts_a_user_in_an_organisation_on_the_users_page(
    administrator_client,
):
    user = make_staff("uusi", COORDINATOR)
    organisation = make_organisation(name_fi="Alfan kaupunki")
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = browser_post_data(administrator_client.get(url))
    data["organisation_memberships-0-organisation"] = organisation.pk

    response = administrator_client.post(url, data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [inline.formset.errors for inline in response.context["inline_admin_formsets"]],
    )
    assert [m.organisation for m in Membership.objects.filter(user=user)] == [organisation]


def test_an_organisations_page_lists_and_adds_its_members(administrator_client):
    organisation = make_organisation(name_fi="Alfan kaupunki")
    member = add_membership(make_staff("vanha", COORDINATOR), organisation)
    newcomer = make_staff("uusi", COORDINATOR)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    response = administrator_client.get(url)
    assert "vanha" in response.text
    data = browser_post_data(response)
    data["memberships-1-user"] = newcomer.pk

    response = administrator_client.post(url, data)

    assert response.status_code == 302
    assert set(organisation.memberships.values_list("user", flat=True)) == {
        member.pk,
        newcomer.pk,
    }


def test_coordinators_see_neither_users_nor_memberships(client, db):
    organisation = make_organisation()
    coordinator = make_staff("koordinaattori", COORDINATOR, organisation)
    log_in(client, coordinator)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    response = client.get(
        reverse("admin:organisations_organisation_change", args=[organisation.pk])
    )
    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == []
