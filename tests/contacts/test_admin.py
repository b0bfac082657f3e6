"""The admin for contact people."""

import pytest
from django.urls import reverse

from contacts.models import Contact
from tests.factories import make_contact, make_organisation


def result_names(response):
    return [contact.name for contact in response.context["cl"].result_list]


def test_contact_pages_open_for_editors(editor_client):
    contact = make_contact(name="Liisa Virtanen")

    response = editor_client.get(reverse("admin:contacts_contact_changelist"))
    assert response.status_code == 200
    assert "Liisa Virtanen" in response.text

    response = editor_client.get(reverse("admin:contacts_contact_add"))
    assert response.status_code == 200
    assert 'name="title_sv"' in response.text

    response = editor_client.get(reverse("admin:contacts_contact_change", args=[contact.pk]))
    assert response.status_code == 200
    assert 'value="Liisa Virtanen"' in response.text


@pytest.mark.parametrize("term", ["virtanen", "liisa.virtanen@", "vaasan"])
def test_search_by_name_email_or_organisation(admin_client, term):
    make_contact(
        name="Liisa Virtanen",
        email="liisa.virtanen@vaasa.fi",
        organisation=make_organisation(name_fi="Vaasan kaupunki"),
    )
    make_contact(name="Pekka Korhonen", email="pekka@example.fi")

    response = admin_client.get(reverse("admin:contacts_contact_changelist"), {"q": term})

    assert result_names(response) == ["Liisa Virtanen"]


def test_list_filters_by_public(admin_client):
    make_contact(name="Julkinen Henkilö", is_public=True)
    make_contact(name="Piilotettu Henkilö", is_public=False)

    response = admin_client.get(
        reverse("admin:contacts_contact_changelist"), {"is_public__exact": "0"}
    )

    assert result_names(response) == ["Piilotettu Henkilö"]


def test_coordinator_adds_contact(coordinator_client):
    organisation = make_organisation(name_fi="Kainuun hyvinvointialue")

    response = coordinator_client.post(
        reverse("admin:contacts_contact_add"),
        {
            "name": "Anna Heikkinen",
            "title_fi": "Asiakkuuspäällikkö",
            "organisation": organisation.pk,
            "email": "anna.heikkinen@example.fi",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.title_fi == "Asiakkuuspäällikkö"
    assert contact.organisation == organisation
    assert contact.is_public is False


def test_practice_contact_autocomplete_shows_organisation(coordinator_client):
    wanted = make_contact(
        name="Anna Heikkinen", organisation=make_organisation(name_fi="Kainuun hyvinvointialue")
    )
    make_contact(name="Pekka Korhonen")

    response = coordinator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "practices",
            "model_name": "practicecontact",
            "field_name": "contact",
            "term": "heikki",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": str(wanted.pk), "text": "Anna Heikkinen (Kainuun hyvinvointialue)"}
    ]
