"""Site-wide checks: migrations, page structure every page shares, every locale."""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.factories import make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _finnish():
    """Each test starts in Finnish; a request leaves its language active in the thread."""
    with translation.override("fi"):
        yield


class PageOutline(HTMLParser):
    """The parts of a page these tests look at: tags by name, ids, the <html> lang and links."""

    def __init__(self, html):
        super().__init__()
        self.tag_counts = {}
        self.ids = set()
        self.html_lang = None
        self.hrefs = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tag_counts[tag] = self.tag_counts.get(tag, 0) + 1
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])


def public_pages():
    """(name, url, expected status) for every kind of public page."""
    practice = make_practice(name_fi="Perheillat", solution_fi="Näin se toimii.")
    return [
        ("home", "/", 200),
        ("list", "/kaytannot/", 200),
        ("detail", practice.get_absolute_url(), 200),
        ("404", "/kaytannot/ei-ole/", 404),
        ("about", "/tietoa/", 200),
        ("accessibility", "/saavutettavuusseloste/", 200),
        ("feedback", "/palaute/", 200),
        ("feedback-thanks", "/palaute/kiitos/", 200),
    ]


def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Model changes without migrations:\n{out.getvalue()}")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_public_page_has_shared_structure(client, language):
    for name, url, status in public_pages():
        if language != settings.LANGUAGE_CODE:
            url = f"/{language}{url}"
        response = client.get(url)
        assert response.status_code == status, name

        page = PageOutline(response.content.decode())
        assert page.tag_counts.get("h1") == 1, f"{name}: exactly one <h1>"
        assert page.html_lang == language, f"{name}: lang on <html>"
        skip_links = [href for href in page.hrefs if href.startswith("#")]
        assert skip_links and skip_links[0] == "#main-content", f"{name}: skip link first"
        assert "main-content" in page.ids, f"{name}: skip link target"
        assert page.tag_counts.get("main") == 1, name
        assert page.tag_counts.get("title") == 1, name


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_locale_renders_the_list(client, language):
    make_practice(name_fi="Perheillat")
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"

    response = client.get(f"{prefix}/kaytannot/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert "Perheillat" in response.content.decode()


def test_unknown_address_links_to_each_language_front_page(client):
    html = client.get("/tata-sivua-ei-ole/").content.decode()

    page = PageOutline(html)
    assert {"/", "/sv/", "/en/"} <= set(page.hrefs)


def test_server_error_page_renders_without_database_or_context(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    page = PageOutline(response.content.decode())
    assert page.tag_counts.get("h1") == 1
    assert page.html_lang == "fi"
    assert "main-content" in page.ids


def test_admin_login_page_loads(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
