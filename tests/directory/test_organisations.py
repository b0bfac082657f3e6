"""The organisation list (/organisaatiot/) and an organisation's page."""

import re

import pytest
from django.utils import translation

from organisations import views
from organisations.models import Organisation
from practices.models import PracticeOrganisation
from tests.directory.helpers import (
    assert_no_unpublished,
    make_unpublished_practices,
    page_of,
    path_of,
)
from tests.factories import (
    make_county,
    make_municipality,
    make_organisation,
    make_practice,
    make_theme,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/organisaatiot/"
EN_LIST_URL = "/en/organisaatiot/"
Role = PracticeOrganisation.Role


def add_role(practice, organisation, role):
    PracticeOrganisation.objects.create(practice=practice, organisation=organisation, role=role)


ORGANISATION_URL = re.compile(r"^/(en/|sv/)?organisaatiot/[^/?#]+/$")


def listed_names(page):
    """The texts of the links to organisations' pages, in order."""
    return [text for href, text, _attrs in page.links if ORGANISATION_URL.match(href)]


# The list


def test_list_shows_organisations_with_published_practices_and_their_counts(client):
    lohja = make_organisation(name_fi="Lohjan kaupunki")
    practice = make_practice(organisation=lohja)
    # Two roles in the same practice count once.
    add_role(practice, lohja, Role.DEVELOPER)
    make_practice(organisation=lohja, role=Role.ADOPTER)
    make_organisation(name_fi="Ei käytäntöjä ry")

    response = client.get(EN_LIST_URL)

    page = page_of(response)
    html = response.content.decode()
    assert page.headings_text(1) == ["Organisations"]
    assert [text for text in page.link_texts() if "Lohja" in text or "Ei " in text] == [
        "Lohjan kaupunki"
    ]
    assert "Municipality · 2 practices" in " ".join(html.split())


def test_list_neither_shows_nor_counts_unpublished_practices(client):
    both = make_organisation(name_fi="Hollolan kunta")
    make_practice(organisation=both)
    make_unpublished_practices(organisation=both)
    hidden_only = make_organisation(name_fi="Vain luonnoksia ry")
    make_unpublished_practices(organisation=hidden_only)

    response = client.get(EN_LIST_URL)

    html = " ".join(response.content.decode().split())
    assert "Hollolan kunta" in html
    assert "Municipality · 1 practice" in html
    assert "Vain luonnoksia ry" not in html
    assert "1 organisation" in html
    assert_no_unpublished(html)


def test_list_is_in_finnish_alphabetical_order(client):
    names = [
        "Örebro kommun",
        "Äänekosken kaupunki",
        "Zeta ry",
        "Åbo Akademi",
        "Vaasan kaupunki",
        "émile-yhdistys",
        "Ahvenanmaan maakunta",
        "Oulun kaupunki",
        "Wasa stad",
        "Ypäjän kunta",
        "Übersee ry",
    ]
    for name in names:
        make_practice(organisation=make_organisation(name_fi=name))

    page = page_of(client.get(LIST_URL))

    assert listed_names(page) == [
        "Ahvenanmaan maakunta",
        "émile-yhdistys",
        "Oulun kaupunki",
        "Vaasan kaupunki",
        "Wasa stad",
        # Ü sorts as Y in Finnish.
        "Übersee ry",
        "Ypäjän kunta",
        "Zeta ry",
        "Åbo Akademi",
        "Äänekosken kaupunki",
        "Örebro kommun",
    ]


def test_letter_index_links_to_the_letters_that_have_organisations(client):
    for name in ("Äänekosken kaupunki", "Oulun kaupunki", "Akaan kaupunki"):
        make_practice(organisation=make_organisation(name_fi=name))

    page = page_of(client.get(LIST_URL))

    index_links = {text: href for href, text, _attrs in page.links if href.startswith("#letter-")}
    assert index_links == {"A": "#letter-a", "O": "#letter-o", "Ä": "#letter-ä"}
    # Every letter link leads to a heading on the page.
    assert {"letter-a", "letter-o", "letter-ä"} <= page.ids
    assert page.headings_text(2) == ["A", "O", "Ä"]


def test_letter_index_leads_to_the_page_where_a_letter_begins(client, monkeypatch):
    monkeypatch.setattr(views, "ORGANISATIONS_PER_PAGE", 2)
    for name in ("Akaan kaupunki", "Espoon kaupunki", "Oulun kaupunki", "Äänekosken kaupunki"):
        make_practice(organisation=make_organisation(name_fi=name))

    page = page_of(client.get(LIST_URL))

    assert listed_names(page) == ["Akaan kaupunki", "Espoon kaupunki"]
    assert page.href_of("E") == "#letter-e"
    assert page.href_of("Ä") == "?page=2#letter-ä"
    second = page_of(client.get(LIST_URL + "?page=2"))
    assert listed_names(second) == ["Oulun kaupunki", "Äänekosken kaupunki"]
    assert second.href_of("A") == "?page=1#letter-a"


def test_list_filters_by_organisation_type(client):
    make_practice(organisation=make_organisation(name_fi="Lahden kaupunki"))
    make_practice(
        organisation=make_organisation(
            name_fi="Lohjan kansalaistoiminnan keskus", type=Organisation.Type.NGO
        )
    )

    page = page_of(client.get(EN_LIST_URL))
    assert "NGO or association (1)" in page.link_texts()
    assert "All types (2)" in page.link_texts()

    filtered = page_of(client.get(EN_LIST_URL + page.href_of("NGO or association (1)")))

    assert listed_names(filtered) == ["Lohjan kansalaistoiminnan keskus"]
    current = [text for _href, text, attrs in filtered.links if attrs.get("aria-current") == "true"]
    assert "NGO or association (1)" in current
    assert "All types (2)" not in current


def test_an_unknown_type_shows_every_organisation_and_says_so(client):
    make_practice(organisation=make_organisation(name_fi="Lahden kaupunki"))

    response = client.get(EN_LIST_URL + "?type=bogus")

    assert "Lahden kaupunki" in response.content.decode()
    assert "so all organisations are shown" in response.content.decode()


def test_list_without_organisations_says_so(client):
    make_unpublished_practices(organisation=make_organisation())

    response = client.get(EN_LIST_URL)

    assert "No organisation has a part in a published practice yet." in response.content.decode()


def test_list_query_count_does_not_grow(client, django_assert_num_queries):
    make_practice(organisation=make_organisation())
    with django_assert_num_queries(1):
        client.get(LIST_URL)

    for _ in range(5):
        organisation = make_organisation()
        make_practice(organisation=organisation)
        make_practice(organisation=organisation, role=Role.ADOPTER)
    with django_assert_num_queries(1):
        response = client.get(LIST_URL)
    assert len(listed_names(page_of(response))) == 6


# An organisation's page


def test_detail_shows_facts_and_published_practices_by_role(client):
    county = make_county(name_fi="Päijät-Hämeen hyvinvointialue")
    organisation = make_organisation(
        name_fi="Päijät-Hämeen hyvinvointialue",
        type=Organisation.Type.WELLBEING_COUNTY,
        wellbeing_county=county,
        website="https://paijatha.fi/",
        business_id="3221345-0",
    )
    make_practice(name_fi="Työntekijälähettiläs", organisation=organisation)
    make_practice(name_fi="Vanhempainillat", organisation=organisation, role=Role.DEVELOPER)
    make_practice(name_fi="Muualla", organisation=make_organisation())
    make_unpublished_practices(organisation=organisation)

    response = client.get(f"/en{path_of(organisation)}")

    page = page_of(response)
    html = " ".join(response.content.decode().split())
    assert page.headings_text(1) == ["Päijät-Hämeen hyvinvointialue"]
    assert page.headings_text(3) == ["Practices it owns (1)", "Practices it has developed (1)"]
    assert page.headings_text(4) == ["Työntekijälähettiläs", "Vanhempainillat"]
    assert "Wellbeing services county" in html
    assert "3221345-0" in html
    assert "has a part in 2 published practices" in html
    assert "https://paijatha.fi/" in page.link_texts()
    assert f"/en{path_of(county)}" in page.hrefs_of(county.name)
    assert "Muualla" not in html
    assert_no_unpublished(html)


def test_detail_links_to_the_practice_list_filtered_by_the_organisation(client):
    organisation = make_organisation(name_fi="Lohjan kaupunki", slug="lohjan-kaupunki")
    make_practice(name_fi="Lähitoiminta", organisation=organisation)
    make_practice(name_fi="Muualla", organisation=make_organisation())

    page = page_of(client.get(f"/en{path_of(organisation)}"))
    url = page.href_of("Search and filter the practices of Lohjan kaupunki")

    assert url.endswith("?organisation=lohjan-kaupunki")
    listed = client.get(url).content.decode()
    assert "Lähitoiminta" in listed
    assert "Muualla" not in listed


def test_detail_shows_the_first_practices_of_a_role_and_links_to_all(client, settings):
    settings.PRACTICES_PER_PAGE = 5
    organisation = make_organisation()
    for number in range(8):
        make_practice(name_fi=f"Malli {number}", organisation=organisation)
    make_practice(name_fi="Käyttöön otettu", organisation=organisation, role=Role.ADOPTER)

    page = page_of(client.get(f"/en{path_of(organisation)}"))

    cards = page.headings_text(4)
    assert cards == [*(f"Malli {n}" for n in range(views.ROLE_PREVIEW)), "Käyttöön otettu"]
    url = page.href_of("Show all 8 practices it owns")
    assert url == "?role=owner"

    first = page_of(client.get(f"/en{path_of(organisation)}{url}"))
    assert first.headings_text(3) == ["Practices it owns (8)"]
    assert first.headings_text(4) == [f"Malli {n}" for n in range(5)]
    second = page_of(client.get(f"/en{path_of(organisation)}{url}&page=2"))
    assert second.headings_text(4) == [f"Malli {n}" for n in range(5, 8)]
    assert "Show the practices in every role" in second.link_texts()


def test_detail_orders_practices_in_finnish_alphabetical_order(client):
    organisation = make_organisation()
    for name in ("Ääniopas", "Öljynvaihto", "Zumba", "Åbolainen malli", "Arjen apu"):
        make_practice(name_fi=name, organisation=organisation)

    page = page_of(client.get(path_of(organisation)))

    assert page.headings_text(4) == [
        "Arjen apu",
        "Zumba",
        "Åbolainen malli",
        "Ääniopas",
        "Öljynvaihto",
    ]


def test_detail_without_published_practices_says_so(client):
    organisation = make_organisation(name_fi="Hiljainen ry")
    make_unpublished_practices(organisation=organisation)

    response = client.get(f"/en{path_of(organisation)}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hiljainen ry has no published practices yet." in html
    assert '<meta name="robots" content="noindex">' in html
    assert_no_unpublished(html)


def test_detail_of_an_unknown_organisation_is_not_found(client):
    assert client.get("/organisaatiot/ei-ole/").status_code == 404


def test_detail_marks_a_name_shown_in_finnish(client):
    organisation = make_organisation(name_fi="Lohjan kaupunki", name_sv="Lojo stad")
    make_practice(organisation=organisation)

    english = client.get(f"/en{path_of(organisation)}").content.decode()
    swedish = client.get(f"/sv{path_of(organisation)}").content.decode()

    assert '<h1 lang="fi">Lohjan kaupunki</h1>' in english
    assert "<h1>Lojo stad</h1>" in swedish


def test_detail_query_count_does_not_grow(client, django_assert_num_queries):
    municipality = make_municipality()
    organisation = make_organisation(municipality=municipality)
    make_practice(organisation=organisation)
    # The organisation, its roles, the practices and three lists a card shows.
    with django_assert_num_queries(6):
        client.get(path_of(organisation))

    theme = make_theme()
    for role in Role:
        for _ in range(3):
            practice = make_practice(organisation=organisation, role=role)
            practice.themes.add(theme)
            practice.municipalities.add(municipality)
    with django_assert_num_queries(6):
        response = client.get(path_of(organisation))
    assert len(page_of(response).headings_text(3)) == len(Role)


def test_organisation_pages_in_other_languages_keep_the_address(client):
    organisation = make_organisation(slug="lahden-kaupunki")
    make_practice(organisation=organisation)
    with translation.override("sv"):
        url = organisation.get_absolute_url()

    assert url == "/sv/organisaatiot/lahden-kaupunki/"
    assert client.get(url).status_code == 200
