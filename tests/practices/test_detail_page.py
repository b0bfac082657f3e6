"""The public page of a practice: key facts, sections and contents, contacts, attachments,
cover image, related practices, address and sharing. Interface text is read on the English
page (the msgids), data in any language."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image

from practices.browse import browse_index
from practices.detail import development_period, file_type
from practices.models import (
    Attachment,
    Practice,
    PracticeOrganisation,
)
from practices.related import RELATED_COUNT, related_practices
from practices.search import index_practices
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

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture(autouse=True)
def _finnish():
    with translation.override("fi"):
        yield


def page(client, practice, language="en", query=""):
    prefix = "" if language == "fi" else f"/{language}"
    response = client.get(f"{prefix}/kaytannot/{practice.slug}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def part(html, pattern):
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(1)


def main(html):
    return part(html, r"<main[^>]*>(.*)</main>")


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",")


def facts(html):
    """{label: value} of the key facts panel."""
    aside = part(html, r'<aside class="practice__facts"[^>]*>(.*?)</aside>')
    return {
        text(label): text(value)
        for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", aside, re.S)
    }


def h2_texts(html):
    return [text(heading) for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def png(width=40, height=30):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def practice_with_facts(**kwargs):
    region = make_region(name_fi="Pirkanmaa")
    owner = make_organisation(name_fi="Tampereen kaupunki")
    defaults = {
        "name_fi": "Perheillat",
        "summary_fi": "Vertaistukea perheille.",
        "stage": make_stage(name_fi="Valmis", name_en="Ready"),
        "collection": make_collection(
            name_fi="Perhekeskushanke",
            start_date=datetime.date(2020, 3, 1),
            end_date=datetime.date(2023, 12, 31),
        ),
        "funding_programme": "RRP, P4, I1",
        "start_year": 2021,
        "location_note_fi": "Hervannan koulu",
    }
    defaults.update(kwargs)
    practice = make_practice(organisation=owner, **defaults)
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=make_organisation(name_fi="Oriveden kaupunki"),
        role=PracticeOrganisation.Role.ADOPTER,
        unit="Perhepalvelut",
        year=2023,
    )
    practice.themes.add(make_theme(name_fi="Osallisuus"))
    practice.target_groups.add(make_target_group(name_fi="Lapsiperheet"))
    practice.funders.add(make_funder(name_fi="Sosiaali- ja terveysministeriö", abbreviation="STM"))
    practice.municipalities.add(make_municipality(name_fi="Tampere", region=region))
    practice.regions.add(region)
    practice.wellbeing_counties.add(make_county(name_fi="Pirkanmaan hyvinvointialue"))
    return practice


# --- Key facts ---------------------------------------------------------------------------------


def test_key_facts_panel_sums_up_the_practice(client):
    practice = practice_with_facts()

    shown = facts(page(client, practice))

    assert shown == {
        "Development stage": "Ready",
        "Wellbeing services counties": "Pirkanmaan hyvinvointialue",
        "Regions": "Pirkanmaa",
        "Municipalities": "Tampere",
        "Location": "Hervannan koulu",
        "Owners": "Tampereen kaupunki",
        "Adopted by": "Oriveden kaupunki, Perhepalvelut (since 2023)",
        "Funders": "Sosiaali- ja terveysministeriö (STM)",
        "Funding programme": "RRP, P4, I1",
        "Development period": "2021–2023",
        "Target groups": "Lapsiperheet",
        "Themes": "Osallisuus",
    }


def test_key_facts_come_first_and_are_not_repeated_below(client):
    practice = practice_with_facts(solution_fi="Näin se toimii.")

    html = main(page(client, practice))

    headings = h2_texts(html)
    assert headings.index("Key facts") < headings.index("Solution")
    assert "Organisations" not in headings
    assert "Funding" not in headings
    for value in ("RRP, P4, I1", "Perhepalvelut", "Sosiaali- ja terveysministeriö"):
        assert html.count(value) == 1, value


def test_key_facts_link_to_the_list_of_practices_with_the_same_theme(client):
    practice = practice_with_facts()
    theme = practice.themes.get()
    group = practice.target_groups.get()

    html = page(client, practice)

    assert f'<a href="/en/kaytannot/?theme={theme.slug}" lang="fi">Osallisuus</a>' in html
    assert f'<a href="/en/kaytannot/?target_group={group.slug}" lang="fi">Lapsiperheet</a>' in html


def test_key_facts_of_a_national_practice_say_so(client):
    practice = make_practice(is_national=True)

    assert facts(page(client, practice))["Area"] == "National"


def test_a_long_list_of_municipalities_is_shortened_with_the_rest_behind_a_disclosure(client):
    practice = make_practice()
    practice.municipalities.add(*(make_municipality(name_fi=f"Kunta {n:02d}") for n in range(15)))

    aside = part(page(client, practice), r'<aside class="practice__facts"[^>]*>(.*?)</aside>')

    shown, hidden = part(aside, r"<dt>Municipalities</dt>(.*?)</dd>").split("<details")
    assert "Kunta 09" in shown and "Kunta 10" not in shown
    assert "and 5 others" in hidden
    assert all(f"Kunta {n}" in hidden for n in range(10, 15))


@pytest.mark.parametrize(
    ("start_year", "start", "end", "expected"),
    [
        (2021, None, datetime.date(2023, 12, 31), "2021–2023"),
        (2021, None, None, "since 2021"),
        (None, datetime.date(2020, 1, 1), datetime.date(2022, 6, 30), "2020–2022"),
        (None, datetime.date(2020, 1, 1), None, "since 2020"),
        (None, None, datetime.date(2022, 6, 30), "until 2022"),
        (2023, None, datetime.date(2023, 1, 31), "2023"),
        # A project that ended before the practice began says nothing of its end.
        (2024, None, datetime.date(2022, 6, 30), "since 2024"),
        (None, None, None, ""),
    ],
)
def test_development_period(start_year, start, end, expected):
    collection = make_collection(start_date=start, end_date=end)
    practice = make_practice(start_year=start_year, collection=collection)

    with translation.override("en"):
        assert development_period(practice) == expected


# --- Sections and the table of contents --------------------------------------------------------


SECTION_HEADINGS = [
    "Need and goals",
    "Target change",
    "Target group and customer understanding",
    "Solution",
    "Results",
    "Evaluation and measurement",
    "Conditions for adoption",
    "Tips for adopters",
    "Resources and costs",
]


def test_every_section_is_shown_in_card_order(client):
    practice = make_practice(
        **{f"{field}_fi": f"Teksti {field}." for field in Practice.SECTION_FIELDS}
    )

    html = main(page(client, practice))

    headings = [h for h in h2_texts(html) if h in SECTION_HEADINGS]
    assert headings == SECTION_HEADINGS
    for field in Practice.SECTION_FIELDS:
        assert f'<h2 id="{field}">' in html
        assert f"Teksti {field}." in html


def test_table_of_contents_links_to_every_part_present_in_page_order(client):
    practice = make_practice(
        need_and_goals_fi="Tarve.",
        solution_fi="Ratkaisu.",
        source_name="Innokylä",
        contacts=[make_contact(name="Julkinen Henkilö")],
    )
    Attachment.objects.create(practice=practice, title_fi="Esite")

    html = main(page(client, practice))

    toc = part(html, r'<nav class="toc" aria-labelledby="toc-heading">(.*?)</nav>')
    assert "On this page" in toc
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert links == [
        ("need_and_goals", "Need and goals"),
        ("solution", "Solution"),
        ("attachments", "Attachments"),
        ("contacts", "Contacts"),
        ("source", "Source"),
    ]
    targets = [html.index(f'<h2 id="{anchor}">') for anchor, _label in links]
    assert targets == sorted(targets)
    # The headings the links lead to are those the contents name.
    assert [h for h in h2_texts(html) if h in dict(links).values()] == [
        label for _anchor, label in links
    ]


def test_short_page_has_no_table_of_contents(client):
    practice = make_practice(need_and_goals_fi="Tarve.", solution_fi="Ratkaisu.")

    html = page(client, practice)

    assert 'class="toc"' not in html
    assert "On this page" not in html


# --- Contacts ----------------------------------------------------------------------------------


def test_contact_email_is_readable_but_not_in_the_page_as_an_address(client):
    contact = make_contact(
        name="Maija Mallikas",
        title_fi="Kehittäjä",
        organisation=make_organisation(name_fi="Tampereen kaupunki"),
        email="maija.mallikas@tampere.fi",
        phone="040 123 4567",
    )
    practice = make_practice(contacts=[contact])

    html = page(client, practice)

    content = main(html)
    assert not EMAIL_RE.search(html)
    assert "maija.mallikas@tampere.fi" not in html
    # Only the share-by-e-mail link, which has no recipient, is a mailto: link.
    assert re.findall(r"mailto:[^\"]*", html) == [
        m for m in re.findall(r"mailto:[^\"]*", html) if m.startswith("mailto:?")
    ]
    card = part(content, r'<li class="contact">(.*?)</li>')
    assert "Maija Mallikas" in card
    assert "Kehittäjä" in card
    assert "Tampereen kaupunki" in card
    # A person reads "maija.mallikas (at) tampere.fi"; the script makes it a link.
    assert "E-mail: maija.mallikas (at) tampere.fi" in text(card)
    assert '<span class="email js-email"><span class="email__user">maija.mallikas</span>' in card
    assert '<a href="tel:0401234567">040 123 4567</a>' in card
    assert re.search(r'<script src="/static/js/detail\.js" defer></script>', html)


def test_contact_email_address_parts_are_never_joined_in_the_page_in_any_language(client):
    practice = make_practice(contacts=[make_contact(email="etunimi.sukunimi@kunta.fi")])

    for language in ("fi", "sv", "en"):
        html = page(client, practice, language)
        assert not EMAIL_RE.search(html), language
        assert "etunimi.sukunimi" in html and "kunta.fi" in html


def test_an_email_address_written_in_a_section_is_protected_too(client):
    practice = make_practice(
        solution_fi=(
            "Kysy lisää osoitteesta neuvola@kunta.fi.\nKunnan sivu: https://example.fi/@kunta"
        )
    )

    html = page(client, practice)

    assert not EMAIL_RE.search(html.replace("https://example.fi/@kunta", ""))
    assert "neuvola (at) kunta.fi" in text(main(html))
    assert '<a href="https://example.fi/@kunta" rel="nofollow">' in html


def test_only_public_contacts_are_shown(client):
    public = make_contact(name="Julkinen Henkilö", email="julkinen@example.fi")
    hidden = make_contact(
        name="Salainen Henkilö", email="salainen@example.fi", phone="050 1", is_public=False
    )
    practice = make_practice(contacts=[public, hidden])

    html = page(client, practice)

    assert "Julkinen Henkilö" in html
    assert "Salainen" not in html
    assert "salainen" not in html
    assert "050 1" not in html


def test_page_has_no_inline_scripts_or_event_handlers_in_its_content(client):
    practice = make_practice(contacts=[make_contact()])

    content = main(page(client, practice))

    assert "<script" not in content
    assert not re.search(r"\son[a-z]+=", content)


# --- Attachments -------------------------------------------------------------------------------


def add_attachment(practice, title, filename, data):
    attachment = Attachment(practice=practice, title_fi=title)
    attachment.file.save(filename, ContentFile(data), save=True)
    return attachment


def attachment_items(html):
    return [text(item) for item in re.findall(r'<li class="attachment">(.*?)</li>', html, re.S)]


def test_attachments_show_type_and_size(client):
    practice = make_practice()
    add_attachment(practice, "Ohjaajan opas", "opas.pdf", b"%PDF-1.4")
    add_attachment(practice, "Lomake", "lomake.docx", b"x" * 1536)
    add_attachment(practice, "Tilastot", "tilastot.xlsx", b"x" * 3 * 1024 * 1024)

    items = attachment_items(page(client, practice))

    assert items == [
        "Ohjaajan opas (PDF, 8 bytes)",
        "Lomake (Word document, 1.5 KB)",
        "Tilastot (Excel workbook, 3.0 MB)",
    ]


def test_attachment_size_is_written_the_finnish_way_on_the_finnish_page(client):
    practice = make_practice()
    add_attachment(practice, "Lomake", "lomake.docx", b"x" * 1536)

    items = attachment_items(page(client, practice, "fi"))

    assert len(items) == 1
    assert "1,5 KB" in items[0]


def test_attachment_whose_file_is_missing_is_listed_without_a_size(client):
    practice = make_practice()
    lost = add_attachment(practice, "Kadonnut opas", "kadonnut.pdf", b"%PDF-1.4")
    lost.file.storage.delete(lost.file.name)
    Attachment.objects.create(practice=practice, title_fi="Vanha esite")

    html = page(client, practice)

    assert attachment_items(html) == ["Kadonnut opas (PDF)", "Vanha esite (not available online)"]
    assert re.search(r'<a href="/media/attachments/\d{4}/kadonnut[^"]*\.pdf"', html)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("attachments/2024/opas.PDF", "PDF"),
        ("lomake.odt", "OpenDocument text"),
        ("kalvot.pptx", "PowerPoint presentation"),
        ("kuva.jpeg", "JPEG image"),
        ("arkisto.zip", "ZIP"),
        ("ilman-paatetta", ""),
    ],
)
def test_file_type_by_extension(name, expected):
    with translation.override("en"):
        assert file_type(name) == expected


# --- Cover image -------------------------------------------------------------------------------


def test_cover_image_has_its_alt_text_size_and_caption(client):
    practice = make_practice(
        cover_image_alt_fi="Perheitä pöydän ääressä", cover_image_caption_fi="Kuva: Tampere"
    )
    practice.cover_image.save("kansi.png", ContentFile(png(40, 30)), save=True)

    html = page(client, practice, "fi")

    figure = part(html, r'<figure class="practice__cover">(.*?)</figure>')
    img = part(figure, r"(<img [^>]*>)")
    assert re.search(r'src="/media/covers/\d{4}/kansi[^"]*\.png"', img)
    assert 'alt="Perheitä pöydän ääressä"' in img
    assert 'width="40" height="30"' in img
    assert "<figcaption>Kuva: Tampere</figcaption>" in figure


def test_cover_image_without_alt_text_is_decorative(client):
    practice = make_practice()
    practice.cover_image.save("kansi.png", ContentFile(png()), save=True)

    html = page(client, practice)

    assert 'alt=""' in part(html, r"(<img [^>]*>)")


def test_cover_image_whose_file_is_missing_is_left_out(client):
    practice = make_practice(cover_image_alt_fi="Kuva")
    practice.cover_image.save("kansi.png", ContentFile(png()), save=True)
    practice.cover_image.storage.delete(practice.cover_image.name)

    html = page(client, practice)

    assert "<img" not in main(html)


# --- Related practices -------------------------------------------------------------------------


def related_names(html):
    if 'aria-labelledby="related-heading"' not in html:
        return []
    section = part(
        html, r'<section class="related" aria-labelledby="related-heading">(.*?)</section>'
    )
    assert '<h2 id="related-heading">Related practices</h2>' in section
    return [
        text(name)
        for name in re.findall(r'<h3 class="card__title"[^>]*><a [^>]*>(.*?)</a></h3>', section)
    ]


@pytest.fixture
def indexed():
    """Brings the search index (and its vocabulary) up to date with the practices made so far,
    as the commit of a real transaction would."""

    def index():
        index_practices(Practice.objects.all())

    return index


def test_related_practices_are_ranked_by_shared_themes_and_target_groups(client, indexed):
    themes = [make_theme(), make_theme()]
    group = make_target_group()
    practice = make_practice(name_fi="Perheillat")
    practice.themes.add(*themes)
    practice.target_groups.add(group)
    most = make_practice(name_fi="Kolme yhteistä")
    most.themes.add(*themes)
    most.target_groups.add(group)
    some = make_practice(name_fi="Kaksi yhteistä")
    some.themes.add(*themes)
    one = make_practice(name_fi="Yksi yhteinen")
    one.target_groups.add(group)
    make_practice(name_fi="Ei mitään yhteistä").themes.add(make_theme())
    indexed()

    assert related_names(page(client, practice)) == [
        "Kolme yhteistä",
        "Kaksi yhteistä",
        "Yksi yhteinen",
    ]


def test_related_practice_with_a_similar_name_and_description_ranks_higher(client, indexed):
    theme = make_theme()
    practice = make_practice(
        name_fi="Seudulliset vanhempainillat",
        summary_fi="Vanhempainillat kokoavat koulun vanhemmat yhteen.",
    )
    practice.themes.add(theme)
    # Newer practices come first when all else is equal: the older one is the similar one.
    similar = make_practice(
        name_fi="Digitaaliset vanhempainillat",
        summary_fi="Vanhempainillat verkossa koko koulun vanhemmille.",
    )
    other = make_practice(name_fi="Liikuntakerho", summary_fi="Kerho liikuttaa eläkeläisiä.")
    for each in (similar, other):
        each.themes.add(theme)
    indexed()

    related = related_practices(Practice.objects.for_detail().get(pk=practice.pk))

    assert [p.name for p in related] == ["Digitaaliset vanhempainillat", "Liikuntakerho"]
    assert related[0].text_similarity > 0.3
    assert related[1].text_similarity == 0
    assert related_names(page(client, practice)) == [p.name for p in related]


def test_at_most_four_related_practices_are_shown_as_cards(client, indexed):
    theme = make_theme()
    practice = make_practice()
    practice.themes.add(theme)
    for _ in range(RELATED_COUNT + 3):
        make_practice().themes.add(theme)
    indexed()

    html = page(client, practice)

    assert len(related_names(html)) == RELATED_COUNT == 4
    section = part(html, r'<section class="related"[^>]*>(.*?)</section>')
    assert section.count('<article class="card">') == 4
    assert "<h2" not in section.replace('<h2 id="related-heading">', "")


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_unpublished_practices_are_never_related(client, indexed, status):
    theme, group = make_theme(), make_target_group()
    practice = make_practice(name_fi="Perheillat", summary_fi="Perheillat kouluilla.")
    practice.themes.add(theme)
    practice.target_groups.add(group)
    hidden = make_practice(
        name_fi="Perheillat piilossa", summary_fi="Perheillat kouluilla.", status=status
    )
    hidden.themes.add(theme)
    hidden.target_groups.add(group)
    shown = make_practice(name_fi="Julkaistu")
    shown.themes.add(theme)
    indexed()

    html = page(client, practice)

    assert related_names(html) == ["Julkaistu"]
    assert "Perheillat piilossa" not in html


def test_without_anything_in_common_there_are_no_related_practices(client, indexed):
    practice = make_practice(name_fi="Perheillat")
    practice.themes.add(make_theme())
    make_practice(name_fi="Perheillat toisaalla").themes.add(make_theme())
    indexed()

    html = page(client, practice)

    assert related_names(html) == []
    assert "Related practices" not in html


def test_page_query_count_does_not_depend_on_the_related_practices(
    client, indexed, django_assert_num_queries
):
    theme, group = make_theme(), make_target_group()
    practice = make_practice(name_fi="Perheillat", summary_fi="Vertaistukea perheille.")
    practice.themes.add(theme)
    practice.target_groups.add(group)

    def add_related(count):
        for _ in range(count):
            related = make_practice(
                name_fi="Perheillat", summary_fi="Vertaistukea.", organisation=make_organisation()
            )
            related.themes.add(theme, make_theme())
            related.target_groups.add(group)
            related.municipalities.add(make_municipality())
        indexed()

    for count in (1, 12):
        add_related(count)
        # The list's in-memory index of this revision, which each process builds once.
        browse_index()
        # The search index revision (the page cache's); the practice and its 12 related lists
        # (Practice.objects.for_detail()); the revision again, for the index of the
        # practices sharing its themes, the vocabulary, the candidates' words; the related
        # practices with their themes, municipalities and organisations.
        with django_assert_num_queries(1 + 13 + 3 + 4):
            html = page(client, practice)
        assert len(related_names(html)) == min(count, 4)


def test_page_without_related_practices_query_count(client, django_assert_num_queries):
    practice = make_practice()

    # The search index revision (the page cache's); the practice and its 12 related lists; no
    # themes or target groups, nothing to relate.
    with django_assert_num_queries(1 + 13):
        page(client, practice)


def test_preview_of_a_draft_shows_its_published_related_practices(admin_client, indexed):
    theme = make_theme()
    draft = make_practice(name_fi="Luonnos", status="draft")
    draft.themes.add(theme)
    make_practice(name_fi="Julkaistu sukulainen").themes.add(theme)
    make_practice(name_fi="Toinen luonnos", status="draft").themes.add(theme)
    indexed()

    response = admin_client.get(f"/en/esikatselu/{draft.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert related_names(html) == ["Julkaistu sukulainen"]
    # A draft has no public address to call its own yet.
    assert 'rel="canonical"' not in html


# --- Address and sharing -----------------------------------------------------------------------


def test_canonical_address_is_the_page_in_its_language_without_query_string(client):
    practice = make_practice(slug="perheillat")

    finnish = page(client, practice, "fi", query="?utm_source=uutiskirje")
    english = page(client, practice, "en")

    assert '<link rel="canonical" href="http://testserver/kaytannot/perheillat/">' in finnish
    assert '<link rel="canonical" href="http://testserver/en/kaytannot/perheillat/">' in english


def test_share_works_without_javascript(client):
    practice = make_practice(name_fi="Perheillat & muut", slug="perheillat")

    html = page(client, practice)

    share = part(html, r'<section class="share" aria-labelledby="share-heading">(.*?)</section>')
    assert '<h2 id="share-heading">Share</h2>' in share
    # The address to copy, in a labelled read-only field.
    assert '<label for="share-url">Address of this page</label>' in share
    field = part(share, r'(<input id="share-url"[^>]*>)')
    assert 'value="http://testserver/en/kaytannot/perheillat/"' in field
    assert "readonly" in field
    # Sending it by e-mail: the name as the subject, the address as the message.
    assert (
        'href="mailto:?subject=Perheillat%20%26%20muut&amp;'
        'body=http%3A//testserver/en/kaytannot/perheillat/"'
    ) in share
    # The button the script brings out is hidden without it, with the messages it says.
    button = part(share, r"(<button [^>]*>)")
    assert " hidden" in button
    assert 'data-url="http://testserver/en/kaytannot/perheillat/"' in button
    assert 'data-copied="The link was copied. You can now paste it elsewhere."' in button
    assert re.search(r'<p class="share__status" id="share-status" role="status"></p>', share)
