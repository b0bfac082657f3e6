"""The public list and detail pages."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from practices.browse import browse_index
from practices.models import (
    Assessment,
    Attachment,
    Practice,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
)
from tests.factories import (
    make_collection,
    make_contact,
    make_county,
    make_funder,
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _finnish():
    """Each test starts in Finnish: a request leaves its language active in the thread, and
    reverse() in test code would otherwise build another language's URLs."""
    with translation.override("fi"):
        yield


LIST_URL = "/kaytannot/"
# Pages whose interface text is asserted are read in English: those strings are the msgids
# and stay the same whatever the Finnish and Swedish translations say.
EN_LIST_URL = "/en/kaytannot/"

SOLUTION_TEXT = """Ohjaaja kutsuu perheet koolle kerran kuussa.

Illan kulku:
- tervetuloa ja kahvit
- <b>keskustelu</b> teemasta
• yhteenveto

Lisätietoja https://example.fi/illat."""


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, "PNG")
    return buffer.getvalue()


def make_full_practice(**kwargs):
    """A published practice with every section, relation and detail filled in."""
    region = make_region(name_fi="Pirkanmaa")
    county = make_county(name_fi="Pirkanmaan hyvinvointialue", region=region)
    owner = make_organisation(name_fi="Tampereen kaupunki")
    adopter = make_organisation(name_fi="Oriveden kaupunki")
    defaults = {
        "name_fi": "Perheillat",
        "name_sv": "Familjekvällar",
        "summary_fi": "Vertaistukea perheille.",
        "need_and_goals_fi": "Perheet kaipaavat vertaistukea.",
        "solution_fi": SOLUTION_TEXT,
        "results_fi": "Sata perhettä osallistui.",
        "stage": make_stage(name_fi="Valmis", name_en="Ready"),
        "collection": make_collection(
            name_fi="Perhekeskushanke", description_fi="Hanke kehitti perhekeskuksia."
        ),
        "funding_programme": "RRP, P4, I1",
        "start_year": 2021,
        "last_reviewed": datetime.date(2024, 3, 5),
        "source_name": "Innokylä",
        "source_url": "https://innokyla.fi/fi/toimintamalli/perheillat",
        "source_author": "Maija Mallikas",
        "source_created": datetime.date(2022, 1, 10),
        "source_modified": datetime.date(2023, 6, 1),
        "location_note": "Tampere",
        "cover_image_alt_fi": "Perheitä pöydän ääressä",
    }
    defaults.update(kwargs)
    practice = make_practice(organisation=owner, **defaults)
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=adopter,
        role=PracticeOrganisation.Role.ADOPTER,
        unit="Perhepalvelut",
        year=2023,
    )
    practice.themes.add(make_theme(name_fi="Lapset ja perheet"), make_theme(name_fi="Osallisuus"))
    practice.target_groups.add(make_target_group(name_fi="Lapsiperheet"))
    practice.funders.add(make_funder(name_fi="Sosiaali- ja terveysministeriö", abbreviation="STM"))
    practice.municipalities.add(make_municipality(name_fi="Tampere", region=region))
    practice.regions.add(region)
    practice.wellbeing_counties.add(county)
    Recognition.objects.create(
        practice=practice, award_fi="Vuoden teko", year=2023, awarding_body="Kuntaliitto"
    )
    Assessment.objects.create(practice=practice, assessor="Kasvun tuki", scale="1–5", rating="4")
    PracticeLink.objects.create(
        practice=practice, title_fi="Hankkeen sivut", url="https://example.fi/hanke"
    )
    with_file = Attachment(practice=practice, title_fi="Ohjaajan opas")
    with_file.file.save("opas.pdf", ContentFile(b"%PDF-1.4"), save=True)
    Attachment.objects.create(practice=practice, title_fi="Vanha esite")
    practice.cover_image.save("kansi.png", ContentFile(png_bytes()), save=True)
    public = make_contact(
        name="Julkinen Henkilö",
        title_fi="Kehittäjä",
        organisation=owner,
        email="julkinen@example.fi",
        phone="040 123 4567",
        is_public=True,
    )
    hidden = make_contact(name="Salainen Henkilö", email="salainen@example.fi", is_public=False)
    PracticeContact.objects.create(practice=practice, contact=public, order=0)
    PracticeContact.objects.create(practice=practice, contact=hidden, order=1)
    return practice


