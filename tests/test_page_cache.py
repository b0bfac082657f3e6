"""Whole public pages from the page cache (config/pagecache.py): a visitor who is not signed in
gets the stored page of the current revision with one query; a change shows on the next
request; languages, signed-in users and pages that must be made anew are kept apart."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.csp import LazyNonce

from config.pagecache import _stored
from practices import workflow
from practices.models import Practice
from tests.factories import make_practice, make_theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(django_capture_on_commit_callbacks):
    """Two published practices with the theme "Perheet", indexed (so at a revision)."""
    theme = make_theme(name_fi="Perheet", name_sv="Familjer", slug="perheet")
    with django_capture_on_commit_callbacks(execute=True):
        for number in (1, 2):
            practice = make_practice(
                name_fi=f"Perhekeskus {number}",
                name_sv=f"Familjecenter {number}",
                slug=f"perhekeskus-{number}",
            )
            practice.themes.add(theme)
    return Practice.objects.get(slug="perhekeskus-1")


@pytest.fixture
def publisher():
    return get_user_model().objects.create_superuser(
        "julkaisija", "julkaisija@example.fi", "a-long-test-password-1"
    )


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


PAGES = {
    "home": "/",
    "home in Swedish": "/sv/",
    "search with a facet": "/kaytannot/?q=perhekeskus&theme=perheet",
    "practice page": "/kaytannot/perhekeskus-1/",
    "feed": "/syote/",
    "theme feed": "/syote/perheet/",
    "API list": "/api/practices/?theme=perheet",
    "API detail": "/api/practices/perhekeskus-1/",
}


@pytest.mark.parametrize("page", PAGES)
def test_a_second_visitor_gets_the_stored_page_with_one_query(client, catalogue, page):
    first, first_queries = queries_of(client, PAGES[page])
    second, second_queries = queries_of(client, PAGES[page])

    assert first.status_code == second.status_code == 200
    assert first_queries > 1
    # Only the search index revision, to know that the stored page is current.
    assert second_queries == 1
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The headers of the request's own are there on the stored page too.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert second["X-Frame-Options"] == "DENY"


def test_an_edited_practice_shows_on_the_next_request(
    client, catalogue, django_capture_on_commit_callbacks
):
    url = catalogue.get_absolute_url()
    assert "Perhekeskus 1" in client.get(url).text

    catalogue.name_fi = "Perhekeskus Aurinko"
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.save()

    html = client.get(url).text
    assert "Perhekeskus Aurinko" in html
    assert "Perhekeskus Aurinko" in client.get("/kaytannot/?theme=perheet").text


def test_an_archived_practice_is_gone_on_the_next_request(
    client, catalogue, publisher, django_capture_on_commit_callbacks
):
    url = catalogue.get_absolute_url()
    api_url = f"/api/practices/{catalogue.slug}/"
    assert client.get(url).status_code == client.get(api_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        workflow.move(catalogue, Practice.Status.ARCHIVED, publisher)

    assert client.get(url).status_code == 404
    assert client.get(api_url).status_code == 404
    assert "Perhekeskus 1" not in client.get("/syote/").text


def test_each_language_has_its_own_stored_page(client, catalogue):
    for _round in range(2):
        assert '<html lang="fi">' in client.get("/kaytannot/perhekeskus-1/").text
        assert '<html lang="sv">' in client.get("/sv/kaytannot/perhekeskus-1/").text
        assert client.get("/api/practices/perhekeskus-1/").json()["name"] == "Perhekeskus 1"
        swedish = client.get("/api/practices/perhekeskus-1/?lang=sv").json()
        assert swedish["name"] == "Familjecenter 1"
        # The API follows Accept-Language when no ?lang= is given.
        asked = client.get("/api/practices/perhekeskus-1/", headers={"accept-language": "sv"})
        assert asked.json()["name"] == "Familjecenter 1"


def test_signed_in_users_never_get_or_leave_a_stored_page(client, catalogue, publisher):
    url = catalogue.get_absolute_url()
    client.force_login(publisher)
    for _request in range(2):
        response, queries = queries_of(client, url)
        assert response.status_code == 200
        assert queries > 1

    # Nothing the signed-in user saw was kept for others.
    visitor = type(client)()
    _response, queries = queries_of(visitor, url)
    assert queries > 1


def test_a_visitor_with_a_session_gets_a_page_of_their_own(client, catalogue):
    url = catalogue.get_absolute_url()
    client.get(url)
    client.cookies["sessionid"] = "anything"

    _response, queries = queries_of(client, url)

    assert queries > 1


def test_pages_that_are_not_the_catalogues_are_made_for_each_request(client, catalogue):
    # The feedback form has the visitor's CSRF token, masked anew for each page.
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        for page in (client.get(reverse("practices:feedback")) for _request in range(2))
    ]
    assert tokens[0] != tokens[1]
    # A page that is not found is not kept.
    client.get("/kaytannot/ei-ole/")
    response, queries = queries_of(client, "/kaytannot/ei-ole/")
    assert response.status_code == 404
    assert queries > 1


def test_the_page_cache_can_be_turned_off(client, catalogue, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/kaytannot/perhekeskus-1/")

    _response, queries = queries_of(client, "/kaytannot/perhekeskus-1/")

    assert queries > 1


def test_a_page_that_used_a_nonce_or_set_a_cookie_is_not_kept():
    def request(nonce_used=False):
        made = RequestFactory().get("/")
        made._csp_nonce = LazyNonce()
        if nonce_used:
            str(made._csp_nonce)
        return made

    page = HttpResponse("<p>Sivu</p>")
    assert _stored(request(), page) is not None
    assert _stored(request(nonce_used=True), page) is None

    with_cookie = HttpResponse("<p>Sivu</p>")
    with_cookie.set_cookie("valinta", "1")
    assert _stored(request(), with_cookie) is None

    private = HttpResponse("<p>Sivu</p>", headers={"Cache-Control": "private"})
    assert _stored(request(), private) is None
    assert _stored(request(), HttpResponse("<p>Ei ole</p>", status=404)) is None


def test_the_stored_page_keeps_the_host_it_was_asked_for(client, catalogue, settings):
    # Absolute links (the feed's, the canonical link) name the host of the request.
    settings.ALLOWED_HOSTS = ["kaytannot.example.fi", "toinen.example.fi"]
    for host in ("kaytannot.example.fi", "toinen.example.fi"):
        for _request in range(2):
            feed = client.get("/syote/", headers={"host": host}).text
            assert re.search(rf"<id>https?://{re.escape(host)}/", feed), host


def test_a_file_page_cache_is_shared_by_the_processes_of_a_machine(
    client, catalogue, settings, tmp_path
):
    # PAGE_CACHE_URL=file:///folder: what one process stored, another one finds in the folder.
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        },
    }
    first, _queries = queries_of(client, "/kaytannot/perhekeskus-1/")
    assert len(list((tmp_path / "pages").iterdir())) == 1

    # A file cache keeps nothing in the process: the page is read back from the folder, as
    # another process of the machine would.
    caches["pages"].close()
    second, queries = queries_of(client, "/kaytannot/perhekeskus-1/")

    assert queries == 1
    assert second.content == first.content
