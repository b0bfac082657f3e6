"""The about page, the accessibility statement, the error pages, and what every page shares:
the header and footer navigation, the language switcher and the language alternates."""

import re
from datetime import date
from html import unescape

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import path

from config.settings import envdate
from config.urls import urlpatterns as site_urlpatterns
from practices.models import Practice
from tests.factories import make_practice

pytestmark = pytest.mark.django_db

UNPUBLISHED = (Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED)

# The site's own pages: (URL name, Finnish path).
PAGES = [
    ("home", "/"),
    ("about", "/tietoa/"),
    ("accessibility", "/saavutettavuusseloste/"),
    ("feedback", "/palaute/"),
    ("feedback-thanks", "/palaute/kiitos/"),
]
LANGUAGES = {"fi": "", "sv": "/sv", "en": "/en"}


def _raise_error(request):
    raise RuntimeError("A failure the error page must survive")


# The site's URLs and one view that fails, for the server error page.
urlpatterns = [path("virhe/", _raise_error), *site_urlpatterns]


def text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def links(html):
    """(href, text) of every link."""
    return [
        (unescape(href), text(inner))
        for href, inner in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    ]


def nav(html, label):
    match = re.search(rf'<nav [^>]*aria-label="{label}"[^>]*>(.*?)</nav>', html, re.S)
    assert match, f"no navigation {label}"
    return match.group(1)


@pytest.fixture
def unpublished():
    """A practice in each status the public must not see."""
    return [
        make_practice(name_fi=f"Salainen malli {status}", status=status) for status in UNPUBLISHED
    ]


# About


def test_about_page_tells_how_practices_get_in_and_where_the_open_data_is(
    client, settings, unpublished
):
    settings.SITE_CONTACT_EMAIL = "toimitus@example.fi"

    response = client.get("/en/tietoa/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>About Käytäntöpankki</h1>" in html
    found = links(html)
    assert ("mailto:toimitus@example.fi", "toimitus@example.fi") in found
    assert ("/en/ehdota/", "propose a practice") in found
    assert ("/api/practices/", "The JSON API") in found
    assert ("/en/kaytannot/", "the practice list") in found
    assert ("/en/syote/", "A news feed (Atom)") in found
    assert ("/en/saavutettavuusseloste/", "accessibility statement") in found
    assert "CC BY 4.0" in text(html)
    assert "https://creativecommons.org/licenses/by/4.0/deed.en" in html
    assert "Salainen" not in html


# Accessibility statement


def test_accessibility_statement_follows_the_model_statement(client, settings, unpublished):
    settings.SITE_CONTACT_EMAIL = "saavutettavuus@example.fi"
    settings.ACCESSIBILITY_STATEMENT_DATE = date(2027, 3, 1)

    response = client.get("/en/saavutettavuusseloste/")

    html = response.content.decode()
    page = text(html)
    assert response.status_code == 200
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html)
    assert headings == [
        "Compliance status",
        "How the accessibility was evaluated",
        "Content that is not accessible",
        "Feedback on accessibility",
        "Supervisory authority",
        "Date of this statement",
    ]
    # Which service, and how well it meets which requirements.
    assert "applies to the Käytäntöpankki website at http://testserver/en/" in page
    assert "306/2019" in page
    assert "partially meets the accessibility requirements" in page
    assert "(WCAG) 2.1" in page and "level AA" in page
    assert "axe-core" in page and "Finnish, Swedish and English" in page and "keyboard" in page
    # What is not accessible.
    assert "PDF files" in page
    # Feedback, the supervisory authority and the date.
    found = links(html)
    assert (
        "/en/palaute/?aihe=accessibility",
        "Give feedback on accessibility with the feedback form",
    ) in found
    assert ("mailto:saavutettavuus@example.fi", "saavutettavuus@example.fi") in found
    assert "supervisory authority for digital accessibility (Traficom)" in page
    assert any(href == "https://www.saavutettavuusvaatimukset.fi/" for href, _label in found)
    assert '<time datetime="2027-03-01">March 1, 2027</time>' in html
    assert "Salainen" not in html