def h2_texts(html):
    return [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]


def current_page_number(html):
    pagination = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert pagination, "no pagination"
    match = re.search(r'<a [^>]*aria-current="page"[^>]*>(.*?)</a>', pagination.group(0), re.S)
    assert match, "no link marked as the current page"
    return int(re.sub(r"<[^>]+>|\D", "", match.group(1)))


# List page


def test_list_shows_published_practice_with_card_details(client):
    owner = make_organisation(name_fi="Tampereen kaupunki")
    practice = make_practice(
        name_fi="Perheillat",
        summary_fi="Vertaistukea perheille.",
        stage=make_stage(name_fi="Valmis"),
        organisation=owner,
    )
    practice.themes.add(make_theme(name_fi="Osallisuus"))
    practice.municipalities.add(make_municipality(name_fi="Orivesi"))

    response = client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{practice.get_absolute_url()}">Perheillat</a>' in html
    for text in (
        "Vertaistukea perheille.",
        "Valmis",
        "Tampereen kaupunki",
        "Osallisuus",
        "Orivesi",
    ):
        assert text in html


def test_list_card_shortens_long_municipality_lists(client):
    practice = make_practice()
    practice.municipalities.add(
        *(make_municipality(name_fi=f"{letter}kylä") for letter in "ABCDEFGH")
    )

    html = client.get(EN_LIST_URL).content.decode()

    card = re.search(r'<article class="card">.*?</article>', html, re.S).group(0)
    assert "Akylä, Bkylä, Ckylä, Dkylä, Ekylä" in card
    assert "Fkylä" not in card
    assert "and 3 others" in card


def test_list_card_names_municipalities_in_order_in_every_language(client):
    """By name in the page's language, and by the Finnish name where that is all there is."""
    practice = make_practice()
    practice.municipalities.add(
        make_municipality(name_fi="Parainen", name_sv="Pargas"),
        make_municipality(name_fi="Ahvenanmaa X", name_sv="Zåland"),
        make_municipality(name_fi="Kemiönsaari", name_sv="Kimitoön"),
        make_municipality(name_fi="Lohja"),
    )

    def shown(url):
        html = client.get(url).content.decode()
        card = re.search(r'<article class="card">.*?</article>', html, re.S).group(0)
        return " ".join(card.split())

    assert "Ahvenanmaa X, Kemiönsaari, Lohja, Parainen" in shown(LIST_URL)
    assert "Kimitoön, Lohja, Pargas, Zåland" in shown("/sv/kaytannot/")
    assert "Ahvenanmaa X, Kemiönsaari, Lohja, Parainen" in shown(EN_LIST_URL)


def test_list_shows_newest_first(client):
    now = timezone.now()
    make_practice(name_fi="Vanha malli", created_at=now - datetime.timedelta(days=30))
    make_practice(name_fi="Uusi malli", created_at=now)

    html = client.get(LIST_URL).content.decode()

    assert html.index("Uusi malli") < html.index("Vanha malli")


def test_list_hides_unpublished_practices(client):
    make_practice(name_fi="Julkaistu malli")
    for status in ("draft", "in_review", "archived"):
        make_practice(name_fi=f"Piilotettu {status}", status=status)

    html = client.get(EN_LIST_URL).content.decode()

    assert "Julkaistu malli" in html
    assert "Piilotettu" not in html
    assert "1 practice" in html


def test_list_shows_total_count(client):
    for _ in range(3):
        make_practice()
    make_practice(status=Practice.Status.DRAFT)

    response = client.get(EN_LIST_URL)

    assert "3 practices" in response.content.decode()


def test_empty_list_says_so(client):
    response = client.get(EN_LIST_URL)

    assert response.status_code == 200
    assert "No practices have been published yet." in response.content.decode()


def test_list_card_heading_is_h2_under_the_page_h1(client):
    make_practice(name_fi="Perheillat")

    html = client.get(LIST_URL).content.decode()

    assert re.search(r'<h2 class="card__title"><a href="[^"]+">Perheillat</a></h2>', html)


