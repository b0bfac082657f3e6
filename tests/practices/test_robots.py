"""/robots.txt: the public site open to crawlers, the admin, previews, thank-you pages and
downloads closed, in every language; the sitemap named."""

from urllib.robotparser import RobotFileParser

import pytest

from practices.models import Practice
from tests.factories import make_practice

pytestmark = pytest.mark.django_db

UNPUBLISHED = [Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED]
PREFIXES = ["", "/sv", "/en"]


def robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_is_plain_text_and_cacheable(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=86400"} <= cache_control


@pytest.mark.parametrize("prefix", PREFIXES)
def test_public_pages_may_be_crawled(client, prefix):
    practice = make_practice(slug="perheillat")
    parser = robots(client)

    for path in ("/", "/kaytannot/", practice.get_absolute_url(), "/syote/", "/kaytannot/?theme=x"):
        assert parser.can_fetch("*", f"http://testserver{prefix}{path}"), path
    assert parser.can_fetch("*", "http://testserver/api/practices/")
    assert parser.can_fetch("*", "http://testserver/sitemap.xml")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_private_and_duplicate_pages_may_not(client, prefix):
    parser = robots(client)

    for path in (
        "/admin/",
        "/admin/practices/practice/",
        "/esikatselu/12/",
        "/ehdota/kiitos/",
        "/kaytannot/lataa.csv",
        "/kaytannot/lataa.xlsx?theme=perheet",
    ):
        assert not parser.can_fetch("*", f"http://testserver{prefix}{path}"), prefix + path


def test_every_disallowed_path_exists(client):
    """Each rule names an address of this site (a rule for a moved page would protect nothing)."""
    lines = client.get("/robots.txt").content.decode().splitlines()
    paths = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")]

    assert paths
    for path in paths:
        probe = path + "1/" if path.endswith("esikatselu/") else path
        assert client.get(probe).status_code in (200, 302, 405), path


def test_names_the_sitemap_with_an_absolute_address(client):
    parser = robots(client)

    assert parser.site_maps() == ["http://testserver/sitemap.xml"]
    assert client.get("/sitemap.xml").status_code == 200


def test_sitemap_address_follows_the_host(client):
    response = client.get("/robots.txt", headers={"host": "localhost"}, secure=True)

    assert "Sitemap: https://localhost/sitemap.xml" in response.content.decode().splitlines()


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_names_no_practice(client, status):
    """Previews are closed as a folder: the file never gives away an unpublished card."""
    hidden = make_practice(slug="salainen-kortti", status=status)

    text = client.get("/robots.txt").content.decode()

    assert "salainen-kortti" not in text
    assert f"/esikatselu/{hidden.pk}/" not in text


def test_only_get_and_head(client):
    assert client.post("/robots.txt").status_code == 405
    assert client.head("/robots.txt").status_code == 200
