"""The collection list (/kokonaisuudet/) and a collection's page."""

import datetime
import re

import pytest

from organisations import views
from practices.models import Collection
from tests.directory.helpers import (
    assert_no_unpublished,
    make_unpublished_practices,
    page_of,
    path_of,
    text_of,
)
from tests.factories import (
    make_collection,
    make_municipality,
    make_organisation,
    make_practice,
    make_theme,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/kokonaisuudet/"
EN_LIST_URL = "/en/kokonaisuudet/"


COLLECTION_URL = re.compile(r"^/(en/|sv/)?kokonaisuudet/[^/?#]+/$")


def listed_names(page):
    """The texts of the links to collections' pages, in order."""
    return [text for href, text, _attrs in page.links if COLLECTION_URL.match(href)]


@pytest.fixture
def competition():
    coordinator = make_organisation(name_fi="Kunta- ja hyvinvointialuetyönantajat KT")
    collection = make_collection(
        name_fi="Tärkeissä töissä",
        slug="tarkeissa-toissa",
        kind=Collection.Kind.COMPETITION,
        description_fi=(
            "Kilpailu, jossa etsitään hyviä käytäntöjä.\n\n- työhyvinvointi\n- johtaminen"
        ),
        coordinator=coordinator,
        website="https://example.fi/tarkeissa-toissa",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    make_practice(name_fi="Työntekijälähettiläs", collection=collection)
    make_practice(name_fi="Arjen johtaminen", collection=collection)
    make_unpublished_practices(collection=collection)
    return collection


# The list


def test_list_shows_collections_with_published_practices_and_counts(client, competition):
    only_drafts = make_collection(name_fi="Tuleva hanke")
    make_unpublished_practices(collection=only_drafts)

    response = client.get(EN_LIST_URL)

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Collections"]
    assert listed_names(page) == ["Tärkeissä töissä"]
    assert "Tärkeissä töissä Competition, " in html
    assert "2023" in html
    assert "Kunta- ja hyvinvointialuetyönantajat KT · 2 practices" in html
    assert "1 collection" in html
    assert "Tuleva hanke" not in html
    assert_no_unpublished(html)


def test_list_is_in_finnish_alphabetical_order(client):
    for name in ("Österbotten-verkosto", "Äitiysneuvolahanke", "Zoom-ohjelma", "Aalto-hanke"):
        make_practice(collection=make_collection(name_fi=name))

    page = page_of(client.get(LIST_URL))

    assert listed_names(page) == [
        "Aalto-hanke",
        "Zoom-ohjelma",
        "Äitiysneuvolahanke",
        "Österbotten-verkosto",
    ]


def test_list_is_paginated(client, monkeypatch):
    monkeypatch.setattr(views, "COLLECTIONS_PER_PAGE", 2)
    for name in ("Aa", "Bb", "Cc"):
        make_practice(collection=make_collection(name_fi=name))

    assert listed_names(page_of(client.get(LIST_URL))) == ["Aa", "Bb"]
    assert listed_names(page_of(client.get(LIST_URL + "?page=2"))) == ["Cc"]


def test_list_without_collections_says_so(client):
    make_unpublished_practices(collection=make_collection())

    response = client.get(EN_LIST_URL)

    assert "No collection has published practices yet." in text_of(response)


def test_list_query_count_does_not_grow(client, django_assert_num_queries, competition):
    with django_assert_num_queries(1):
        client.get(LIST_URL)

    for _ in range(5):
        collection = make_collection(coordinator=make_organisation())
        make_practice(collection=collection)
        make_practice(collection=collection)
    with django_assert_num_queries(1):
        response = client.get(LIST_URL)
    assert len(listed_names(page_of(response))) == 6


# A collection's page


def test_detail_shows_the_collection_and_its_published_practices(client, competition):
    make_practice(name_fi="Muu malli", collection=make_collection())

    response = client.get(f"/en{path_of(competition)}")

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Tärkeissä töissä"]
    assert page.headings_text(3) == ["Arjen johtaminen", "Työntekijälähettiläs"]
    assert "Kilpailu, jossa etsitään hyviä käytäntöjä." in html
    assert "<li>työhyvinvointi</li>" in response.content.decode()
    assert "Competition" in html
    assert "2 published practices belong to this collection." in html
    assert "https://example.fi/tarkeissa-toissa" in page.link_texts()
    assert 'datetime="2023-01-01"' in response.content.decode()
    assert 'datetime="2024-12-31"' in response.content.decode()
    assert "Muu malli" not in html
    assert_no_unpublished(html)


def test_detail_links_to_the_coordinator_and_the_filtered_list(client, competition):
    page = page_of(client.get(f"/en{path_of(competition)}"))

    coordinator = client.get(page.href_of("Kunta- ja hyvinvointialuetyönantajat KT"))
    listed = client.get(page.href_of("Search and filter the practices of Tärkeissä töissä"))

    assert coordinator.status_code == 200
    assert "Kunta- ja hyvinvointialuetyönantajat KT" in text_of(coordinator)
    assert listed.status_code == 200
    assert "Työntekijälähettiläs" in listed.content.decode()
    assert_no_unpublished(listed.content.decode())


def test_detail_is_paginated(client, settings, competition):
    settings.PRACTICES_PER_PAGE = 1

    first = page_of(client.get(path_of(competition)))
    second = page_of(client.get(path_of(competition) + "?page=2"))

    assert first.headings_text(3) == ["Arjen johtaminen"]
    assert second.headings_text(3) == ["Työntekijälähettiläs"]


def test_detail_without_published_practices_says_so(client):
    collection = make_collection(name_fi="Tuleva hanke")
    make_unpublished_practices(collection=collection)

    response = client.get(f"/en{path_of(collection)}")

    assert response.status_code == 200
    assert "No practice of this collection has been published yet." in text_of(response)
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert_no_unpublished(response.content.decode())


def test_detail_of_an_unknown_collection_is_not_found(client):
    assert client.get("/kokonaisuudet/ei-ole/").status_code == 404


def test_detail_query_count_does_not_grow(client, django_assert_num_queries, competition):
    # The collection with its coordinator, the practices in order, the page's practices and
    # three lists a card shows.
    with django_assert_num_queries(6):
        client.get(path_of(competition))

    theme = make_theme()
    for _ in range(5):
        practice = make_practice(collection=competition, organisation=make_organisation())
        practice.themes.add(theme)
        practice.municipalities.add(make_municipality())
    with django_assert_num_queries(6):
        response = client.get(path_of(competition))
    assert len(page_of(response).headings_text(3)) == 7


def test_practice_page_links_to_its_collection(client, competition):
    practice = competition.practices.get(name_fi="Työntekijälähettiläs")

    page = page_of(client.get(path_of(practice)))

    assert page.href_of("Tärkeissä töissä") == "/kokonaisuudet/tarkeissa-toissa/"
