"""The home page's sections and the list's facet counts come from the cache, keyed by the
search index revision and the language: a practice published, archived or imported shows on
the very next request, in every language (whole pages kept by the page cache included:
tests/test_page_cache.py)."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from openpyxl import Workbook

from practices import facets, workflow
from practices.models import Practice
from tests.factories import make_practice, make_theme

pytestmark = pytest.mark.django_db

LANGUAGES = {"fi": "/", "sv": "/sv/", "en": "/en/"}
THEME_NAMES = {"fi": "Perheet", "sv": "Familjer", "en": "Families"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publisher():
    return get_user_model().objects.create_superuser(
        "julkaisija", "julkaisija@example.fi", "a-long-test-password-1"
    )


@pytest.fixture
def catalogue(django_capture_on_commit_callbacks):
    """Three published practices with the theme "Perheet", indexed (so at a revision)."""
    theme = make_theme(
        name_fi=THEME_NAMES["fi"],
        name_sv=THEME_NAMES["sv"],
        name_en=THEME_NAMES["en"],
        slug="perheet",
        order=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(1, 4):
            practice = make_practice(name_fi=f"Perhekeskus {number}")
            practice.themes.add(theme)
    return theme


def text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def total(html, language):
    """The number in the home page's link to the whole list."""
    list_url = f"{LANGUAGES[language]}kaytannot/"
    numbers = [
        int(number.group())
        for link in re.findall(rf'<a href="{list_url}">([^<]*)</a>', html)
        if (number := re.search(r"\d+", link))
    ]
    assert len(numbers) == 1, f"no single link to {list_url} with a number"
    return numbers[0]


def newest(html):
    match = re.search(r'<section aria-labelledby="home-newest">(.*?)</section>', html, re.S)
    return text(match.group(1)) if match else ""


def theme_facet(html, slug="perheet"):
    """(label, count) of a theme in the list's facets."""
    match = re.search(
        rf'<label for="f-theme-{slug}">([^<]*) <span class="facet__count">\((\d+)\)</span>', html
    )
    assert match, f"no facet value for {slug}"
    return unescape(match.group(1)), int(match.group(2))


def pages(client):
    """{language: (home page HTML, list page HTML)}."""
    return {
        language: (
            client.get(prefix).content.decode(),
            client.get(f"{prefix}kaytannot/").content.decode(),
        )
        for language, prefix in LANGUAGES.items()
    }


def assert_shown_everywhere(client, count, *, shown=(), hidden=()):
    for language, (home, practice_list) in pages(client).items():
        assert total(home, language) == count, language
        assert theme_facet(practice_list) == (THEME_NAMES[language], count), language
        for name in shown:
            assert name in newest(home), (language, name)
        for name in hidden:
            assert name not in newest(home), (language, name)
            assert name not in practice_list, (language, name)


# Fewer queries


def test_the_second_home_page_request_runs_one_query(client, catalogue, django_assert_num_queries):
    first = client.get("/")

    # Only the index revision, to know that the cached sections are current.
    with django_assert_num_queries(1):
        second = client.get("/")

    assert second.status_code == 200
    assert total(second.content.decode(), "fi") == total(first.content.decode(), "fi") == 3
    assert newest(second.content.decode()) == newest(first.content.decode())
    assert "Perhekeskus 3" in newest(second.content.decode())


def test_each_language_has_its_own_home_page_sections(client, catalogue):
    client.get("/")

    for language, prefix in LANGUAGES.items():
        for _request in range(2):
            html = client.get(prefix).content.decode()
            assert f'<html lang="{language}">' in html
            browse = re.search(r'id="home-themes".*?</section>', html, re.S).group()
            assert THEME_NAMES[language] in text(browse), language
            assert f'href="{prefix}kaytannot/?theme=perheet"' in browse


