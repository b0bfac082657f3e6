"""Whatever a person or a bot puts in the query string, the list page and the API answer it.

Random text of every Unicode category (control characters included), fragments of FTS5 and
tsquery syntax, SQL, markup and very long strings go into q, alone and with random facet,
sort and page parameters, over a catalogue with real practices so that searches do match.
The page must always answer 200; the API 200, or 400 naming the parameter it rejects, or 404
for a page that does not exist (both documented in practices.api); the downloads 200 with a
file. Never a 500.
"""

import json

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisations.models import Organisation
from practices.filters import Sort
from tests.practices.search_quality.corpus import load_catalogue

pytestmark = pytest.mark.django_db

PAGE_URLS = ("/kaytannot/", "/sv/kaytannot/", "/en/kaytannot/")
API_URL = "/api/practices/"
API_STATUSES = {200, 400, 404}

# Pieces of query syntax that must never be read as syntax: FTS5 (quotes, AND/OR/NOT, NEAR,
# prefix *, column filters name:, initial-token ^, + and -), tsquery (& | ! <-> :* '),
# LIKE wildcards and SQL.
SYNTAX = (
    "lasten-suojelu",
    '"x',
    '"',
    "AND",
    "OR",
    "NOT",
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    "(",
    ")",
    ":",
    "name_terms:",
    "practices_search_fts:",
    "{name_terms summary_terms}:",
    "^",
    "'",
    "''",
    "\\",
    "\\\\",
    "&",
    "|",
    "!",
    "<->",
    "<2>",
    ":*",
    "%",
    "_",
    "+",
    "-",
    "' OR 1=1 --",
    "); DROP TABLE practices_practice; --",
    "\x00",
    "\t",
    "\n",
    "\u200b",
    "\ufeff",
    "\u202e",
    "🙂",
    "👨‍👩‍👧",
    "日本語",
    "العربية",
    "ﬁ",
    "ǅ",
    "İ",
    "ß",
    "<mark>",
    "<script>alert(1)</script>",
    "&amp;",
)
# Words that occur in the catalogue, so that random queries also find practices.
WORDS = (
    "vanhempainilta",
    "vanhempainilloissa",
    "lasten",
    "mielenterveys",
    "järjestöyhteistyö",
    "jarjestoyhteistyo",
    "puheeksio",
    "ilta",
    "Lohjalla",
    "Päijät-Hämeessä",
    "Luksia",
    "barn",
    "föräldrakvällar",
    "mental",
    "health",
    "ja",
    "och",
    "the",
)
FACET_PARAMS = {
    "theme": ("lapsiperheet", "mielenterveys", "osallisuus"),
    "target_group": ("nuoret", "vanhemmat", "ammattilaiset"),
    "stage": ("valmis", "kehitteilla"),
    "county": ("paijat-hameen-hyvinvointialue", "lansi-uudenmaan-hyvinvointialue"),
    "region": ("uusimaa", "paijat-hame"),
    "municipality": ("lohja", "vantaa", "espoo"),
    "organisation": ("luksia", "lohjan-kaupunki"),
    "organisation_type": tuple(Organisation.Type.values),
    "funder": ("stm", "eu-rrp"),
    "collection": ("tarkeissa-toissa",),
}

# Any Unicode text that can travel in a URL: every category but lone surrogates.
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
syntax_soup = st.lists(st.sampled_from(SYNTAX + WORDS), min_size=1, max_size=12).flatmap(
    lambda parts: st.sampled_from(("", " ")).map(lambda sep: sep.join(parts))
)
long_text = st.builds(
    lambda piece, times: (piece * times)[:12000],
    st.sampled_from(("vanhempainilta ", "a", '"x AND ', "ä" * 7 + " ", "🙂", "- ")),
    st.integers(min_value=300, max_value=12000),
)
queries = st.one_of(any_text, syntax_soup, long_text)
values = st.one_of(any_text, st.sampled_from(SYNTAX), st.integers().map(str))


@st.composite
def filter_params(draw):
    """Random facet, year, flag, sort and page parameters, known values mixed with junk."""
    params = []
    for name, known in FACET_PARAMS.items():
        if draw(st.booleans()):
            params += [
                (name, value)
                for value in draw(st.lists(st.one_of(st.sampled_from(known), values), max_size=3))
            ]
    for name in ("start_year_min", "start_year_max", "funding_programme", "recognised"):
        if draw(st.booleans()):
            params.append(
                (name, draw(st.one_of(st.integers(1800, 2200).map(str), values, st.just("1"))))
            )
    if draw(st.booleans()):
        params.append(("sort", draw(st.one_of(st.sampled_from(Sort.values), values))))
    if draw(st.booleans()):
        params.append(("page", draw(st.one_of(st.integers(-3, 5).map(str), values))))
    if draw(st.booleans()):
        params.append(("exact", draw(st.sampled_from(("1", "0", "")))))
    return params


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Real practices to search, written once and rolled back after this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_catalogue()
        yield
        transaction.set_rollback(True)


