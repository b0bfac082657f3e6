"""The statistics page (/tilastot/): published practices by theme, stage, region and year."""

import datetime
import re

import pytest
from django.utils import timezone

from practices.models import Practice
from tests.directory.helpers import (
    assert_no_unpublished,
    make_unpublished_practices,
    page_of,
    table_values,
    text_of,
)
from tests.factories import (
    make_county,
    make_municipality,
    make_practice,
    make_region,
    make_stage,
    make_theme,
)

pytestmark = pytest.mark.django_db

URL = "/tilastot/"
EN_URL = "/en/tilastot/"


def published_in(practice, year):
    Practice.objects.filter(pk=practice.pk).update(
        published_at=timezone.make_aware(datetime.datetime(year, 6, 15, 12))
    )


@pytest.fixture
def catalogue():
    """Three published practices, and three unpublished ones that would change every count."""
    families = make_theme(name_fi="Lapsiperheet", slug="lapsiperheet")
    elderly = make_theme(name_fi="Ikääntyneet", slug="ikaantyneet")
    developing = make_stage(name_fi="Kehitteillä", slug="kehitteilla", order=1)
    ready = make_stage(name_fi="Valmis", slug="valmis", order=2)
    pirkanmaa = make_region(name_fi="Pirkanmaa", slug="pirkanmaa")
    kainuu = make_region(name_fi="Kainuu", slug="kainuu")
    county = make_county(region=pirkanmaa)

    first = make_practice(name_fi="Perheillat", stage=developing, start_year=2019)
    first.themes.add(families, elderly)
    first.regions.add(pirkanmaa)
    published_in(first, 2023)
    second = make_practice(name_fi="Neuvola", stage=ready, start_year=2021)
    second.themes.add(families)
    second.municipalities.add(make_municipality(region=pirkanmaa, wellbeing_county=county))
    published_in(second, 2024)
    third = make_practice(name_fi="Kainuun malli")
    third.regions.add(kainuu)
    published_in(third, 2024)

    for practice in make_unpublished_practices(stage=developing, start_year=2019):
        practice.themes.add(families, elderly)
        practice.regions.add(pirkanmaa, kainuu)
    return {"families": families, "pirkanmaa": pirkanmaa}


def test_statistics_count_published_practices_by_theme_stage_region_and_year(client, catalogue):
    response = client.get(EN_URL)

    page = page_of(response)
    html = text_of(response)
    assert page.headings_text(1) == ["Statistics"]
    assert "3 practices are published in Käytäntöpankki." in html
    assert table_values(page, "Published practices by theme") == {
        "Lapsiperheet": "2",
        "Ikääntyneet": "1",
    }
    assert table_values(page, "Published practices by development stage") == {
        "Kehitteillä": "1",
        "Valmis": "1",
        "Stage not given": "1",
    }
    assert table_values(page, "Published practices by region") == {
        "Pirkanmaa": "2",
        "Kainuu": "1",
    }
    assert table_values(page, "Published practices by the year development began") == {
        "2019": "1",
        "2021": "1",
    }
    assert "1 published practice does not say the year." in html
    assert table_values(
        page, "Published practices by the year they were published in Käytäntöpankki"
    ) == {"2023": "1", "2024": "2"}
    assert_no_unpublished(html)


def test_each_chart_reads_as_text_with_the_numbers(client, catalogue):
    response = client.get(EN_URL)

    html = text_of(response)
    # A bar's label and its number in words; the bar itself is hidden from screen readers.
    assert "Lapsiperheet 2 2 practices" in html
    content = response.content.decode()
    bars = re.findall(r"<svg [^>]*>", content)
    row_headers = re.findall(r'<th scope="row"', content)
    assert len(bars) == len(row_headers) == 2 + 3 + 2 + 2 + 2
    assert all('aria-hidden="true"' in bar for bar in bars)
    assert content.count('<th scope="col">') == 2 * len(page_of(response).tables)


def test_bars_are_longest_for_the_largest_count(client, catalogue):
    content = client.get(EN_URL).content.decode()

    assert '<rect width="100.0" height="1"/>' in content
    assert '<rect width="50.0" height="1"/>' in content


def test_labels_link_to_the_practices_they_count(client, catalogue):
    page = page_of(client.get(EN_URL))

    theme_list = client.get(page.href_of("Lapsiperheet")).content.decode()
    stage_list = client.get(page.href_of("Valmis")).content.decode()
    year_list = client.get(page.href_of("2019")).content.decode()
    region_page = client.get(page.href_of("Pirkanmaa"))

    assert "Perheillat" in theme_list and "Neuvola" in theme_list
    assert "Kainuun malli" not in theme_list
    assert "Neuvola" in stage_list and "Perheillat" not in stage_list
    assert "Perheillat" in year_list and "Neuvola" not in year_list
    assert region_page.status_code == 200
    assert "Perheillat" in region_page.content.decode()
    assert "Neuvola" in region_page.content.decode()
    # Values without a filter of their own are not links.
    assert "Stage not given" not in page.link_texts()
    assert "2024" not in page.link_texts()


def test_statistics_without_published_practices_say_so(client):
    make_unpublished_practices(stage=make_stage())

    response = client.get(EN_URL)

    page = page_of(response)
    assert "No practices have been published yet, so there is nothing to count." in text_of(
        response
    )
    assert page.tables == {}
    assert_no_unpublished(response.content.decode())


def test_statistics_query_count_does_not_grow(client, django_assert_num_queries, catalogue):
    # Totals, themes, stages, regions, start years and publication years.
    with django_assert_num_queries(6):
        client.get(URL)

    for year in range(2000, 2010):
        practice = make_practice(start_year=year, stage=make_stage())
        practice.themes.add(make_theme())
        practice.regions.add(make_region())
    with django_assert_num_queries(6):
        response = client.get(URL)
    themes = next(iter(page_of(response).tables.values()))
    assert len(themes) == 1 + 12