def test_facets_are_counted_once_per_revision_language_and_selection(
    client, catalogue, monkeypatch
):
    counted = []
    count_facet = facets._value_facet

    def counting(filterset, results, name):
        counted.append(name)
        return count_facet(filterset, results, name)

    monkeypatch.setattr(facets, "_value_facet", counting)

    def counts_for(url):
        counted.clear()
        assert client.get(url).status_code == 200
        return bool(counted)

    assert counts_for("/kaytannot/")
    assert not counts_for("/kaytannot/")
    # Another order or page of the same selection: the same counts.
    assert not counts_for("/kaytannot/?sort=name")
    assert not counts_for("/kaytannot/?sort=updated&page=1")
    # Another selection, search text or language: counted.
    assert counts_for("/kaytannot/?theme=perheet")
    assert not counts_for("/kaytannot/?theme=perheet")
    assert counts_for("/kaytannot/?q=perhekeskus")
    assert not counts_for("/kaytannot/?q=perhekeskus&sort=name")
    assert counts_for("/kaytannot/?q=perhekeskus+1")
    assert counts_for("/sv/kaytannot/")


def test_search_results_keep_their_own_facet_counts(client, catalogue):
    assert theme_facet(client.get("/kaytannot/").content.decode())[1] == 3
    assert theme_facet(client.get("/kaytannot/?q=perhekeskus").content.decode())[1] == 3
    html = client.get("/kaytannot/?q=zzyzx+qqxq").content.decode()

    assert 'for="f-theme-perheet"' not in html
    assert theme_facet(client.get("/kaytannot/").content.decode())[1] == 3


def test_nothing_is_cached_before_the_first_indexing(client, django_assert_num_queries):
    """Without a revision there is nothing to key the entries by: a practice saved without
    indexing still shows at once."""
    theme = make_theme(name_fi=THEME_NAMES["fi"], slug="perheet")
    make_practice(name_fi="Perhekeskus 1").themes.add(theme)
    client.get("/")

    make_practice(name_fi="Perhekeskus 2")
    html = client.get("/").content.decode()

    assert "Perhekeskus 2" in newest(html)


# Changes show on the next request


def test_publishing_a_practice_shows_on_the_next_request_in_every_language(
    client, catalogue, publisher, django_capture_on_commit_callbacks
):
    assert_shown_everywhere(client, 3, hidden=["Uusi perhemalli"])
    draft = make_practice(name_fi="Uusi perhemalli", status=Practice.Status.DRAFT)
    draft.themes.add(catalogue)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.move(draft, Practice.Status.PUBLISHED, publisher)

    assert_shown_everywhere(client, 4, shown=["Uusi perhemalli"])


def test_archiving_a_practice_shows_on_the_next_request_in_every_language(
    client, catalogue, publisher, django_capture_on_commit_callbacks
):
    assert_shown_everywhere(client, 3, shown=["Perhekeskus 2"])
    practice = Practice.objects.get(name_fi="Perhekeskus 2")

    with django_capture_on_commit_callbacks(execute=True):
        workflow.move(practice, Practice.Status.ARCHIVED, publisher)

    assert_shown_everywhere(client, 2, hidden=["Perhekeskus 2"])


def test_importing_a_spreadsheet_shows_on_the_next_request_in_every_language(
    client, catalogue, publisher, tmp_path
):
    assert_shown_everywhere(client, 3, hidden=["Tuotu perhemalli"])
    book = Workbook()
    sheet = book.active
    sheet.append(["Nimi", "Lyhyt kuvaus", "Organisaatiot", "Teemat", "Tila"])
    for number in (1, 2):
        sheet.append(
            [f"Tuotu perhemalli {number}", "Kuvaus.", "Perheyhdistys ry", "Perheet", "Julkaistu"]
        )
    book.save(tmp_path / "tuonti.xlsx")

    call_command("import_practices", str(tmp_path / "tuonti.xlsx"), "--user", "julkaisija")

    assert_shown_everywhere(client, 5, shown=["Tuotu perhemalli 1", "Tuotu perhemalli 2"])