def _get(url, params):
    """GET in a savepoint, so that a database error in one example (it would come out as an
    exception here) cannot spoil the transaction for the next."""
    data = {}
    for key, value in params:
        data.setdefault(key, []).append(value)
    with transaction.atomic():
        return Client().get(url, data)


def _check_page(response):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert html.count("<h1") == 1


def _check_api(response):
    assert response.status_code in API_STATUSES, response.status_code
    body = json.loads(response.content)
    if response.status_code == 200:
        assert isinstance(body["results"], list)
    elif response.status_code == 400:
        # The error names the rejected parameters.
        assert body and set(body) <= {
            "q",
            *FACET_PARAMS,
            "start_year_min",
            "start_year_max",
            "funding_programme",
            "recognised",
            "sort",
        }, body
    else:
        assert "detail" in body


HYPOTHESIS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# 2,700 random requests on each database: 750 + 500 to the page, 750 + 500 to the API, 200
# to the downloads.
@pytest.mark.usefixtures("catalogue")
@settings(HYPOTHESIS, max_examples=750)
@given(q=queries, url=st.sampled_from(PAGE_URLS))
def test_list_page_answers_any_search_text(q, url):
    _check_page(_get(url, [("q", q)]))


@pytest.mark.usefixtures("catalogue")
@settings(HYPOTHESIS, max_examples=500)
@given(q=queries, params=filter_params(), url=st.sampled_from(PAGE_URLS))
def test_list_page_answers_any_search_with_any_filters(q, params, url):
    _check_page(_get(url, [("q", q), *params]))


DOWNLOAD_URLS = ("/kaytannot/lataa.csv", "/kaytannot/lataa.xlsx", "/en/kaytannot/lataa.csv")


@pytest.mark.usefixtures("catalogue")
@settings(HYPOTHESIS, max_examples=200)
@given(q=queries, params=filter_params(), url=st.sampled_from(DOWNLOAD_URLS))
def test_download_answers_any_search_with_any_filters(q, params, url):
    response = _get(url, [("q", q), *params])

    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.usefixtures("catalogue")
@settings(HYPOTHESIS, max_examples=750)
@given(q=queries)
def test_api_answers_any_search_text(q):
    _check_api(_get(API_URL, [("q", q)]))


@pytest.mark.usefixtures("catalogue")
@settings(HYPOTHESIS, max_examples=500)
@given(
    q=queries,
    params=filter_params(),
    extra=st.lists(st.tuples(st.sampled_from(("facets", "page_size", "lang")), values)),
)
def test_api_answers_any_search_with_any_filters(q, params, extra):
    _check_api(_get(API_URL, [("q", q), *params, *extra]))


FIXED_QUERIES = [
    "lasten-suojelu",
    '"x',
    '"vanhempainilta',
    "AND",
    "OR NOT",
    "vanhempainilta AND",
    "NOT vanhempainilta",
    "*",
    "vanhempai*",
    "NEAR(vanhempainilta lasten",
    "NEAR(vanhempainilta lasten, 2)",
    ")",
    "name_terms:vanhempainilta",
    "{name_terms}: lasten",
    "^lasten",
    "'",
    "\\",
    "lasten & | ! <-> mielenterveys",
    "lasten:*",
    "%",
    "_",
    "' OR 1=1 --",
    "\x00",
    "lasten\x00mielenterveys",
    "\x01\x02\x1f\x7f",
    "\u200b\u200b",
    "🙂🙂🙂",
    "vanhempainilta " * 700,
    "ä" * 10000,
    "a" * 10000,
    "<script>alert(1)</script>",
]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("q", FIXED_QUERIES)
def test_list_page_answers_hostile_search_text(q):
    _check_page(_get(PAGE_URLS[0], [("q", q)]))


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("q", FIXED_QUERIES)
def test_api_answers_hostile_search_text(q):
    _check_api(_get(API_URL, [("q", q)]))


@pytest.mark.usefixtures("catalogue")
def test_search_syntax_in_a_real_word_still_finds_it():
    """A quote, a bracket or an operator stuck to a word does not stop it from matching."""
    for q in ('"vanhempainilta', "(vanhempainilta)", "vanhempainilta*", "-vanhempainilta:"):
        response = _get(API_URL, [("q", q)])
        slugs = {item["slug"] for item in json.loads(response.content)["results"]}
        assert "seudulliset-vanhempainillat" in slugs, q


@pytest.mark.usefixtures("catalogue")
def test_markup_in_the_search_text_is_shown_as_text():
    response = _get(PAGE_URLS[0], [("q", "<script>alert(1)</script> vanhempainilta")])
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
