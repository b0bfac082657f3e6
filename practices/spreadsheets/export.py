"""Writing practices as spreadsheets: one row per practice under the import template's
Finnish headings, as an Excel workbook (XLSX) or as CSV the way Finnish Excel reads it.

Every text cell goes through :func:`values.safe_cell`, so that no spreadsheet program ever
runs a cell as a formula, and import (which applies :func:`values.unescape_cell`) gives back
exactly the text that was exported. The cells are cleaned the way :mod:`.reading` cleans
what it reads (line breaks as ``\\n``, no control characters, no surrounding spaces), so that
an exported file reads back cell for cell.
"""

import csv
import io
import re

from practices.models import DevelopmentStage, Practice, PracticeContact, PracticeOrganisation

from .reading import HEADINGS
from .values import safe_cell

SHEET_TITLE = "Käytännöt"
INSTRUCTIONS_TITLE = "Ohjeet"
SEPARATOR = "; "

# The status words of the Finnish template (values.parse_status accepts them).
STATUS_WORDS = {
    Practice.Status.DRAFT: "Luonnos",
    Practice.Status.IN_REVIEW: "Tarkastettavana",
    Practice.Status.PUBLISHED: "Julkaistu",
    Practice.Status.ARCHIVED: "Arkistoitu",
}

# The practice's translated texts, each exported in Finnish, by heading key.
_TEXT_FIELDS = (
    "name",
    "summary",
    *Practice.SECTION_FIELDS,
)

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# A filled-in practice shown in the template, to be overwritten or deleted. Its lookups,
# places and contact are written as the import accepts them (load_reference_data's names).
EXAMPLE_ROW = {
    "identifier": "",
    "name": "Ikäihmisten asiakasraati",
    "summary": (
        "Ikäihmiset ja heidän läheisensä arvioivat ja kehittävät palveluja yhdessä "
        "ammattilaisten kanssa asiakasraadissa."
    ),
    "need_and_goals": (
        "Palveluja suunniteltiin ilman niiden käyttäjiä. Tavoitteena on, että ikäihmisten "
        "kokemukset ohjaavat palvelujen kehittämistä."
    ),
    "target_change": "Palvelut vastaavat paremmin ikäihmisten tarpeisiin.",
    "target_group_description": (
        "Kotona asuvat ikäihmiset ja heidän omaisensa. Raatiin kutsutaan jäseniä eri puolilta "
        "aluetta."
    ),
    "solution": (
        "Raati kokoontuu neljä kertaa vuodessa. Ammattilaiset tuovat raadille kehitettävän "
        "asian, ja raadin ehdotuksista kerrotaan, mitä niille tehtiin."
    ),
    "results": "Raadin ehdotuksesta kotihoidon asiakaskirjeet kirjoitettiin selkokielelle.",
    "evaluation": "Raadin jäsenet ja ammattilaiset vastaavat palautekyselyyn kerran vuodessa.",
    "adoption_conditions": "Nimetty vastuuhenkilö ja johdon sitoutuminen raadin ehdotuksiin.",
    "tips_for_adopters": "Kerro raadille aina, mitä sen ehdotuksille tapahtui.",
    "resources_and_costs": "Koordinaattorin työaikaa noin neljä tuntia kuukaudessa.",
    "stage": "Vakiintunut käytäntö",
    "target_groups": "Ikääntyneet; Ammattilaiset",
    "themes": "Osallisuus; Ikääntyneet",
    "funders": "Sosiaali- ja terveysministeriö; Hyvinvointialueen oma rahoitus",
    "funding_programme": "Tulevaisuuden sosiaali- ja terveyskeskus -ohjelma",
    "organisations": "Länsi-Uudenmaan hyvinvointialue",
    "municipalities": "Lohja; Vihti",
    "regions": "Uusimaa",
    "wellbeing_counties": "Länsi-Uudenmaan hyvinvointialue",
    "collection": "Tulevaisuuden sosiaali- ja terveyskeskus Länsi-Uusimaa",
    "contacts": "Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>",
    "start_year": "2021",
    "source": "https://www.lohja.fi/",
    "status": "Luonnos",
    "content_language": "fi",
}

