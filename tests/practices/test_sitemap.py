"""The sitemap: /sitemap.xml indexes one sitemap per section, each page in every language."""

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date

from practices import sitemaps
from practices.models import Practice
from tests.factories import (
    make_collection,
    make_county,
    make_organisation,
    make_practice,
    make_region,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
UNPUBLISHED = [Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED]
BASE = "http://testserver"


def make_hidden(status, **kwargs):
    practice = make_practice(**kwargs)
    practice.status = status
    practice.save()
    return practice


def read_xml(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content)


def section_urls(client):
    """{section: [sitemap addresses]} from the index."""
    index = read_xml(client.get("/sitemap.xml"))
    result = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        section = loc.text.removeprefix(f"{BASE}/sitemap-").split(".xml")[0]
        result.setdefault(section, []).append(loc.text)
    return result


def entries(client, url):
    """{loc: (lastmod, {hreflang: href})} of one sitemap."""
    urlset = read_xml(client.get(url))
    result = {}
    for url_element in urlset.findall(f"{SITEMAP}url"):
        loc = url_element.findtext(f"{SITEMAP}loc")
        alternates = {
            link.get("hreflang"): link.get("href") for link in url_element.findall(f"{XHTML}link")
        }
        assert loc not in result, f"{loc} listed twice"
        result[loc] = (url_element.findtext(f"{SITEMAP}lastmod"), alternates)
    return result


def all_locations(client):
    return {
        loc
        for urls in section_urls(client).values()
        for url in urls
        for loc in entries(client, url)
    }


def in_languages(path):
    """The absolute address of a Finnish path in fi, sv and en."""
    return {"fi": f"{BASE}{path}", "sv": f"{BASE}/sv{path}", "en": f"{BASE}/en{path}"}


def test_index_lists_each_section_with_absolute_addresses(client):
    make_practice()

    sections = section_urls(client)

    assert {"pages", "practices"} <= set(sections)
    assert sections["practices"] == [f"{BASE}/sitemap-practices.xml"]
    for urls in sections.values():
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_published_practice_is_listed_in_every_language_with_alternates(client):
    practice = make_practice(slug="perheillat")

    found = entries(client, "/sitemap-practices.xml")

    addresses = in_languages("/kaytannot/perheillat/")
    assert set(found) == set(addresses.values())
    for lastmod, alternates in found.values():
        assert lastmod == timezone.localdate(practice.modified_at).isoformat()
        assert alternates == {**addresses, "x-default": addresses["fi"]}
    for address in addresses.values():
        assert client.get(address).status_code == 200


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_unpublished_practices_and_what_only_they_link_are_left_out(client, status):
    organisation = make_organisation(slug="vain-luonnoksia")
    collection = make_collection(slug="luonnoshanke")
    make_hidden(status, slug="piilossa", organisation=organisation, collection=collection)
    make_practice(slug="julkinen")

    locations = all_locations(client)

    assert f"{BASE}/kaytannot/julkinen/" in locations
    assert not [loc for loc in locations if "piilossa" in loc]
    assert not [loc for loc in locations if "vain-luonnoksia" in loc]
    assert not [loc for loc in locations if "luonnoshanke" in loc]


def test_static_pages_are_listed_in_every_language(client):
    locations = entries(client, "/sitemap-pages.xml")

    with translation.override("fi"):
        list_path = reverse("practices:list")
    for address in in_languages(list_path).values():
        assert address in locations
        assert client.get(address).status_code == 200


def test_static_page_whose_name_does_not_resolve_is_left_out(client, monkeypatch):
    monkeypatch.setattr(
        sitemaps, "STATIC_PAGES", ("practices:no-such-page", *sitemaps.STATIC_PAGES)
    )

    locations = entries(client, "/sitemap-pages.xml")

    assert locations
    for address in locations:
        assert client.get(address).status_code == 200, address


def test_directory_records_are_listed_at_their_pages(client):
    organisation = make_organisation(slug="tampere")
    collection = make_collection(slug="hanke")
    make_practice(organisation=organisation, collection=collection)
    county = make_county(slug="pirha")
    region = make_region(slug="pirkanmaa")
    sections = section_urls(client)

    expected = {
        "organisations": organisation,
        "collections": collection,
        "counties": county,
        "regions": region,
    }
    for section, record in expected.items():
        found = entries(client, sections[section][0])
        with translation.override("sv"):
            swedish = f"{BASE}{record.get_absolute_url()}"
        assert swedish in found, section
        assert client.get(swedish).status_code == 200, section


def test_organisation_lastmod_is_its_modification_date(client):
    organisation = make_organisation(slug="tampere")
    make_practice(organisation=organisation)

    found = entries(client, "/sitemap-organisations.xml")

    lastmod, _alternates = found[f"{BASE}{organisation.get_absolute_url()}"]
    assert lastmod == timezone.localdate(organisation.modified_at).isoformat()


def test_section_whose_pages_do_not_exist_is_left_out(client, monkeypatch):
    monkeypatch.setattr(sitemaps.OrganisationSitemap, "url_name", "directory:no-such-page")
    make_practice(organisation=make_organisation())

    assert "organisations" not in section_urls(client)
    assert client.get("/sitemap-organisations.xml").status_code == 404


def test_unknown_section_is_404(client):
    assert client.get("/sitemap-ei-ole.xml").status_code == 404


def test_large_sections_are_split_into_pages_listed_in_the_index(client, monkeypatch):
    monkeypatch.setattr(sitemaps.PracticeSitemap, "limit", 4)
    practices = [make_practice() for _ in range(3)]

    pages = section_urls(client)["practices"]

    assert pages == [
        f"{BASE}/sitemap-practices.xml",
        f"{BASE}/sitemap-practices.xml?p=2",
        f"{BASE}/sitemap-practices.xml?p=3",
    ]
    listed = []
    for page in pages:
        listed += list(entries(client, page))
    assert sorted(listed) == sorted(
        address
        for practice in practices
        for address in in_languages(practice.get_absolute_url()).values()
    )
    assert client.get("/sitemap-practices.xml?p=4").status_code == 404


def test_practice_sitemap_says_when_it_last_changed(client):
    make_practice()
    newest = make_practice()

    response = client.get("/sitemap-practices.xml")

    assert response["Last-Modified"] == http_date(newest.modified_at.timestamp())
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_query_counts_do_not_grow(client, django_assert_num_queries):
    for count in (2, 8):
        for _ in range(count):
            make_practice(organisation=make_organisation(), collection=make_collection())
        make_county()
        sections = section_urls(client)
        # Per section: how many entries, and the newest modification where it has dates.
        with_dates = {"practices", "organisations"} & set(sections)
        counted = set(sections) - {"pages"}
        with django_assert_num_queries(len(counted) + len(with_dates)):
            client.get("/sitemap.xml")
        # A section's page: how many entries, then the records on the page.
        for section in counted:
            with django_assert_num_queries(2):
                client.get(f"/sitemap-{section}.xml")
        with django_assert_num_queries(0):
            client.get("/sitemap-pages.xml")


def test_only_get_and_head(client):
    assert client.post("/sitemap.xml").status_code == 405
    assert client.head("/sitemap-practices.xml").status_code == 200
