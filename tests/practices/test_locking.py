"""No lost updates: two editors open the same card; the second save is refused, says what the
other changed, and keeps what the second editor typed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from practices.models import Practice
from tests.factories import make_practice
from tests.practices.test_admin import add_form_data

pytestmark = pytest.mark.django_db


def _editor(username):
    user = get_user_model().objects.create_superuser(
        username, f"{username}@example.fi", "a-long-password-1"
    )
    client = Client()
    client.force_login(user)
    return client


def _opened_version(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="seen_version" value="(\d+)"', page).group(1)


def test_the_second_of_two_simultaneous_saves_is_refused_and_nothing_is_lost():
    practice = make_practice(
        name_fi="Perhekeskus", slug="perhekeskus", summary_fi="Alkuperäinen kuvaus."
    )
    url = f"/admin/practices/practice/{practice.pk}/change/"
    anna, bertil = _editor("anna"), _editor("bertil")
    anna_version = _opened_version(anna, url)
    bertil_version = _opened_version(bertil, url)
    assert anna_version == bertil_version

    response = anna.post(
        url,
        add_form_data(
            name_fi="Perhekeskus",
            slug="perhekeskus",
            summary_fi="Annan kuvaus.",
            seen_version=anna_version,
        ),
    )
    assert response.status_code == 302

    response = bertil.post(
        url,
        add_form_data(
            name_fi="Perhekeskus",
            slug="perhekeskus",
            summary_fi="Bertilin kuvaus.",
            seen_version=bertil_version,
        ),
    )

    assert response.status_code == 200  # the form again, not saved
    page = response.content.decode()
    assert "anna" in page  # who saved in between
    assert "Annan kuvaus." in page  # what they changed
    assert page.count("Annan kuvaus.") == 1  # once, under the Finnish summary
    assert "Bertilin kuvaus." in page  # what Bertil typed is still in the form
    practice.refresh_from_db()
    assert practice.summary == "Annan kuvaus."

    # Saving again from the refreshed form (the version shown now) succeeds.
    new_version = re.search(r'name="seen_version" value="(\d+)"', page).group(1)
    assert new_version != bertil_version
    response = bertil.post(
        url,
        add_form_data(
            name_fi="Perhekeskus",
            slug="perhekeskus",
            summary_fi="Bertilin kuvaus.",
            seen_version=new_version,
        ),
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.summary == "Bertilin kuvaus."


def test_an_import_in_between_also_refuses_the_older_form(admin_client):
    practice = make_practice(name_fi="Perhekeskus", slug="perhekeskus")
    url = f"/admin/practices/practice/{practice.pk}/change/"
    version = _opened_version(admin_client, url)
    Practice.objects.get(pk=practice.pk).save()  # any other save raises the version

    response = admin_client.post(
        url,
        add_form_data(
            name_fi="Perhekeskus", slug="perhekeskus", summary_fi="Uusi.", seen_version=version
        ),
    )

    assert response.status_code == 200
    practice.refresh_from_db()
    assert practice.summary != "Uusi."


def test_a_save_that_does_not_say_which_version_it_edits_is_refused(admin_client):
    practice = make_practice(name_fi="Perhekeskus", slug="perhekeskus")

    response = admin_client.post(
        f"/admin/practices/practice/{practice.pk}/change/",
        add_form_data(name_fi="Perhekeskus", slug="perhekeskus", summary_fi="Uusi."),
    )

    assert response.status_code == 200
    practice.refresh_from_db()
    assert practice.summary != "Uusi."
