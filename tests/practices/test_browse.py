"""The practice list as a browsing page: search field, facets, sort, chips and messages."""

import re
from html import unescape

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from practices import views
from tests.factories import (
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
    make_theme,
)
from tests.practices.test_filters import build_catalogue, recognise
from tests.test_site import PageOutline

pytestmark = pytest.mark.django_db

LIST_URL = "/kaytannot/"
# Interface text is asserted in English: those strings are the msgids.
EN_LIST_URL = "/en/kaytannot/"


@pytest.fixture(autouse=True)
def _finnish():
    with translation.override("fi"):
        yield


@pytest.fixture
def catalogue():
    return build_catalogue()


@pytest.fixture
def name_search(monkeypatch, text_search_by_name_prefix):
    """Text search stood in by a name prefix match, with no spelling suggestions: these tests
    pin what the page does with search results, not how the engine finds them."""

    def fake_highlight_page(practices, q, analysed=None):
        for practice in practices:
            practice.search_snippet = mark_safe(
                escape(practice.summary).replace(q, f"<mark>{escape(q)}</mark>")
            )

    monkeypatch.setattr(views, "highlight_page", fake_highlight_page)
    monkeypatch.setattr(views, "suggest_query", lambda q: None)


def text(html):
    """The page's text with tags removed and white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def card_titles(response):
    return [practice.name for practice in response.context["practices"]]


def checkbox(html, name, value):
    """The checkbox for one facet value and its label's text, or None."""
    match = re.search(
        rf'<input type="checkbox" name="{name}" value="{value}" id="([^"]+)"([^>]*)>\s*'
        rf'<label for="\1">(.*?)</label>',
        html,
        re.S,
    )
    if not match:
        return None
    return {"checked": "checked" in match.group(2), "label": text(match.group(3))}


def chips(html):
    block = re.search(r'<ul class="chips".*?</ul>', html, re.S)
    if not block:
        return []
    return [
        (unescape(href), text(label))
        for href, label in re.findall(r'<a class="chip[^"]*" href="([^"]*)">(.*?)</a>', block[0])
    ]


# The form


def test_search_field_has_a_real_label(client):
    html = client.get(EN_LIST_URL).content.decode()

    assert re.search(r'<label [^>]*for="id_q">Search practices</label>', html)
    field = re.search(r'<input type="search" id="id_q" name="q"[^>]*>', html)
    assert field
    assert "placeholder" not in field.group(0)
    assert re.search(r'<form [^>]*method="get"', html)