def test_statement_date_comes_from_the_environment_and_fails_loudly(monkeypatch):
    monkeypatch.setenv("ACCESSIBILITY_STATEMENT_DATE", "2027-02-15")
    assert envdate("ACCESSIBILITY_STATEMENT_DATE", date(2026, 1, 1)) == date(2027, 2, 15)

    monkeypatch.setenv("ACCESSIBILITY_STATEMENT_DATE", "15.2.2027")
    with pytest.raises(ImproperlyConfigured):
        envdate("ACCESSIBILITY_STATEMENT_DATE", date(2026, 1, 1))

    monkeypatch.delenv("ACCESSIBILITY_STATEMENT_DATE")
    assert envdate("ACCESSIBILITY_STATEMENT_DATE", date(2026, 1, 1)) == date(2026, 1, 1)


# Error pages


def test_page_not_found_offers_search_the_front_page_and_reporting_the_link(client, unpublished):
    hidden = unpublished[0]

    response = client.get(f"/en/kaytannot/{hidden.slug}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert html.count("<h1") == 1 and "Page not found" in html
    assert hidden.name_fi not in html
    form = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', html, re.S).group(0)
    assert 'action="/en/kaytannot/"' in form and 'name="q"' in form and "<label" in form
    found = links(html)
    assert ("/en/", "Go to the front page") in found
    assert (f"/en/palaute/?sivu=/en/kaytannot/{hidden.slug}/", "Report a broken link") in found


@pytest.mark.urls(__name__)
def test_server_error_page_helps_without_the_database(settings, django_assert_num_queries):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    with django_assert_num_queries(0):
        response = client.get("/virhe/")

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fi">' in html
    assert html.count("<h1") == 1
    assert 'id="main-content"' in html
    form = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', html, re.S).group(0)
    assert 'action="/kaytannot/"' in form and 'name="q"' in form and "<label" in form
    found = [href for href, _label in links(html)]
    assert "/" in found  # the front page
    assert "/tietoa/" in found  # the navigation is there too


# What every page shares


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_navigation_marks_the_current_page(client, name, path):
    html = client.get("/en" + path).content.decode()

    main_nav = nav(html, "Main")
    footer = nav(html, "Service information")
    assert links(main_nav) == [
        ("/en/kaytannot/", "Practices"),
        ("/en/organisaatiot/", "Organisations"),
        ("/en/alueet/", "Areas"),
        ("/en/kokonaisuudet/", "Collections"),
        ("/en/tilastot/", "Statistics"),
        ("/en/tietoa/", "About the service"),
    ]
    footer_links = [label for _href, label in links(footer)]
    assert footer_links == [
        "About the service",
        "Accessibility statement",
        "Give feedback",
        "Propose a practice",
        "Open data (JSON API)",
    ]
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', html)
    expected = {
        "home": ["Käytäntöpankki"],
        "about": ["About the service", "About the service"],
        "accessibility": ["Accessibility statement"],
        "feedback": ["Give feedback"],
        "feedback-thanks": [],
    }
    assert current == expected[name]


def test_footer_feedback_link_names_the_page_it_is_on(client):
    practice = make_practice()

    html = client.get(f"/en/kaytannot/{practice.slug}/?x=1&y=2").content.decode()

    footer = {label: href for href, label in links(nav(html, "Service information"))}
    assert footer["Give feedback"] == (
        f"/en/palaute/?sivu=/en/kaytannot/{practice.slug}/%3Fx%3D1%26y%3D2"
    )


@pytest.mark.parametrize(("name", "path"), PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_keeps_the_page_and_its_query_string(client, name, path, language):
    response = client.get(f"{LANGUAGES[language]}{path}?sivu=/kaytannot/&aihe=other")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    switcher = re.search(r'<nav class="language-switcher"[^>]*>(.*?)</nav>', html, re.S).group(1)
    for other, prefix in LANGUAGES.items():
        url = f"{prefix}{path}?sivu=/kaytannot/&amp;aihe=other"
        current = ' aria-current="true"' if other == language else ""
        assert f'href="{url}" lang="{other}" hreflang="{other}"{current}>' in switcher
        assert f'<link rel="alternate" hreflang="{other}" href="http://testserver{url}">' in html
    assert html.count('rel="alternate" hreflang=') == len(LANGUAGES)
