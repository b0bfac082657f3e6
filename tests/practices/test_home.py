"""The home page: search, browsing by theme and target group with counts, the newest,
recently updated and recognised practices, and the way to propose one. Only published
practices are shown or counted."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone

from practices.models import Practice, Recognition, TargetGroup, Theme
from practices.pages import NEWEST_COUNT, RECOGNISED_COUNT, UPDATED_COUNT
from tests.factories import (
    make_municipality,
    make_organisation,
    make_practice,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db

HOME_URL = "/"
# Interface text is asserted in English: those strings are the msgids.
EN_HOME_URL = "/en/"
UNPUBLISHED = (Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED)


def text(html):
    """The page's text, tags removed and white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html, heading_id):
    """The HTML of the <section> labelled by the heading with this id."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.S
    )
    assert match, f"no section {heading_id}"
    return match.group(1)


def links(html):
    """(href, text) of every link."""
    return [
        (unescape(href), text(inner))
        for href, inner in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    ]


def published_at(days_ago):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def catalogue():
    """Two themes and a target group with published practices, and unpublished practices in
    every other status with the same themes, one theme only they have, and a recognition."""
    family = make_theme(name_fi="Perheet", name_en="Families", slug="perheet", order=1)
    elderly = make_theme(name_fi="Ikäihmiset", slug="ikaihmiset", order=2)
    hidden = make_theme(name_fi="Piilotettu teema", slug="piilotettu", order=3)
    youth = make_target_group(name_fi="Nuoret", slug="nuoret")
    first = make_practice(name_fi="Perhekahvila", published_at=published_at(3))
    second = make_practice(name_fi="Isien ilta", published_at=published_at(2))
    third = make_practice(name_fi="Seniorijumppa", published_at=published_at(1))
    first.themes.add(family)
    second.themes.add(family)
    third.themes.add(elderly)
    second.target_groups.add(youth)
    for number, status in enumerate(UNPUBLISHED):
        draft = make_practice(name_fi=f"Salainen malli {number}", status=status)
        draft.themes.add(family, hidden)
        draft.target_groups.add(youth)
        Recognition.objects.create(practice=draft, award_fi="Salainen palkinto", year=2025)
    return {"family": family, "elderly": elderly, "youth": youth}


# Searching


def test_the_search_box_sends_a_labelled_search_to_the_list(client):
    html = client.get(HOME_URL).content.decode()

    form = re.search(r'<form[^>]*role="search"[^>]*>(.*?)</form>', html, re.S)
    assert form
    assert 'action="/kaytannot/"' in form.group(0) and 'method="get"' in form.group(0)
    field = re.search(r'<input[^>]*type="search"[^>]*>', form.group(1)).group(0)
    field_id = re.search(r'id="([^"]+)"', field).group(1)
    assert 'name="q"' in field
    assert f'<label class="search-bar__label" for="{field_id}">' in form.group(1)


def test_the_search_box_searches_in_the_pages_language(client):
    html = client.get("/sv/").content.decode()

    assert 'action="/sv/kaytannot/"' in html


# Browsing by theme and target group


def test_themes_and_target_groups_link_to_the_list_with_the_number_of_published_practices(
    client, catalogue
):
    html = client.get(EN_HOME_URL).content.decode()

    themes = links(section(html, "home-themes"))
    assert themes == [
        ("/en/kaytannot/?theme=perheet", "Families 2 practices"),
        ("/en/kaytannot/?theme=ikaihmiset", "Ikäihmiset 1 practice"),
    ]
    assert links(section(html, "home-target-groups")) == [
        ("/en/kaytannot/?target_group=nuoret", "Nuoret 1 practice")
    ]


def test_each_count_is_what_its_link_shows(client, catalogue):
    html = client.get(HOME_URL).content.decode()

    for heading in ("home-themes", "home-target-groups"):
        for href, label in links(section(html, heading)):
            count = int(re.search(r"(\d+)", label).group(1))
            assert client.get(href).context["paginator"].count == count, href


def test_a_name_without_a_translation_is_marked_as_finnish(client, catalogue):
    html = client.get(EN_HOME_URL).content.decode()

    themes = section(html, "home-themes")
    assert "<span>Families</span>" in themes
    assert '<span lang="fi">Ikäihmiset</span>' in themes


def test_unpublished_practices_are_neither_shown_nor_counted(client, catalogue):
    html = client.get(EN_HOME_URL).content.decode()

    assert "Salainen" not in html
    assert "Piilotettu teema" not in html  # only unpublished practices have it
    assert "Browse all 3 practices" in text(html)
    assert "All 0 recognised" not in html and "home-recognised" not in html


def test_lookups_without_published_practices_are_left_out(client):
    make_theme(name_fi="Tyhjä teema")
    make_target_group(name_fi="Tyhjä kohderyhmä")
    make_practice(name_fi="Luonnos", status=Practice.Status.DRAFT).themes.add(make_theme())

    html = client.get(EN_HOME_URL).content.decode()

    assert "Tyhjä" not in html
    assert "Browse by theme" not in html
    assert "No practices have been published yet." in html


# The newest, recently updated and recognised practices


def test_newest_practices_are_the_most_recently_published(client):
    # Created long ago, published today: published_at decides, not created_at.
    late = make_practice(
        name_fi="Pitkään luonnoksena", created_at=published_at(400), published_at=published_at(0)
    )
    for days in range(1, NEWEST_COUNT + 2):
        make_practice(name_fi=f"Malli {days} päivää sitten", published_at=published_at(days))
    make_practice(name_fi="Luonnos", status=Practice.Status.DRAFT)

    html = section(client.get(HOME_URL).content.decode(), "home-newest")

    names = re.findall(r'class="card__title"[^>]*><a [^>]*>([^<]+)</a>', html)
    assert names == [late.name_fi] + [f"Malli {days} päivää sitten" for days in range(1, 6)]
    assert len(names) == NEWEST_COUNT
    assert "<h3" in html  # under the section's <h2>


def test_recently_updated_lists_other_practices_than_the_newest(client):
    newest = [make_practice(published_at=published_at(days)) for days in range(NEWEST_COUNT)]
    older = [
        make_practice(name_fi=f"Päivitetty {days} päivää sitten", published_at=published_at(30))
        for days in range(1, UPDATED_COUNT + 2)
    ]
    for days, practice in enumerate(older, start=1):
        Practice.objects.filter(pk=practice.pk).update(modified_at=published_at(days))
    # The newest was also just updated, and an unpublished one more recently still.
    Practice.objects.filter(pk=newest[0].pk).update(modified_at=timezone.now())
    make_practice(name_fi="Salainen päivitys", status=Practice.Status.IN_REVIEW)

    html = section(client.get(EN_HOME_URL).content.decode(), "home-updated")

    names = [label for href, label in links(html) if "/kaytannot/" in href and "?" not in href]
    assert names == [f"Päivitetty {days} päivää sitten" for days in range(1, UPDATED_COUNT + 1)]
    day = timezone.localtime(published_at(1)).date()
    assert f'<time datetime="{day.isoformat()}">' in html
    assert ("/en/kaytannot/?sort=updated", "All practices, recently updated first") in links(html)


def test_recognised_practices_show_their_award_and_link_to_all_of_them(client):
    for number in range(RECOGNISED_COUNT + 1):
        practice = make_practice(name_fi=f"Palkittu {number}")
        Recognition.objects.create(
            practice=practice, award_fi=f"Vuoden teko {2010 + number}", year=2010 + number
        )
    make_practice(name_fi="Palkitsematon")
    draft = make_practice(name_fi="Salainen palkittu", status=Practice.Status.DRAFT)
    Recognition.objects.create(practice=draft, award_fi="Salainen palkinto", year=2030)

    html = section(client.get(EN_HOME_URL).content.decode(), "home-recognised")

    # The most recently recognised first.
    shown = [label for href, label in links(html) if "?" not in href]
    assert shown == [f"Palkittu {number}" for number in range(RECOGNISED_COUNT, 0, -1)]
    assert "Vuoden teko 2015 2015" in text(html)
    assert "Palkitsematon" not in html and "Salainen" not in html
    assert (
        "/en/kaytannot/?recognised=1",
        f"All {RECOGNISED_COUNT + 1} recognised practices",
    ) in links(html)


# Proposing and reading more


def test_the_home_page_invites_to_propose_a_practice(client):
    html = client.get(EN_HOME_URL).content.decode()

    propose = section(html, "home-propose")
    assert ("/en/ehdota/", "Propose a practice") in links(propose)
    assert ("/en/tietoa/", "Read more about Käytäntöpankki") in links(propose)


def test_the_home_page_has_one_h1_and_marks_itself_current(client):
    html = client.get(HOME_URL).content.decode()

    assert html.count("<h1") == 1
    assert '<a class="site-name" href="/" aria-current="page">' in html


# Efficiency


def test_home_page_query_count_does_not_grow_with_the_catalogue(
    client, no_page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def add_practices(count):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                practice = make_practice(organisation=make_organisation())
                practice.themes.add(make_theme(), make_theme())
                practice.target_groups.add(make_target_group())
                practice.municipalities.add(make_municipality())
                Recognition.objects.create(practice=practice, award_fi="Palkinto", year=2024)

    for count in (2, 20):
        add_practices(count)
        client.get(HOME_URL)  # the first request after a change builds the list's index
        cache.clear()  # and caches the page's sections (tests/test_caching.py): build them again
        # The index's revision (for the cache's key, and by the index); the newest practices
        # with their themes, municipalities and organisations; the recently updated; which
        # practices were recognised most recently, those practices and their recognitions.
        with django_assert_num_queries(10):
            response = client.get(HOME_URL)
        assert response.status_code == 200
    assert len(response.context["themes"]) == Theme.objects.count() == 44
    assert len(response.context["target_groups"]) == TargetGroup.objects.count() == 22