# What to write in each column, for the instructions sheet. The template is Finnish, like
# its headings.
_INSTRUCTIONS = {
    "identifier": (
        "Käytännön tunniste. Jätä tyhjäksi uudelle käytännölle. Älä muuta viedyn tiedoston "
        "tunnisteita: niiden avulla tuonti päivittää olemassa olevat käytännöt."
    ),
    "name": "Käytännön nimi. Pakollinen.",
    "summary": "Yksi tai kaksi virkettä: mikä käytäntö on ja ketä se auttaa. Pakollinen.",
    "need_and_goals": "Miksi käytäntö kehitettiin ja mihin sillä pyritään.",
    "target_change": "Muutos, jota käytännöllä tavoitellaan ihmisten elämässä tai palveluissa.",
    "target_group_description": "Kenelle käytäntö on ja miten heidän näkemyksensä kuultiin.",
    "solution": "Miten käytäntö toimii: ydinajatus ja vaiheet.",
    "results": "Mitä on saatu aikaan.",
    "evaluation": "Miten vaikutuksia arvioidaan ja millä mittareilla.",
    "adoption_conditions": "Mitä organisaatio tarvitsee, jotta käytäntö toimii ja juurtuu.",
    "tips_for_adopters": "Neuvoja organisaatiolle, joka haluaa ottaa käytännön käyttöön.",
    "resources_and_costs": "Henkilöstön työaika, raha ja välineet, joita käytäntö vaatii.",
    "stage": "Yksi kehittämisen vaihe nimeltä{stages}.",
    "target_groups": (
        "Kohderyhmät nimeltä ylläpidon luettelosta (suomeksi, ruotsiksi tai englanniksi). "
        "Useampi arvo puolipisteellä (;) erotettuna."
    ),
    "themes": (
        "Teemat nimeltä ylläpidon luettelosta (suomeksi, ruotsiksi tai englanniksi). "
        "Useampi arvo puolipisteellä (;) erotettuna."
    ),
    "funders": (
        "Rahoittajat nimeltä tai lyhenteeltä (esim. STM). Useampi arvo puolipisteellä (;) "
        "erotettuna."
    ),
    "funding_programme": "Ohjelma ja toimenpide, josta rahoitus tuli, esim. RRP, P4, I1.",
    "organisations": (
        "Organisaatiot, jotka omistavat tai kehittävät käytännön. Useampi arvo puolipisteellä "
        "(;) erotettuna. Tuntematon organisaatio luodaan uutena."
    ),
    "municipalities": (
        "Kunnat suomen- tai ruotsinkielisellä nimellä tai kuntanumerolla (esim. 444). "
        "Useampi arvo puolipisteellä (;) erotettuna."
    ),
    "regions": (
        "Maakunnat suomen- tai ruotsinkielisellä nimellä tai maakuntakoodilla (esim. 01). "
        "Useampi arvo puolipisteellä (;) erotettuna."
    ),
    "wellbeing_counties": (
        "Hyvinvointialueet suomen- tai ruotsinkielisellä nimellä tai alueen koodilla. "
        "Useampi arvo puolipisteellä (;) erotettuna."
    ),
    "collection": (
        "Hanke, ohjelma tai verkosto, johon käytäntö kuuluu. Yksi arvo. Tuntematon "
        "kokonaisuus luodaan uutena."
    ),
    "contacts": (
        "Yhteyshenkilöt muodossa Nimi (Tehtävänimike) <sähköposti>; nimike ja sähköposti "
        "voivat puuttua. Useampi henkilö puolipisteellä (;) erotettuna."
    ),
    "start_year": "Vuosi, jona kehittäminen alkoi, neljällä numerolla, esim. 2021.",
    "source": "Tiedon lähde: verkko-osoite tai lähteen nimi.",
    "status": (
        "Yksi näistä: {statuses}. Tyhjä tarkoittaa luonnosta. Vain julkaistut käytännöt "
        "näkyvät kaikille."
    ),
    "content_language": "Kieli, jolla kortti on kirjoitettu: fi, sv tai en. Tyhjä on fi.",
}


# --- Rows ---------------------------------------------------------------------------------


