"""schema.org JSON-LD in the <head> of a practice page."""

import datetime
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from practices.models import Practice, PracticeOrganisation, Recognition
from tests.factories import (
    make_collection,
    make_county,
    make_funder,
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db

UNPUBLISHED = [Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED]
SCRIPT_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
BASE = "http://testserver"


def json_ld(html):
    """The page's JSON-LD blocks, parsed."""
    return [json.loads(block) for block in SCRIPT_RE.findall(html)]


def page_data(client, url):
    response = client.get(url)
    assert response.status_code == 200
    head = response.content.decode().split("</head>")[0]
    (data,) = json_ld(head)
    return data


def make_described_practice():
    region = make_region(name_fi="Pirkanmaa")
    owner = make_organisation(name_fi="Tampereen kaupunki", website="https://tampere.fi")
    practice = make_practice(
        name_fi="Perheillat",
        slug="perheillat",
        summary_fi="Vertaistukea perheille.",
        is_national=True,
        location_note_fi="Tampereen perhekeskus",
        collection=make_collection(name_fi="Perhekeskushanke", website="https://hanke.fi"),
        organisation=owner,
        cover_image_alt_fi="Perheitä pöydän ääressä",
        cover_image_caption_fi="Perheilta keväällä",
    )
    developer = make_organisation(name_fi="Kehittäjä ry")
    PracticeOrganisation.objects.create(
        practice=practice, organisation=developer, role=PracticeOrganisation.Role.DEVELOPER
    )
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=make_organisation(name_fi="Käyttöönottaja"),
        role=PracticeOrganisation.Role.ADOPTER,
    )
    practice.themes.add(
        make_theme(name_fi="Perheet", order=1), make_theme(name_fi="Osallisuus", order=2)
    )
    practice.target_groups.add(make_target_group(name_fi="Lapsiperheet"))
    practice.funders.add(make_funder(name_fi="Sosiaali- ja terveysministeriö", abbreviation="STM"))
    practice.wellbeing_counties.add(
        make_county(name_fi="Pirkanmaan hyvinvointialue", region=region)
    )
    practice.regions.add(region)
    practice.municipalities.add(make_municipality(name_fi="Tampere", region=region))
    Recognition.objects.create(practice=practice, award_fi="Vuoden teko", year=2023)
    practice.cover_image.save("kansi.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    practice.refresh_from_db()
    return practice, owner, developer


def test_describes_the_practice(client):
    practice, owner, developer = make_described_practice()

    data = page_data(client, "/kaytannot/perheillat/")

    local = timezone.localtime
    assert data == {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": "Perheillat",
        "description": "Vertaistukea perheille.",
        "url": f"{BASE}/kaytannot/perheillat/",
        "inLanguage": "fi",
        "dateCreated": local(practice.created_at).isoformat(),
        "dateModified": local(practice.modified_at).isoformat(),
        "datePublished": local(practice.published_at).isoformat(),
        "keywords": ["Perheet", "Osallisuus"],
        "audience": [{"@type": "Audience", "audienceType": "Lapsiperheet"}],
        "author": [
            {
                "@type": "Organization",
                "name": "Tampereen kaupunki",
                "url": f"{BASE}{owner.get_absolute_url()}",
                "sameAs": "https://tampere.fi",
            }
        ],
        "creator": [
            {
                "@type": "Organization",
                "name": "Kehittäjä ry",
                "url": f"{BASE}{developer.get_absolute_url()}",
            }
        ],
        "spatialCoverage": [
            {"@type": "Country", "name": translation.gettext("Finland")},
            {"@type": "AdministrativeArea", "name": "Pirkanmaan hyvinvointialue"},
            {"@type": "AdministrativeArea", "name": "Pirkanmaa"},
            {"@type": "AdministrativeArea", "name": "Tampere"},
            {"@type": "Place", "name": "Tampereen perhekeskus"},
        ],
        "funder": [
            {
                "@type": "Organization",
                "name": "Sosiaali- ja terveysministeriö",
                "alternateName": "STM",
            }
        ],
        "award": ["Vuoden teko 2023"],
        "isPartOf": {
            "@type": "Collection",
            "name": "Perhekeskushanke",
            "url": f"{BASE}{practice.collection.get_absolute_url()}",
            "sameAs": "https://hanke.fi",
        },
        "image": {
            "@type": "ImageObject",
            "url": f"{BASE}{practice.cover_image.url}",
            "caption": "Perheilta keväällä",
            "description": "Perheitä pöydän ääressä",
        },
    }
    # The addresses it gives lead to pages.
    for url in (data["url"], data["author"][0]["url"], data["isPartOf"]["url"]):
        assert client.get(url).status_code == 200, url


def test_gives_only_what_the_practice_has(client):
    make_practice(name_fi="Pelkkä nimi", slug="pelkka", summary_fi="Lyhyesti.")

    data = page_data(client, "/kaytannot/pelkka/")

    assert set(data) == {
        "@context",
        "@type",
        "name",
        "description",
        "url",
        "inLanguage",
        "dateCreated",
        "dateModified",
        "datePublished",
    }


def test_follows_the_page_language(client):
    practice = make_practice(
        slug="perheillat", name_fi="Perheillat", name_sv="Familjekvällar", summary_sv="Stöd."
    )
    practice.themes.add(make_theme(name_fi="Perheet", name_sv="Familjer"))

    swedish = page_data(client, "/sv/kaytannot/perheillat/")
    english = page_data(client, "/en/kaytannot/perheillat/")

    assert swedish["name"] == "Familjekvällar"
    assert swedish["inLanguage"] == "sv"
    assert swedish["url"] == f"{BASE}/sv/kaytannot/perheillat/"
    assert swedish["keywords"] == ["Familjer"]
    # No English text: the Finnish one is shown, and said to be Finnish.
    assert english["name"] == "Perheillat"
    assert english["inLanguage"] == "fi"
    assert english["url"] == f"{BASE}/en/kaytannot/perheillat/"


def test_text_cannot_break_out_of_the_script(client):
    hostile = '</script><script>alert("x")</script> & <!-- kommentti'
    make_practice(slug="vihamielinen", name_fi=hostile, summary_fi="<b>lihavoitu</b>")

    html = client.get("/kaytannot/vihamielinen/").content.decode()

    (block,) = SCRIPT_RE.findall(html)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert data["name"] == hostile
    assert data["description"] == "<b>lihavoitu</b>"
    assert '<script>alert("x")' not in html


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_unpublished_practice_has_no_structured_data(client, admin_client, status):
    practice = make_practice(slug="piilossa", status=status)
    practice.themes.add(make_theme(slug="perheet"))

    assert client.get("/kaytannot/piilossa/").status_code == 404
    preview = admin_client.get(f"/esikatselu/{practice.pk}/")

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "application/ld+json" not in html
    assert "/syote/perheet/" not in html


def test_preview_of_published_practice_has_it_as_the_public_page(admin_client):
    practice = make_practice(slug="julkinen")

    html = admin_client.get(f"/esikatselu/{practice.pk}/").content.decode()

    assert json_ld(html)[0]["name"] == practice.name


def test_tag_reads_only_what_the_detail_page_loaded(django_assert_num_queries):
    practice, _owner, _developer = make_described_practice()
    loaded = Practice.objects.published().for_detail().get(pk=practice.pk)
    template = Template(
        "{% load structured_data %}{% practice_json_ld practice %}{% theme_feed_links practice %}"
    )
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        html = template.render(Context({"practice": loaded, "request": request}))

    assert json_ld(html)[0]["award"] == ["Vuoden teko 2023"]
    assert html.count('type="application/atom+xml"') == 2


def test_dates_are_iso_8601_with_time_zone(client):
    make_practice(slug="perheillat")

    data = page_data(client, "/kaytannot/perheillat/")

    for key in ("dateCreated", "dateModified", "datePublished"):
        assert datetime.datetime.fromisoformat(data[key]).utcoffset() is not None