def test_list_is_paginated(client, settings):
    settings.PRACTICES_PER_PAGE = 20
    for _ in range(25):
        make_practice()

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["practices"]) == 20
    assert second.status_code == 200
    assert len(second.context["practices"]) == 5
    first_slugs = {p.slug for p in first.context["practices"]}
    assert first_slugs.isdisjoint(p.slug for p in second.context["practices"])
    html = second.content.decode()
    assert re.search(r'<nav class="pagination" aria-label="[^"]+">', html)
    assert current_page_number(html) == 2
    assert 'href="?page=1"' in html


def test_one_page_has_no_pagination(client):
    make_practice()

    html = client.get(LIST_URL).content.decode()

    assert 'class="pagination"' not in html


def test_pagination_keeps_other_query_parameters(client):
    for _ in range(25):
        make_practice()

    html = client.get(LIST_URL, {"theme": "osallisuus"}).content.decode()

    assert 'href="?theme=osallisuus&amp;page=2"' in html


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("abc", 1),
        ("", 1),
        ("-1", 1),
        ("0", 1),
        ("9999", 2),
        ("2.5", 1),
        ("99999999999999999999", 2),
    ],
)
def test_bad_page_number_shows_nearest_page(client, page, expected):
    for _ in range(25):
        make_practice()

    response = client.get(LIST_URL, {"page": page})

    assert response.status_code == 200
    assert current_page_number(response.content.decode()) == expected


