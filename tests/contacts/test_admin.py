"""The admin for contact people, and the confinement of editors to the contacts of their own
organisations and practices."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contacts.models import Contact
from practices.models import Practice, PracticeContact
from tests.factories import make_contact, make_organisation, make_practice
from tests.roles import PERSONAS, add_membership, log_in, make_persona


def result_names(response):
    return [contact.name for contact in response.context["cl"].result_list]


def _url(name, *args):
    return reverse(f"admin:contacts_contact_{name}", args=args)


AUTOCOMPLETE = {"app_label": "practices", "model_name": "practicecontact", "field_name": "contact"}


def _offered(client, term=""):
    response = client.get(reverse("admin:autocomplete"), {**AUTOCOMPLETE, "term": term})
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def world(db):
    """Organisations A and B with a contact of each, a contact of no organisation on a
    practice of A, another on no practice at all, and the personas."""
    a = make_organisation(name_fi="Alfan kaupunki")
    b = make_organisation(name_fi="Beetan hyvinvointialue")
    contact_a = make_contact(name="Aino Alfa", organisation=a)
    contact_b = make_contact(name="Bertta Beeta", organisation=b)
    partner = make_contact(name="Kalle Kumppani")
    make_contact(name="Olli Orpo")
    make_practice(
        name_fi="Alfan perhekeskus",
        organisation=a,
        status=Practice.Status.DRAFT,
        contacts=[partner],
    )
    users = {persona: make_persona(persona, a, b) for persona in PERSONAS}
    return {
        "a": a,
        "b": b,
        "contact_a": contact_a,
        "contact_b": contact_b,
        "partner": partner,
        "users": users,
    }


def test_contact_pages_open_for_editors(editor_client):
    organisation = make_organisation(name_fi="Vaasan kaupunki")
    add_membership(editor_client.user, organisation)
    contact = make_contact(name="Liisa Virtanen", organisation=organisation)

    response = editor_client.get(_url("changelist"))
    assert response.status_code == 200
    assert "Liisa Virtanen" in response.text

    response = editor_client.get(_url("add"))
    assert response.status_code == 200
    assert 'name="title_sv"' in response.text

    response = editor_client.get(_url("change", contact.pk))
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

    response = admin_client.get(_url("changelist"), {"q": term})

    assert result_names(response) == ["Liisa Virtanen"]


def test_list_filters_by_public(admin_client):
    make_contact(name="Julkinen Henkilö", is_public=True)
    make_contact(name="Piilotettu Henkilö", is_public=False)

    response = admin_client.get(_url("changelist"), {"is_public__exact": "0"})

    assert result_names(response) == ["Piilotettu Henkilö"]


def test_coordinator_adds_contact(coordinator_client):
    organisation = make_organisation(name_fi="Kainuun hyvinvointialue")
    add_membership(coordinator_client.user, organisation)

    response = coordinator_client.post(
        _url("add"),
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


def test_practice_contact_autocomplete_shows_organisation(admin_client):
    make_contact(
        name="Anna Heikkinen", organisation=make_organisation(name_fi="Kainuun hyvinvointialue")
    )
    make_contact(name="Pekka Korhonen")

    assert _offered(admin_client, "heikki") == ["Anna Heikkinen (Kainuun hyvinvointialue)"]


# --- Each editor's own contacts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "listed"),
    [
        ("coordinator_a", ["Aino Alfa", "Kalle Kumppani"]),
        ("coordinator_b", ["Bertta Beeta"]),
        ("publisher", ["Aino Alfa", "Kalle Kumppani"]),
        ("importer", ["Aino Alfa", "Kalle Kumppani"]),
        ("administrator", ["Aino Alfa", "Bertta Beeta", "Kalle Kumppani", "Olli Orpo"]),
    ],
)
def test_the_change_list_shows_ones_own_contacts(client, world, persona, listed):
    log_in(client, world["users"][persona])

    response = client.get(_url("changelist"))

    assert result_names(response) == listed
    assert ("Bertta Beeta" in response.text) == ("Bertta Beeta" in listed)


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("coordinator_a", ["Aino Alfa (Alfan kaupunki)", "Kalle Kumppani"]),
        ("coordinator_b", ["Bertta Beeta (Beetan hyvinvointialue)"]),
        (
            "administrator",
            [
                "Aino Alfa (Alfan kaupunki)",
                "Bertta Beeta (Beetan hyvinvointialue)",
                "Kalle Kumppani",
                "Olli Orpo",
            ],
        ),
    ],
)
def test_the_practice_forms_contact_autocomplete_offers_ones_own(client, world, persona, offered):
    log_in(client, world["users"][persona])

    assert _offered(client) == offered
    # A term does not reach further.
    assert _offered(client, "beeta") == [name for name in offered if "Beeta" in name]


def test_searching_does_not_find_another_organisations_contact(client, world):
    log_in(client, world["users"]["coordinator_a"])

    for term in ("Bertta", "Beetan", world["contact_b"].email):
        assert result_names(client.get(_url("changelist"), {"q": term})) == [], term


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_organisations_contact_is_not_found(client, world, view):
    log_in(client, world["users"]["coordinator_a"])

    assert client.get(_url(view, world["contact_b"].pk)).status_code == 404
    assert client.get(_url(view, 999_999)).status_code == 404


def test_another_organisations_contact_cannot_be_changed(client, world):
    contact = world["contact_b"]
    log_in(client, world["users"]["coordinator_a"])

    response = client.post(
        _url("change", contact.pk), {"name": "Kaapattu", "organisation": world["a"].pk}
    )

    assert response.status_code == 404
    contact.refresh_from_db()
    assert (contact.name, contact.organisation) == ("Bertta Beeta", world["b"])
    assert not LogEntry.objects.exists()


def test_a_contact_of_another_organisation_on_a_shared_practice_is_seen(client, world):
    practice = make_practice(organisation=world["b"], status=Practice.Status.DRAFT)
    PracticeContact.objects.create(practice=practice, contact=world["contact_a"])
    log_in(client, world["users"]["coordinator_b"])

    assert result_names(client.get(_url("changelist"))) == ["Aino Alfa", "Bertta Beeta"]
    response = client.get(_url("change", world["contact_a"].pk))
    assert response.status_code == 200
    # Its organisation stays as it is on the form.
    choices = [
        str(label)
        for _value, label in response.context["adminform"].form.fields["organisation"].choices
    ]
    assert choices[1:] == ["Alfan kaupunki", "Beetan hyvinvointialue"]


# --- Adding a contact in the practice form's popup -------------------------------------------


def test_a_new_contact_is_of_the_coordinators_organisation_and_can_be_picked(client, world):
    log_in(client, world["users"]["coordinator_b"])
    form = client.get(_url("add"), {"_popup": "1"}).context["adminform"].form
    # The organisation is a list of their own, the first one chosen.
    assert [str(label) for _value, label in form.fields["organisation"].choices][1:] == [
        "Beetan hyvinvointialue"
    ]
    assert form.initial["organisation"] == world["b"].pk

    response = client.post(
        _url("add") + "?_popup=1",
        {"_popup": "1", "name": "Uusi Henkilö", "organisation": world["b"].pk},
    )

    assert response.status_code == 200  # the popup's closing page
    assert Contact.objects.get(name="Uusi Henkilö").organisation == world["b"]
    assert _offered(client, "uusi") == ["Uusi Henkilö (Beetan hyvinvointialue)"]


@pytest.mark.parametrize("organisation", [None, "a"])
def test_a_coordinator_cannot_add_a_contact_out_of_their_reach(client, world, organisation):
    log_in(client, world["users"]["coordinator_b"])
    data = {"name": "Uusi Henkilö"}
    if organisation:
        data["organisation"] = world[organisation].pk

    response = client.post(_url("add"), data)

    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Contact.objects.filter(name="Uusi Henkilö").exists()


def test_an_administrator_adds_a_contact_of_any_organisation_or_none(client, world):
    log_in(client, world["users"]["administrator"])

    response = client.post(_url("add"), {"name": "Uusi Henkilö"})

    assert response.status_code == 302
    assert Contact.objects.get(name="Uusi Henkilö").organisation is None


def test_a_coordinator_cannot_take_their_organisation_off_a_contact(client, world):
    contact = world["contact_a"]
    log_in(client, world["users"]["coordinator_a"])

    response = client.post(_url("change", contact.pk), {"name": "Aino Alfa", "organisation": ""})

    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    contact.refresh_from_db()
    assert contact.organisation == world["a"]
