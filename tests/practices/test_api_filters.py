"""Filtering, sorting and facet counts of /api/practices/: the same parameters as the page."""

import pytest
from django.utils import translation

from practices.models import Theme
from tests.factories import make_municipality, make_organisation, make_practice, make_theme
from tests.practices.test_filters import build_catalogue

pytestmark = pytest.mark.django_db

LIST_URL = "/api/practices/"


@pytest.fixture(autouse=True)
def _finnish():
    with translation.override("fi"):
        yield


@pytest.fixture
def catalogue():
    return build_catalogue()


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_filters_with_the_page_parameters(client, catalogue):
    assert names(client.get(LIST_URL, {"theme": "perhe", "region": "pirkanmaa"})) == ["Aamukahvit"]
    assert names(client.get(LIST_URL, {"theme": ["perhe", "nuoret"], "sort": "name"})) == [
        "Aamukahvit",
        "Bussikoulu",
        "Cafe nuoret",
    ]
    assert names(client.get(LIST_URL, {"recognised": "true"})) == ["Aamukahvit"]
    assert names(client.get(LIST_URL, {"start_year_min": 2020, "stage": "valmis"})) == [
        "Cafe nuoret"
    ]


def test_count_follows_the_filters(client, catalogue):
    data = client.get(LIST_URL, {"theme": "perhe"}).json()

    assert data["count"] == 2


def test_default_order_is_newest_first_and_sort_is_accepted(client, catalogue):
    assert names(client.get(LIST_URL)) == ["Cafe nuoret", "Bussikoulu", "Aamukahvit"]
    assert names(client.get(LIST_URL, {"sort": "name"})) == [
        "Aamukahvit",
        "Bussikoulu",
        "Cafe nuoret",
    ]


def test_unpublished_never_listed_whatever_the_filters(client, catalogue):
    found = names(client.get(LIST_URL, {"theme": "vain-luonnoksessa"}))
    everything = client.get(LIST_URL, {"theme": "perhe", "facets": "1"}).content.decode()

    assert found == []
    assert "Luonnos" not in everything


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"theme": ["perhe", "ei-ole"]}, "theme"),
        ({"start_year_min": "abc"}, "start_year_min"),
        ({"start_year_max": "3000"}, "start_year_max"),
        ({"sort": "foo"}, "sort"),
        ({"recognised": "maybe"}, "recognised"),
        ({"organisation_type": "castle"}, "organisation_type"),
        ({"municipality": "\x00"}, "municipality"),
    ],
)
def test_invalid_values_are_a_400_naming_the_parameter(client, catalogue, params, param):
    response = client.get(LIST_URL, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()
    assert list(errors) == [param]
    assert errors[param] and all(isinstance(message, str) for message in errors[param])


def test_unknown_slug_error_quotes_the_value(client, catalogue):
    response = client.get(LIST_URL, {"theme": "ei-ole", "lang": "en"})

    assert response.json() == {"theme": ["“ei-ole”: Unknown value."]}


def test_unknown_parameters_and_blank_values_are_ignored(client, catalogue):
    response = client.get(LIST_URL, {"colour": "blue", "theme": "", "sort": "", "facets": "0"})

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert "facets" not in response.json()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "x" * 10000},
        {"theme": "x" * 5000},
        {"start_year_min": "9" * 40},
        {"page_size": "abc", "theme": "perhe"},
        {"organisation": ["a", "b", "c"] * 50},
    ],
)
def test_hostile_values_never_fail(client, catalogue, params):
    response = client.get(LIST_URL, params)

    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"


def test_facets_only_when_asked(client, catalogue):
    without = client.get(LIST_URL).json()
    with_facets = client.get(LIST_URL, {"facets": "1", "theme": "perhe", "lang": "en"}).json()

    assert "facets" not in without
    facets = with_facets["facets"]
    assert set(facets) == {
        "theme",
        "target_group",
        "stage",
        "county",
        "region",
        "municipality",
        "organisation",
        "organisation_type",
        "funder",
        "collection",
        "recognised",
    }
    assert facets["theme"] == [
        {"value": "perhe", "label": "Perheet", "count": 2, "selected": True},
        {"value": "nuoret", "label": "Nuoret", "count": 2, "selected": False},
    ]
    # Other facets count within the theme selection.
    assert {v["value"]: v["count"] for v in facets["region"]} == {"pirkanmaa": 1, "uusimaa": 1}
    assert facets["recognised"] == [
        {"value": "1", "label": "Only recognised practices", "count": 1, "selected": False}
    ]
    assert with_facets["count"] == 2


def test_facet_labels_follow_lang(client, catalogue):
    Theme.objects.filter(slug="perhe").update(name_sv="Familjer")

    facets = client.get(LIST_URL, {"facets": "1", "lang": "sv"}).json()["facets"]

    assert [v["label"] for v in facets["theme"]] == ["Familjer", "Nuoret"]


def test_list_shape_is_unchanged_by_filters(client, catalogue):
    item = client.get(LIST_URL, {"theme": "perhe"}).json()["results"][0]

    assert set(item) == {
        "slug",
        "name",
        "summary",
        "url",
        "api_url",
        "stage",
        "themes",
        "organisations",
        "municipalities",
        "modified",
    }


def test_next_page_link_keeps_filters(client):
    theme = make_theme(slug="perhe")
    for _ in range(3):
        make_practice().themes.add(theme)
    make_practice()

    first = client.get(LIST_URL, {"theme": "perhe", "page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert "theme=perhe" in first["next"]
    assert len(second["results"]) == 1


def add_practices(count):
    for _ in range(count):
        practice = make_practice(organisation=make_organisation())
        practice.themes.add(make_theme(), make_theme())
        practice.municipalities.add(make_municipality())


def test_facets_add_no_queries(client, no_page_cache, django_assert_num_queries):
    add_practices(2)
    client.get(LIST_URL)  # the first request builds the list's in-memory index
    # The list's 5 queries; the facets are counted in memory.
    with django_assert_num_queries(5):
        response = client.get(LIST_URL, {"facets": "1"})
    assert sum(value["count"] for value in response.json()["facets"]["theme"]) == 4


def test_filters_add_one_query_per_slug_parameter(client, no_page_cache, django_assert_num_queries):
    add_practices(3)
    theme = Theme.objects.first()

    client.get(LIST_URL)  # the first request builds the list's in-memory index
    # One to look up the theme's slugs, then the list's 5 queries.
    with django_assert_num_queries(6):
        response = client.get(LIST_URL, {"theme": theme.slug, "sort": "name"})

    assert response.json()["count"] == 1