def _clean(text):
    """Cell text as the import reads it back."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARACTERS.sub("", text).strip()


def _cell(text):
    return safe_cell(_clean(text))


def _joined(texts):
    """The parts of a multi-value cell, each once, in order."""
    parts = [_clean(text) for text in texts]
    return _cell(SEPARATOR.join(dict.fromkeys(part for part in parts if part)))


def _contact_entry(contact):
    entry = contact.name.strip()
    title = (contact.title_fi or "").strip()
    if title:
        entry = f"{entry} ({title})"
    if contact.email:
        entry = f"{entry} <{contact.email}>" if entry else contact.email
    return entry


def _cells(practice, related):
    """A practice's cells in heading order; `related` holds the names of its linked records
    (and its contacts' entries) by field, in their display order."""
    cells = {"identifier": _cell(practice.slug)}
    for field in _TEXT_FIELDS:
        cells[field] = _cell(getattr(practice, f"{field}_fi"))
    cells.update(
        stage=_cell(practice.stage.name_fi if practice.stage else ""),
        funding_programme=_cell(practice.funding_programme),
        collection=_cell(practice.collection.name_fi if practice.collection else ""),
        start_year=_cell(str(practice.start_year) if practice.start_year else ""),
        source=_cell(practice.source_url or practice.source_name),
        status=_cell(STATUS_WORDS.get(practice.status, practice.status)),
        content_language=_cell(practice.content_language),
    )
    for key in (*_MANY_FIELDS, "organisations", "contacts"):
        cells[key] = _joined(related.get(key, ()))
    return [cells[key] for key in HEADINGS]


# Multi-value columns that are many-to-many fields of Practice, by column key.
_MANY_FIELDS = {
    "target_groups": "target_groups",
    "themes": "themes",
    "funders": "funders",
    "municipalities": "municipalities",
    "regions": "regions",
    "wellbeing_counties": "wellbeing_counties",
}


def practice_row(practice):
    """One practice's cells in heading order, from prefetched linked records: its many-to-many
    fields, organisation_roles with their organisations, and its contact persons' roles with
    their contacts as `exported_contact_roles`."""
    related = {
        key: [item.name_fi for item in getattr(practice, name).all()]
        for key, name in _MANY_FIELDS.items()
    }
    related["organisations"] = [
        role.organisation.name_fi for role in practice.organisation_roles.all()
    ]
    related["contacts"] = [_contact_entry(role.contact) for role in practice.exported_contact_roles]
    return _cells(practice, related)


# Practices whose linked records are read together, one query per kind.
EXPORT_BATCH_SIZE = 2000


def _ordering(prefix, model):
    """`model`'s default ordering, as seen from a query on a table that links to it."""
    fields = []
    for name in model._meta.ordering:
        descending = name.startswith("-")
        fields.append(("-" if descending else "") + prefix + name.lstrip("-"))
    return fields


def _related_names(ids, using, only_public_contacts):
    """The names of the linked records of the practices `ids`, as practice_row() gives
    them, read as plain values: {column key: {practice id: [names]}}."""
    from contacts.models import Contact

    related = {}
    for key, name in _MANY_FIELDS.items():
        field = Practice._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = (
            through.objects.using(using)
            .filter(**{f"{source}_id__in": ids})
            .order_by(f"{source}_id", *_ordering(f"{target}__", field.related_model))
            .values_list(f"{source}_id", f"{target}__name_fi")
        )
        related[key] = _grouped(rows)

    organisations = (
        PracticeOrganisation.objects.using(using)
        .filter(practice_id__in=ids)
        .order_by("practice_id", *PracticeOrganisation._meta.ordering)
        .values_list("practice_id", "organisation__name_fi")
    )
    related["organisations"] = _grouped(organisations)

    contacts = PracticeContact.objects.using(using).filter(
        practice_id__in=ids, role=PracticeContact.Role.CONTACT
    )
    if only_public_contacts:
        contacts = contacts.filter(contact__in=Contact.objects.using(using).public())
    contacts = contacts.order_by("practice_id", *PracticeContact._meta.ordering).values_list(
        "practice_id", "contact__name", "contact__title_fi", "contact__email"
    )
    related["contacts"] = _grouped(
        (practice_id, _contact_entry(Contact(name=name, title_fi=title, email=email)))
        for practice_id, name, title, email in contacts
    )
    return related


def _grouped(pairs):
    grouped = {}
    for practice_id, value in pairs:
        grouped.setdefault(practice_id, []).append(value)
    return grouped


def practice_rows(queryset, *, only_public_contacts=False):
    """Each practice of the queryset as a list of cell texts in HEADINGS order. The linked
    records are read as plain values, a few queries per EXPORT_BATCH_SIZE practices. The
    source is the URL when there is one, else the source's name; contacts are the practice's
    contact persons (with only_public_contacts, only those who agreed to be shown
    publicly)."""
    using = queryset.db
    practices = queryset.prefetch_related(None).select_related("stage", "collection")
    batch = []
    for practice in practices.iterator(chunk_size=EXPORT_BATCH_SIZE):
        batch.append(practice)
        if len(batch) == EXPORT_BATCH_SIZE:
            yield from _batch_rows(batch, using, only_public_contacts)
            batch = []
    if batch:
        yield from _batch_rows(batch, using, only_public_contacts)


def _batch_rows(practices, using, only_public_contacts):
    related = _related_names([practice.pk for practice in practices], using, only_public_contacts)
    for practice in practices:
        names = {key: by_practice.get(practice.pk, ()) for key, by_practice in related.items()}
        yield _cells(practice, names)


def example_row():
    """The template's example practice, as exported cells."""
    return [_cell(EXAMPLE_ROW[key]) for key in HEADINGS]


def instructions():
    """(heading, what to write) for every column of the template, in Finnish."""
    stages = [name for name in DevelopmentStage.objects.values_list("name_fi", flat=True) if name]
    stage_list = ": " + ", ".join(stages) if stages else " ylläpidon luettelosta"
    statuses = ", ".join(STATUS_WORDS.values())
    texts = dict(_INSTRUCTIONS)
    texts["stage"] = texts["stage"].format(stages=stage_list)
    texts["status"] = texts["status"].format(statuses=statuses)
    return [(HEADINGS[key], texts[key]) for key in HEADINGS]


# --- Files --------------------------------------------------------------------------------


def _text_cell(worksheet, row, column, text, illegal):
    cell = worksheet.cell(row=row, column=column)
    cell.value = illegal.sub("", text or "")
    # Explicitly a string: openpyxl would otherwise take text starting with "=" as a formula.
    cell.data_type = "s"
    return cell


def write_xlsx(rows, file, *, template=False):
    """Write the headings and rows as the sheet "Käytännöt" of an Excel workbook to `file`
    (a path or a binary file). Every cell is stored as text, never as a formula. With
    template=True the example practice comes first and an instructions sheet "Ohjeet" is
    added."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    for column, heading in enumerate(HEADINGS.values(), start=1):
        _text_cell(sheet, 1, column, heading, ILLEGAL_CHARACTERS_RE).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = max(14, len(heading) + 4)
    sheet.freeze_panes = "A2"

    data = [example_row(), *rows] if template else rows
    for number, cells in enumerate(data, start=2):
        for column, text in enumerate(cells, start=1):
            _text_cell(sheet, number, column, text, ILLEGAL_CHARACTERS_RE)

    if template:
        guide = workbook.create_sheet(INSTRUCTIONS_TITLE)
        for column, heading in enumerate(("Sarake", "Mitä kirjoitetaan"), start=1):
            _text_cell(guide, 1, column, heading, ILLEGAL_CHARACTERS_RE).font = bold
        guide.freeze_panes = "A2"
        guide.column_dimensions["A"].width = 36
        guide.column_dimensions["B"].width = 100
        wrap = Alignment(wrap_text=True, vertical="top")
        for number, (heading, text) in enumerate(instructions(), start=2):
            _text_cell(guide, number, 1, heading, ILLEGAL_CHARACTERS_RE).font = bold
            _text_cell(guide, number, 2, text, ILLEGAL_CHARACTERS_RE).alignment = wrap
    workbook.save(file)


def write_csv(rows, file):
    """Write the headings and rows to the binary `file` as Finnish Excel opens CSV: UTF-8
    with a byte order mark, fields separated by semicolons and quoted when they hold a
    semicolon, a quotation mark or a line break, lines ending in CRLF."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text, delimiter=";", quotechar='"', lineterminator="\r\n")
        writer.writerow(HEADINGS.values())
        writer.writerows(rows)
        text.flush()
    finally:
        # Leave the caller's file open.
        text.detach()
