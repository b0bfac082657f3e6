"""Atom feeds of new practices: /syote/ and /syote/<theme>/, in each site language."""

import datetime

import pytest
from defusedxml import ElementTree
from django.utils import translation
from django.utils.translation import gettext

from practices.models import Practice, PracticeOrganisation
from tests.factories import make_organisation, make_practice, make_theme

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
UNPUBLISHED = [Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED]


def published_on(practice, day):
    """Sets when the practice was published (1 = 1 January 2026, 2 = a day later, …)."""
    moment = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC) + datetime.timedelta(day - 1)
    Practice.objects.filter(pk=practice.pk).update(published_at=moment)
    practice.refresh_from_db()
    return practice


def make_hidden(status, **kwargs):
    """A practice that was published once and then left the public (or never got there)."""
    practice = make_practice(**kwargs)
    practice.status = status
    practice.save()
    return practice


def read_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def test_newest_published_practice_comes_first(client):
    published_on(make_practice(name_fi="Vanha"), 1)
    published_on(make_practice(name_fi="Uusin"), 3)
    published_on(make_practice(name_fi="Keskimmäinen"), 2)

    feed = read_feed(client.get("/syote/"))

    assert titles(feed) == ["Uusin", "Keskimmäinen", "Vanha"]


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_unpublished_practices_never_appear(client, status):
    theme = make_theme(slug="perheet")
    make_practice(name_fi="Julkinen").themes.add(theme)
    published_on(make_hidden(status, name_fi="Piilossa"), 5).themes.add(theme)

    for url in ("/syote/", "/syote/perheet/", "/sv/syote/", "/en/syote/perheet/"):
        content = client.get(url).content.decode()
        assert "Julkinen" in content, url
        assert "Piilossa" not in content, url


def test_feed_holds_the_fifty_newest(client):
    for day in range(1, 52):
        published_on(make_practice(name_fi=f"Käytäntö {day}"), day)

    shown = titles(read_feed(client.get("/syote/")))

    assert len(shown) == 50
    assert shown[0] == "Käytäntö 51"
    assert "Käytäntö 1" not in shown


def test_entry_describes_the_practice(client):
    owner = make_organisation(name_fi="Tampereen kaupunki", slug="tampere")
    practice = make_practice(
        name_fi="Perheillat & kahvit",
        slug="perheillat",
        summary_fi="Illat <b>perheille</b> & lapsille.",
        organisation=owner,
    )
    second_owner = make_organisation(name_fi="Pirkanmaan hyvinvointialue", slug="pirha")
    PracticeOrganisation.objects.create(
        practice=practice, organisation=second_owner, role=PracticeOrganisation.Role.OWNER
    )
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=make_organisation(name_fi="Kehittäjä Oy"),
        role=PracticeOrganisation.Role.DEVELOPER,
    )
    practice.themes.add(
        make_theme(name_fi="Perheet", order=1), make_theme(name_fi="Lapset", order=2)
    )
    published_on(practice, 2)

    (entry,) = entries(read_feed(client.get("/syote/")))

    assert entry.findtext(f"{ATOM}title") == "Perheillat & kahvit"
    link = entry.find(f"{ATOM}link").get("href")
    assert link == "http://testserver/kaytannot/perheillat/"
    assert client.get(link).status_code == 200
    # type="html": a reader shows the text as written, tags and all, not as markup.
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "Illat &lt;b&gt;perheille&lt;/b&gt; &amp; lapsille."
    assert entry.findtext(f"{ATOM}published") == "2026-01-02T12:00:00+00:00"
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == practice.modified_at
    authors = [
        (author.findtext(f"{ATOM}name"), author.findtext(f"{ATOM}uri"))
        for author in entry.findall(f"{ATOM}author")
    ]
    assert authors == [
        ("Tampereen kaupunki", "http://testserver" + owner.get_absolute_url()),
        ("Pirkanmaan hyvinvointialue", "http://testserver" + second_owner.get_absolute_url()),
    ]
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Perheet", "Lapset"]


def test_feed_identifies_itself_and_the_site(client):
    published_on(make_practice(), 1)

    feed = read_feed(client.get("/en/syote/"))

    assert feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{ATOM}title") == "Newest practices – Käytäntöpankki"
    assert feed.findtext(f"{ATOM}subtitle") == (
        "Practice models published in Käytäntöpankki, newest first."
    )
    assert feed.findtext(f"{ATOM}id") == "http://testserver/en/syote/"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "self": "http://testserver/en/syote/",
        "alternate": "http://testserver/en/kaytannot/",
    }
    # Entries without an owner organisation are credited to the site.
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Käytäntöpankki"
    assert feed.findtext(f"{ATOM}updated")