def test_page_has_one_h1_and_labelled_controls(client, catalogue):
    html = client.get(EN_LIST_URL).content.decode()

    page = PageOutline(html)
    assert page.tag_counts.get("h1") == 1
    assert re.search(
        r'<label for="id_sort">Sort by</label>\s*<select id="id_sort" name="sort">', html
    )
    assert re.search(r'<label for="id_start_year_min">From</label>', html)
    assert re.search(r'<label for="id_start_year_max">To</label>', html)
    for input_id in re.findall(r'<input type="checkbox" [^>]*id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html, input_id
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Theme</legend>", html)
    assert re.search(r'<button type="submit" class="button">Apply filters</button>', html)


def test_facets_sit_in_a_disclosure_that_says_how_many_are_selected(client, catalogue):
    html = client.get(EN_LIST_URL, {"theme": ["perhe", "nuoret"]}).content.decode()

    summary = re.search(
        r'<details class="filters" id="filters">\s*'
        r'<summary class="filters__toggle">(.*?)</summary>',
        html,
        re.S,
    )
    assert summary
    assert text(summary.group(1)) == "Filter results (2 selected)"


def test_facet_labels_show_counts(client, catalogue):
    html = client.get(LIST_URL).content.decode()

    assert checkbox(html, "theme", "perhe") == {"checked": False, "label": "Perheet (2)"}
    assert checkbox(html, "region", "pirkanmaa") == {"checked": False, "label": "Pirkanmaa (2)"}
    assert checkbox(html, "recognised", "1")["label"].endswith("(1)")
    # Only the draft has this theme: nothing to offer, so not shown.
    assert checkbox(html, "theme", "vain-luonnoksessa") is None


def test_facet_counts_on_the_page_are_disjunctive(client, catalogue):
    html = client.get(LIST_URL, {"theme": "perhe"}).content.decode()

    assert checkbox(html, "theme", "perhe") == {"checked": True, "label": "Perheet (2)"}
    assert checkbox(html, "theme", "nuoret") == {"checked": False, "label": "Nuoret (2)"}
    assert checkbox(html, "region", "pirkanmaa")["label"] == "Pirkanmaa (1)"
    assert checkbox(html, "region", "uusimaa")["label"] == "Uusimaa (1)"


def test_selected_value_with_no_results_stays_checked(client, catalogue):
    html = client.get(LIST_URL, {"theme": "vain-luonnoksessa"}).content.decode()

    assert checkbox(html, "theme", "vain-luonnoksessa") == {
        "checked": True,
        "label": "Vain luonnoksessa (0)",
    }


def test_facet_labels_in_swedish(client, catalogue):
    from practices.models import Theme

    Theme.objects.filter(slug="perhe").update(name_sv="Familjer")

    html = client.get("/sv/kaytannot/").content.decode()

    assert checkbox(html, "theme", "perhe")["label"] == "Familjer (2)"
    assert checkbox(html, "theme", "nuoret")["label"] == "Nuoret (2)"


def test_long_facet_keeps_the_rest_behind_show_more(client):
    for n in range(14):
        make_practice().municipalities.add(make_municipality(name_fi=f"Kunta {n:02d}"))

    html = client.get(EN_LIST_URL).content.decode()

    block = re.search(r'<fieldset class="facet" id="facet-municipality">.*?</fieldset>', html, re.S)
    assert block
    more = re.search(r'<details class="facet__more">\s*<summary>Show 6 more</summary>', block[0])
    assert more
    assert block[0].count('type="checkbox"') == 14


# Filtering and chips


def test_filters_narrow_the_results(client, catalogue):
    response = client.get(LIST_URL, {"theme": ["perhe", "nuoret"], "region": "pirkanmaa"})

    assert sorted(card_titles(response)) == ["Aamukahvit", "Cafe nuoret"]


def test_chips_remove_one_value_each_and_clear_all_keeps_the_search(client, catalogue):
    response = client.get(
        EN_LIST_URL,
        {"q": "", "theme": ["perhe", "nuoret"], "recognised": "1", "sort": "name", "page": "1"},
    )

    found = chips(response.content.decode())

    assert ("?q=&theme=nuoret&recognised=1&sort=name", "Remove filter Theme: Perheet ×") in found
    assert ("?q=&theme=perhe&recognised=1&sort=name", "Remove filter Theme: Nuoret ×") in found
    assert (
        "?q=&theme=perhe&theme=nuoret&sort=name",
        "Remove filter Recognition: Only recognised practices ×",
    ) in found
    assert ("?q=&sort=name", "Clear all filters") in found


def test_removing_a_chip_shows_the_wider_list(client, catalogue):
    narrow = client.get(LIST_URL, {"theme": "perhe", "region": "uusimaa"})
    [remove_region] = [href for href, label in chips(narrow.content.decode()) if "Uusimaa" in label]

    wider = client.get(LIST_URL + remove_region)

    assert card_titles(narrow) == ["Bussikoulu"]
    assert sorted(card_titles(wider)) == ["Aamukahvit", "Bussikoulu"]


def test_no_chips_without_filters(client, catalogue):
    html = client.get(LIST_URL).content.decode()

    assert chips(html) == []


def test_unpublished_never_listed_or_counted_whatever_the_filters(client, catalogue):
    response = client.get(
        EN_LIST_URL, {"theme": ["perhe", "vain-luonnoksessa"], "region": "pirkanmaa"}
    )

    html = response.content.decode()
    assert "Luonnos" not in html
    assert card_titles(response) == ["Aamukahvit"]
    assert checkbox(html, "theme", "perhe")["label"] == "Perheet (1)"


def test_result_count_is_announced(client, catalogue):
    html = client.get(EN_LIST_URL, {"theme": "perhe"}).content.decode()

    assert re.search(
        r'<p class="result-count" id="result-count" role="status" aria-live="polite">'
        r"\s*2 practices\s*</p>",
        html,
    )


def test_year_inputs_keep_their_values(client, catalogue):
    response = client.get(LIST_URL, {"start_year_min": "2020", "start_year_max": "2022"})

    html = response.content.decode()
    assert card_titles(response) == ["Bussikoulu"]
    assert re.search(r'name="start_year_min"[^>]*value="2020"', html)
    assert re.search(r'name="start_year_max"[^>]*value="2022"', html)


def test_funding_programme_survives_the_form(client):
    make_practice(name_fi="Elpymis", funding_programme="RRP, P4, I1")
    make_practice(name_fi="Muu")

    response = client.get(LIST_URL, {"funding_programme": "RRP, P4, I1"})

    assert card_titles(response) == ["Elpymis"]
    assert '<input type="hidden" name="funding_programme" value="RRP, P4, I1">' in (
        response.content.decode()
    )


# Sorting


def test_sort_options_and_default(client, catalogue):
    html = client.get(EN_LIST_URL).content.decode()

    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    assert options == [
        ("", " selected", "Newest first"),
        ("updated", "", "Recently updated"),
        ("name", "", "Name (A–Z)"),
    ]


def test_sort_by_name_on_the_page(client, catalogue):
    response = client.get(EN_LIST_URL, {"sort": "name"})

    assert card_titles(response) == ["Aamukahvit", "Bussikoulu", "Cafe nuoret"]
    assert re.search(r'<option value="name" selected>', response.content.decode())


def test_search_offers_best_match_as_the_default(client, catalogue, name_search):
    html = client.get(EN_LIST_URL, {"q": "a"}).content.decode()

    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    assert options[0] == ("", " selected", "Best match")
    assert ("newest", "", "Newest first") in options


# Values that make no sense


def test_invalid_values_give_a_message_and_results_for_the_rest(client, catalogue):
    response = client.get(
        EN_LIST_URL,
        {
            "theme": ["perhe", "ei-ole"],
            "start_year_min": "abc",
            "sort": "foo",
            "page": "abc",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    notice = text(re.search(r'<div class="notice notice--warning">.*?</div>', html, re.S)[0])
    assert "Theme: “ei-ole” – Unknown value." in notice
    assert "Start year from: “abc” – Enter a year from 1900 to 2100." in notice
    assert "Sort by: “foo” – Unknown sort order." in notice
    assert "Page: “abc”" in notice
    assert sorted(card_titles(response)) == ["Aamukahvit", "Bussikoulu"]
    assert checkbox(html, "theme", "perhe")["checked"]


@pytest.mark.parametrize(
    "params",
    [
        {"theme": "x" * 5000},
        {"region": "\x00"},
        {"start_year_max": "99999999999999999999999"},
        {"recognised": "perhaps"},
        {"organisation_type": ["ngo", "castle"]},
        {"page": "-3", "sort": ""},
        {"q": "\x00"},
    ],
)
def test_hostile_values_never_fail(client, catalogue, params):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert "notice--warning" in response.content.decode()


def test_plain_list_has_no_warning(client, catalogue):
    html = client.get(LIST_URL, {"theme": "", "sort": "", "page": ""}).content.decode()

    assert "notice--warning" not in html


# Pagination


def test_pagination_keeps_filters(client, settings):
    settings.PRACTICES_PER_PAGE = 5
    theme = make_theme(slug="perhe")
    for _ in range(7):
        make_practice().themes.add(theme)
    make_practice(name_fi="Muu aihe")

    first = client.get(LIST_URL, {"theme": "perhe", "sort": "name"})
    html = first.content.decode()
    assert 'href="?theme=perhe&amp;sort=name&amp;page=2"' in html

    second = client.get(LIST_URL, {"theme": "perhe", "sort": "name", "page": "2"})
    assert len(second.context["practices"]) == 2
    assert "Muu aihe" not in second.content.decode()


# Search


def test_search_shows_snippets_and_counts_found(client, name_search):
    make_practice(name_fi="Bussikoulu", summary_fi="Bussikoulu opettaa <b>liikkumaan</b>.")
    make_practice(name_fi="Kotikäynti", summary_fi="Käynti kotona.")

    response = client.get(EN_LIST_URL, {"q": "Bussi"})

    html = response.content.decode()
    assert card_titles(response) == ["Bussikoulu"]
    assert (
        '<p class="card__summary card__snippet"><mark>Bussi</mark>koulu opettaa '
        "&lt;b&gt;liikkumaan&lt;/b&gt;.</p>"
    ) in html
    assert "1 practice found for “Bussi”" in text(html)
    assert '<input type="search" id="id_q" name="q" value="Bussi"' in html


def test_search_without_results_gives_tips(client, catalogue, name_search):
    response = client.get(EN_LIST_URL, {"q": "Zeppelin", "theme": "perhe"})

    html = text(response.content.decode())
    assert response.status_code == 200
    assert "No practices match “Zeppelin”." in html
    assert "Check the spelling." in html
    assert "Clear all filters" in html


def test_filters_without_results_say_so(client, catalogue):
    response = client.get(
        EN_LIST_URL, {"theme": "nuoret", "stage": "kehitteilla", "region": "pirkanmaa"}
    )

    assert "No practices match the selected filters." in text(response.content.decode())


def test_search_without_results_shows_results_for_a_suggestion(
    client, catalogue, name_search, monkeypatch
):
    monkeypatch.setattr(views, "suggest_query", lambda q: "Bussi" if q == "Busi" else None)

    response = client.get(EN_LIST_URL, {"q": "Busi", "theme": "perhe"})

    html = response.content.decode()
    assert card_titles(response) == ["Bussikoulu"]
    assert "Showing results for Bussi instead." in text(html)
    assert re.search(
        r'<a href="\?theme=perhe&amp;q=Busi&amp;exact=1">Search instead for “Busi”</a>', html
    )

    exact = client.get(EN_LIST_URL, {"theme": "perhe", "q": "Busi", "exact": "1"})
    assert card_titles(exact) == []
    assert "No practices match “Busi”." in text(exact.content.decode())


def test_search_text_reaches_the_search_engine(client, django_capture_on_commit_callbacks):
    """The real engine: a word of a practice's name finds it."""
    # The search index is brought up to date when the saves commit.
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Vanhempainilta", summary_fi="Ilta vanhemmille.")
        make_practice(name_fi="Kotikäynti", summary_fi="Käynti kotona.")

    response = client.get(LIST_URL, {"q": "vanhempainilta"})

    assert response.status_code == 200
    assert card_titles(response) == ["Vanhempainilta"]


def test_facet_counts_follow_the_search_engine(client, django_capture_on_commit_callbacks):
    """The real engine inside the facet-count queries: counts cover only what q finds."""
    families = make_theme(name_fi="Perheet", slug="perhe")
    elderly = make_theme(name_fi="Ikäihmiset", slug="ikaihmiset")
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Vanhempainilta").themes.add(families)
        make_practice(name_fi="Tuolijumppa").themes.add(elderly)

    response = client.get(LIST_URL, {"q": "vanhempainilta", "sort": "name"})

    html = response.content.decode()
    assert card_titles(response) == ["Vanhempainilta"]
    assert checkbox(html, "theme", "perhe")["label"] == "Perheet (1)"
    assert checkbox(html, "theme", "ikaihmiset") is None


# Query count


# The list's in-memory index (practices.browse) is built by the first request after a change:
# a constant number of queries, whatever the number of practices. Afterwards a request makes:
# the index revision, one look-up for each of the 2 slug filters given (theme and stage), the
# page and three prefetches for its cards. With no results there is no page to fetch.
@pytest.mark.parametrize(("how_many", "cold", "queries"), [(0, 22, 3), (3, 26, 7), (30, 26, 7)])
def test_query_count_is_constant(
    client, no_page_cache, django_assert_num_queries, how_many, cold, queries
):
    stage = make_stage(slug="valmis")
    region = make_region(slug="pirkanmaa")
    themes = [make_theme(slug=f"teema-{n}") for n in range(3)]
    for n in range(how_many):
        practice = make_practice(stage=stage, organisation=make_organisation())
        practice.themes.add(themes[n % 3])
        practice.regions.add(region)
        practice.municipalities.add(make_municipality(region=region))
        if n % 2:
            recognise(practice)
    params = {"theme": ["teema-0", "teema-1"], "stage": "valmis", "sort": "name"}

    with django_assert_num_queries(cold):
        client.get(LIST_URL, params)
    with django_assert_num_queries(queries):
        response = client.get(LIST_URL, params)

    assert response.status_code == 200
    matching = sum(1 for n in range(how_many) if n % 3 in (0, 1))
    assert len(response.context["practices"]) == min(matching, 20)
