"""The area list (/alueet/) and the pages of wellbeing services counties and regions."""

import pytest

from organisations.models import WellbeingServicesCounty
from tests.directory.helpers import (
    assert_no_unpublished,
    make_unpublished_practices,
    page_of,
    path_of,
    text_of,
)
from tests.factories import (
    make_county,
    make_municipality,
    make_practice,
    make_region,
    make_theme,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/alueet/"
EN_LIST_URL = "/en/alueet/"


@pytest.fixture
def pirkanmaa():
    """A region with its county and two municipalities, and practices linked in every way:
    to the county, to the region, to a municipality, to both county and municipality, and
    one elsewhere; and unpublished practices linked to all of them."""
    region = make_region(name_fi="Pirkanmaa", name_en="Pirkanmaa region", slug="pirkanmaa")
    county = make_county(
        name_fi="Pirkanmaan hyvinvointialue", slug="pirkanmaan-hyvinvointialue", region=region
    )
    tampere = make_municipality(
        name_fi="Tampere", slug="tampere", region=region, wellbeing_county=county
    )
    orivesi = make_municipality(
        name_fi="Orivesi", slug="orivesi", region=region, wellbeing_county=county
    )
    elsewhere = make_county(name_fi="Kainuun hyvinvointialue")

    make_practice(name_fi="Alueen malli").wellbeing_counties.add(county)
    make_practice(name_fi="Maakunnan malli").regions.add(region)
    make_practice(name_fi="Tampereen malli").municipalities.add(tampere)
    both = make_practice(name_fi="Yhteinen malli")
    both.wellbeing_counties.add(county)
    both.municipalities.add(tampere, orivesi)
    make_practice(name_fi="Kainuun malli").wellbeing_counties.add(elsewhere)
    for practice in make_unpublished_practices():
        practice.wellbeing_counties.add(county)
        practice.regions.add(region)
        practice.municipalities.add(tampere)
    return {"region": region, "county": county, "tampere": tampere, "orivesi": orivesi}


def card_titles(page):
    return page.headings_text(3)


# The list


def test_list_shows_counties_and_regions_with_published_practice_counts(client, pirkanmaa):
    response = client.get(EN_LIST_URL)

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Areas"]
    assert page.headings_text(2) == ["Wellbeing services counties", "Regions"]
    # The county: its own two and one through Tampere; the region: all four of the area.
    assert "Pirkanmaan hyvinvointialue 3 practices" in html
    assert "Pirkanmaa region 4 practices" in html
    assert "Kainuun hyvinvointialue 1 practice" in html
    assert (
        page.href_of("Pirkanmaan hyvinvointialue")
        == "/en/hyvinvointialueet/pirkanmaan-hyvinvointialue/"
    )
    assert page.href_of("Pirkanmaa region") == "/en/maakunnat/pirkanmaa/"
    assert_no_unpublished(html)


def test_list_shows_helsinki_and_hus_apart_with_their_kind(client):
    uusimaa = make_region(name_fi="Uusimaa")
    make_county(name_fi="Länsi-Uudenmaan hyvinvointialue", region=uusimaa)
    make_county(
        name_fi="HUS-yhtymä", kind=WellbeingServicesCounty.Kind.JOINT_AUTHORITY, region=uusimaa
    )
    make_county(
        name_fi="Helsingin kaupunki", kind=WellbeingServicesCounty.Kind.CITY, region=uusimaa
    )

    response = client.get(EN_LIST_URL)

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(3) == ["Other organisers of health, social and rescue services"]
    assert "Helsingin kaupunki City organising its own services (Helsinki) · 0 practices" in html
    assert "HUS-yhtymä Joint authority (HUS) · 0 practices" in html
    assert html.index("Länsi-Uudenmaan") < html.index("Other organisers") < html.index("HUS")


def test_list_is_in_finnish_alphabetical_order(client):
    for name in ("Päijät-Häme", "Pohjanmaa", "Pirkanmaa", "Åland", "Etelä-Savo"):
        make_region(name_fi=name)

    page = page_of(client.get(LIST_URL))

    regions = [text for href, text, _a in page.links if href.startswith("/maakunnat/")]
    assert regions == ["Etelä-Savo", "Pirkanmaa", "Pohjanmaa", "Päijät-Häme", "Åland"]


def test_list_without_areas_says_so(client):
    response = client.get(EN_LIST_URL)

    assert "The regions have not been added yet." in response.content.decode()


def test_list_query_count_does_not_grow(client, django_assert_num_queries, pirkanmaa):
    # Counties, then regions, each with its count.
    with django_assert_num_queries(2):
        client.get(LIST_URL)

    for _ in range(4):
        region = make_region()
        county = make_county(region=region)
        make_practice().wellbeing_counties.add(county)
        make_practice().municipalities.add(
            make_municipality(region=region, wellbeing_county=county)
        )
    with django_assert_num_queries(2):
        client.get(LIST_URL)


# A county's page


def test_county_page_lists_the_practices_of_the_county_and_its_municipalities(client, pirkanmaa):
    response = client.get(f"/en{path_of(pirkanmaa['county'])}")

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Pirkanmaan hyvinvointialue"]
    assert card_titles(page) == ["Alueen malli", "Tampereen malli", "Yhteinen malli"]
    assert (
        "3 published practices in total: 2 are linked to the area itself and 1 only to its "
        "municipalities." in html
    )
    assert page.href_of("Pirkanmaa region") == "/en/maakunnat/pirkanmaa/"
    assert "Maakunnan malli" not in html
    assert "Kainuun malli" not in html
    assert_no_unpublished(html)


def test_county_page_lists_its_municipalities_with_links_to_their_practices(client, pirkanmaa):
    response = client.get(f"/en{path_of(pirkanmaa['county'])}")

    page = page_of(response)
    html = text_of(response)
    assert "Orivesi 1 practice" in html
    assert "Tampere 2 practices" in html
    assert html.index("Orivesi 1 practice") < html.index("Tampere 2 practices")
    listed = client.get(page.href_of("Tampere")).content.decode()
    assert "Tampereen malli" in listed
    assert "Yhteinen malli" in listed
    assert "Alueen malli" not in listed


def test_county_page_links_to_the_list_filtered_by_the_county(client, pirkanmaa):
    page = page_of(client.get(f"/en{path_of(pirkanmaa['county'])}"))

    url = page.href_of(
        "Search and filter the practices linked to Pirkanmaan hyvinvointialue itself"
    )

    assert url.endswith("?county=pirkanmaan-hyvinvointialue")
    listed = client.get(url).content.decode()
    assert "Alueen malli" in listed
    assert "Yhteinen malli" in listed
    assert "Kainuun malli" not in listed


def test_county_page_is_paginated(client, settings, pirkanmaa):
    settings.PRACTICES_PER_PAGE = 2
    url = f"/en{path_of(pirkanmaa['county'])}"

    first = page_of(client.get(url))
    second = page_of(client.get(url + "?page=2"))

    assert card_titles(first) == ["Alueen malli", "Tampereen malli"]
    assert card_titles(second) == ["Yhteinen malli"]
    assert "Next page" in first.link_texts()


def test_county_page_without_practices_says_so(client):
    county = make_county(name_fi="HUS-yhtymä", kind=WellbeingServicesCounty.Kind.JOINT_AUTHORITY)
    for practice in make_unpublished_practices():
        practice.wellbeing_counties.add(county)

    response = client.get(f"/en{path_of(county)}")

    html = text_of(response)
    assert "No published practice is linked to this area or its municipalities yet." in html
    assert "No municipalities belong to this area." in html
    assert_no_unpublished(html)


def test_county_query_count_does_not_grow(client, django_assert_num_queries, pirkanmaa):
    county = pirkanmaa["county"]
    # The county, its municipalities, the practices in order, the page's practices and three
    # lists a card shows.
    with django_assert_num_queries(7):
        client.get(path_of(county))

    theme = make_theme()
    for _ in range(5):
        municipality = make_municipality(region=county.region, wellbeing_county=county)
        practice = make_practice()
        practice.municipalities.add(municipality)
        practice.themes.add(theme)
    with django_assert_num_queries(7):
        response = client.get(path_of(county))
    assert len(card_titles(page_of(response))) == 8


# A region's page


def test_region_page_lists_the_practices_of_the_region_its_counties_and_municipalities(
    client, pirkanmaa
):
    response = client.get(f"/en{path_of(pirkanmaa['region'])}")

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Pirkanmaa region"]
    assert card_titles(page) == [
        "Alueen malli",
        "Maakunnan malli",
        "Tampereen malli",
        "Yhteinen malli",
    ]
    assert (
        "4 published practices in total: 1 is linked to the area itself and 3 only to its "
        "wellbeing services counties or municipalities." in html
    )
    assert "Pirkanmaan hyvinvointialue (3 practices)" in html
    assert (
        page.href_of("Pirkanmaan hyvinvointialue")
        == "/en/hyvinvointialueet/pirkanmaan-hyvinvointialue/"
    )
    assert "Kainuun malli" not in html
    assert_no_unpublished(html)


def test_region_page_links_to_the_list_filtered_by_the_region(client, pirkanmaa):
    page = page_of(client.get(f"/en{path_of(pirkanmaa['region'])}"))

    url = page.href_of("Search and filter the practices linked to Pirkanmaa region itself")

    assert url.endswith("?region=pirkanmaa")
    listed = client.get(url).content.decode()
    assert "Maakunnan malli" in listed
    assert "Alueen malli" not in listed


def test_region_name_falls_back_to_finnish(client):
    region = make_region(name_fi="Kainuu")

    response = client.get(f"/sv{path_of(region)}")

    assert '<h1 lang="fi">Kainuu</h1>' in response.content.decode()


def test_region_query_count_does_not_grow(client, django_assert_num_queries, pirkanmaa):
    region = pirkanmaa["region"]
    # The region, its counties, its municipalities, the practices in order, the page's
    # practices and three lists a card shows.
    with django_assert_num_queries(8):
        client.get(path_of(region))

    for _ in range(3):
        county = make_county(region=region)
        make_practice().wellbeing_counties.add(county)
        make_practice().municipalities.add(make_municipality(region=region))
    with django_assert_num_queries(8):
        response = client.get(path_of(region))
    assert len(card_titles(page_of(response))) == 10


@pytest.mark.parametrize("url", ["/hyvinvointialueet/ei-ole/", "/maakunnat/ei-ole/"])
def test_unknown_area_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_area_addresses():
    region = make_region(slug="kainuu")
    county = make_county(slug="kainuun-hyvinvointialue", region=region)

    assert path_of(region) == "/maakunnat/kainuu/"
    assert path_of(county) == "/hyvinvointialueet/kainuun-hyvinvointialue/"