def test_swedish_feed_is_in_swedish_and_links_to_swedish_pages(client):
    theme = make_theme(name_fi="Perheet", name_sv="Familjer")
    practice = make_practice(
        name_fi="Perheillat", name_sv="Familjekvällar", summary_sv="Kvällar för familjer."
    )
    practice.themes.add(theme)

    feed = read_feed(client.get("/sv/syote/"))

    with translation.override("sv"):
        expected_title = gettext("Newest practices – %(site)s") % {"site": "Käytäntöpankki"}
    assert feed.findtext(f"{ATOM}title") == expected_title
    assert feed.get(XML_LANG) == "sv"
    (entry,) = entries(feed)
    assert entry.findtext(f"{ATOM}title") == "Familjekvällar"
    assert entry.findtext(f"{ATOM}summary") == "Kvällar för familjer."
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver/sv/kaytannot/{practice.slug}/"
    )
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Familjer"]
    assert entry.get(XML_LANG) is None


def test_entry_in_finnish_fallback_is_marked_finnish(client):
    make_practice(name_fi="Perheillat", summary_fi="Iltoja perheille.")

    (entry,) = entries(read_feed(client.get("/en/syote/")))

    assert entry.findtext(f"{ATOM}summary") == "Iltoja perheille."
    assert entry.get(XML_LANG) == "fi"


def test_theme_feed_lists_only_that_theme(client):
    perheet = make_theme(name_fi="Perheet", name_en="Families", slug="perheet")
    nuoret = make_theme(slug="nuoret")
    make_practice(name_fi="Perheillat").themes.add(perheet)
    make_practice(name_fi="Nuorisotalo").themes.add(nuoret)
    make_practice(name_fi="Molemmat").themes.add(perheet, nuoret)

    feed = read_feed(client.get("/en/syote/perheet/"))

    assert sorted(titles(feed)) == ["Molemmat", "Perheillat"]
    assert feed.findtext(f"{ATOM}title") == "Newest practices on Families – Käytäntöpankki"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/en/kaytannot/?theme=perheet"
    assert links["self"] == "http://testserver/en/syote/perheet/"
    assert client.get(links["alternate"]).status_code == 200


def test_theme_feed_of_unknown_theme_is_404(client):
    assert client.get("/syote/ei-ole/").status_code == 404


def test_theme_feed_without_published_practices_is_empty(client):
    theme = make_theme(slug="hiljainen")
    make_hidden(Practice.Status.DRAFT).themes.add(theme)

    assert entries(read_feed(client.get("/syote/hiljainen/"))) == []


def test_feed_query_count_does_not_grow(client, no_page_cache, django_assert_num_queries):
    theme = make_theme(slug="perheet")

    def add_practices(count):
        for _ in range(count):
            practice = make_practice(organisation=make_organisation())
            practice.themes.add(theme, make_theme())

    for count in (2, 6):
        add_practices(count)
        # The practices, their themes, their owner organisations.
        with django_assert_num_queries(3):
            assert client.get("/syote/").status_code == 200
        # And the theme itself.
        with django_assert_num_queries(4):
            assert client.get("/syote/perheet/").status_code == 200


def test_feed_sends_last_modified(client):
    practice = make_practice()

    response = client.get("/syote/")

    expected = practice.modified_at.astimezone(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert response["Last-Modified"] == expected


@pytest.mark.parametrize(("prefix", "feed_url"), [("", "/syote/"), ("/sv", "/sv/syote/")])
def test_pages_announce_the_feed(client, prefix, feed_url):
    make_practice()

    html = client.get(f"{prefix}/kaytannot/").content.decode()

    assert f'<link rel="alternate" type="application/atom+xml" href="{feed_url}"' in html


def test_practice_page_announces_its_themes_feeds(client):
    theme = make_theme(name_fi="Perheet", name_en="Families", slug="perheet")
    practice = make_practice()
    practice.themes.add(theme)

    html = client.get(f"/en{practice.get_absolute_url()}").content.decode()

    assert (
        '<link rel="alternate" type="application/atom+xml" href="/en/syote/perheet/"'
        ' title="Newest practices on Families – Käytäntöpankki">'
    ) in html