def test_list_query_count_does_not_grow(
    client, no_page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def add_practices(count):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                practice = make_practice(organisation=make_organisation())
                practice.themes.add(make_theme(), make_theme())
                practice.municipalities.add(make_municipality())

    for count, total in ((2, 2), (20, 22)):
        add_practices(count)
        client.get(LIST_URL)  # the first request after a change builds the index
        # Once the list's in-memory index is built: its revision, the page, then themes,
        # municipalities and organisation roles for the whole page. Facets take none.
        with django_assert_num_queries(5):
            response = client.get(LIST_URL)
        assert response.status_code == 200
        assert response.context["paginator"].count == total


# Detail page


def test_detail_shows_practice(client):
    practice = make_full_practice()

    response = client.get(practice.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Perheillat – Käytäntöpankki</title>" in html
    assert "<h1>Perheillat</h1>" in html
    for text in (
        "Vertaistukea perheille.",
        "Valmis",
        "Lapset ja perheet",
        "Osallisuus",
        "Lapsiperheet",
        "Tampereen kaupunki",
        "Oriveden kaupunki</a>, Perhepalvelut",
        "2023",
        "Tampere",
        "Pirkanmaa",
        "Pirkanmaan hyvinvointialue",
        "Perhekeskushanke",
        "Hanke kehitti perhekeskuksia.",
        "Sosiaali- ja terveysministeriö (STM)",
        "RRP, P4, I1",
        "Vuoden teko",
        "Kuntaliitto",
        "Kasvun tuki",
        "Maija Mallikas",
        "2021",
    ):
        assert text in html, text
    assert '<a href="https://example.fi/hanke">Hankkeen sivut</a>' in html
    assert 'href="https://innokyla.fi/fi/toimintamalli/perheillat">Innokylä</a>' in html
    assert re.search(
        r'<img src="/media/covers/\d{4}/kansi[^"]*\.png" alt="Perheitä pöydän ääressä"'
        r' width="2" height="2"',
        html,
    )


def test_detail_shows_every_filled_section_and_hides_empty_ones(client):
    practice = make_full_practice()

    html = client.get("/en" + practice.get_absolute_url()).content.decode()

    headings = h2_texts(html)
    assert "Need and goals" in headings
    assert "Solution" in headings
    assert "Results" in headings
    for empty in (
        "Target change",
        "Target group and customer understanding",
        "Evaluation and measurement",
        "Conditions for adoption",
        "Tips for adopters",
        "Resources and costs",
    ):
        assert empty not in headings
    assert headings.index("Need and goals") < headings.index("Solution") < headings.index("Results")


def test_detail_hides_relation_headings_when_nothing_to_show(client):
    practice = make_practice(name_fi="Pelkistetty")

    html = client.get("/en" + practice.get_absolute_url()).content.decode()

    headings = h2_texts(html)
    for heading in ("Organisations", "Funding", "Contacts", "Attachments", "Links", "Source"):
        assert heading not in headings


def test_detail_renders_paragraphs_and_bullets_escaped(client):
    practice = make_full_practice()

    html = client.get(practice.get_absolute_url()).content.decode()

    assert "<p>Ohjaaja kutsuu perheet koolle kerran kuussa.</p>" in html
    assert "<li>tervetuloa ja kahvit</li>" in html
    assert "<li>&lt;b&gt;keskustelu&lt;/b&gt; teemasta</li>" in html
    assert "<li>yhteenveto</li>" in html
    assert "<b>keskustelu</b>" not in html
    assert '<a href="https://example.fi/illat" rel="nofollow">https://example.fi/illat</a>' in html


def test_detail_attachments_link_to_file_or_say_not_online(client):
    practice = make_full_practice()

    html = client.get("/en" + practice.get_absolute_url()).content.decode()

    # The titles exist in Finnish only: marked as Finnish on the English page.
    assert re.search(
        r'<a href="/media/attachments/\d{4}/opas[^"]*\.pdf" lang="fi">Ohjaajan opas</a>', html
    )
    assert re.search(r"Vanha esite</span>\s*<span[^>]*>\(not available online\)</span>", html)


def test_detail_shows_public_contact_and_hides_non_public(client):
    practice = make_full_practice()

    html = client.get(practice.get_absolute_url()).content.decode()

    assert "Julkinen Henkilö" in html
    assert "Kehittäjä" in html
    # The address is there in parts for people (tests/practices/test_detail_page.py).
    assert '<span class="email__user">julkinen</span>' in html
    assert '<span class="email__domain">example.fi</span>' in html
    assert '<a href="tel:0401234567">040 123 4567</a>' in html
    assert "Salainen Henkilö" not in html
    assert "salainen@example.fi" not in html


def test_detail_of_national_practice_says_national(client):
    practice = make_practice(is_national=True)

    html = client.get("/en" + practice.get_absolute_url()).content.decode()

    assert "National" in html


def test_detail_404_for_unknown_slug(client):
    response = client.get(reverse("practices:detail", kwargs={"slug": "ei-ole"}))

    assert response.status_code == 404


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_detail_404_for_unpublished(client, status):
    practice = make_practice(status=status)

    response = client.get(practice.get_absolute_url())

    assert response.status_code == 404
    assert practice.name not in response.content.decode()


def test_detail_query_count_does_not_grow(client, no_page_cache, django_assert_num_queries):
    practice = make_full_practice()
    browse_index()  # built once per revision and process, as the list page does
    # The practice with stage and collection, then one query per related list, and the
    # revision of the list's index, which holds the practices sharing its themes (none here:
    # no related practices).
    with django_assert_num_queries(14):
        client.get(practice.get_absolute_url())

    for _ in range(5):
        practice.themes.add(make_theme())
        practice.municipalities.add(make_municipality())
        PracticeOrganisation.objects.create(practice=practice, organisation=make_organisation())
        PracticeContact.objects.create(
            practice=practice, contact=make_contact(organisation=make_organisation())
        )
    with django_assert_num_queries(14):
        client.get(practice.get_absolute_url())


# Languages


def test_swedish_page_shows_swedish_name(client):
    practice = make_practice(name_fi="Perheillat", name_sv="Familjekvällar")

    list_html = client.get("/sv/kaytannot/").content.decode()
    detail = client.get(f"/sv/kaytannot/{practice.slug}/")

    assert "Familjekvällar" in list_html
    assert "Perheillat" not in list_html
    assert detail.status_code == 200
    assert "<h1>Familjekvällar</h1>" in detail.content.decode()


def test_swedish_page_falls_back_to_finnish(client):
    practice = make_practice(name_fi="Perheillat", summary_fi="Vertaistukea perheille.")

    detail_html = client.get("/sv" + practice.get_absolute_url()).content.decode()

    assert '<html lang="sv">' in detail_html
    # The Finnish text is marked as Finnish so that screen readers pronounce it right.
    assert '<h1 lang="fi">Perheillat</h1>' in detail_html
    assert '<p class="lead" lang="fi">Vertaistukea perheille.</p>' in detail_html


def test_language_switcher_links_to_same_page(client):
    practice = make_practice()

    html = client.get(practice.get_absolute_url()).content.decode()

    slug_path = f"kaytannot/{practice.slug}/"
    assert f'href="/{slug_path}" lang="fi" hreflang="fi" aria-current="true"' in html
    assert f'href="/sv/{slug_path}" lang="sv" hreflang="sv"' in html
    assert f'href="/en/{slug_path}" lang="en" hreflang="en"' in html
