import io
import re
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from practices.spreadsheets import reading
from practices.spreadsheets.reading import HEADINGS, MAX_BLANK_RUN, MAX_CELL_LENGTH, read_table

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!DOCTYPE {root} [\n"
    ' <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n'
    "]>\n"
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, the language they are written in."""
    with translation.override("en"):
        yield


def xlsx_bytes(rows, *, title="Käytännöt", more_sheets=(), prepare=None):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = title
    for row in rows:
        worksheet.append(row)
    for name in more_sheets:
        workbook.create_sheet(name).append(["Nimi"])
    if prepare:
        prepare(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_entries(xlsx, replacements, extra=()):
    """The workbook with some zip entries' contents replaced and extra entries added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename in replacements:
                data = replacements[entry.filename](data)
            target.writestr(entry.filename, data)
        for name, data in extra:
            target.writestr(name, data)
    return buffer.getvalue()


def read(content, filename="practices.xlsx", **kwargs):
    return read_table(SimpleUploadedFile(filename, content), filename=filename, **kwargs)


def messages(table):
    return [str(error.message) for error in table.errors]


def only_error(table):
    assert table.rows == []
    assert len(table.errors) == 1, messages(table)
    return str(table.errors[0].message)


# -- An ordinary workbook --------------------------------------------------------------------


def test_xlsx_rows_come_with_their_row_numbers_and_field_keys():
    content = xlsx_bytes(
        [
            ["Tunniste", "Nimi", "Lyhyt kuvaus", "Kunnat"],
            ["p-1", "Perhekeskus", "Palvelut yhdestä paikasta", "Lohja; Vihti"],
            ["p-2", "Kotikuntoutus", "", "Espoo"],
        ]
    )

    table = read(content)

    assert table.errors == []
    assert table.sheet == "Käytännöt"
    assert table.headings == ["Tunniste", "Nimi", "Lyhyt kuvaus", "Kunnat"]
    assert table.fields == {
        "Tunniste": "identifier",
        "Nimi": "name",
        "Lyhyt kuvaus": "summary",
        "Kunnat": "municipalities",
    }
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, ["p-1", "Perhekeskus", "Palvelut yhdestä paikasta", "Lohja; Vihti"]),
        (3, ["p-2", "Kotikuntoutus", "", "Espoo"]),
    ]
    assert list(table.records())[1] == (
        3,
        {"identifier": "p-2", "name": "Kotikuntoutus", "summary": "", "municipalities": "Espoo"},
    )


def test_every_template_heading_and_english_field_name_is_recognised():
    finnish = read(xlsx_bytes([list(HEADINGS.values()), ["x"] * len(HEADINGS)]))
    english = read(xlsx_bytes([list(HEADINGS), ["x"] * len(HEADINGS)]))

    assert finnish.errors == [] and english.errors == []
    assert list(finnish.fields.values()) == list(HEADINGS)
    assert list(english.fields.values()) == list(HEADINGS)
    assert HEADINGS["target_group_description"] == "Kohderyhmä ja asiakasymmärrys"


def test_headings_match_ignoring_case_surrounding_spaces_and_a_bom():
    content = xlsx_bytes(
        [["\ufeffid", "  NIMI ", "Lyhyt  kuvaus", "KOHDERYHMÄT", "Start_Year"], list("abcde")]
    )

    table = read(content)

    assert table.errors == []
    assert list(table.fields.values()) == [
        "identifier",
        "name",
        "summary",
        "target_groups",
        "start_year",
    ]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    content = xlsx_bytes([["Nimi"], ["Ensimmäinen"], [None], ["   "], ["Toinen"]])

    table = read(content)

    assert [(row.number, row.cells) for row in table.rows] == [
        (2, ["Ensimmäinen"]),
        (5, ["Toinen"]),
    ]


# -- Cell values -----------------------------------------------------------------------------


def test_formulas_come_through_as_their_text_never_evaluated():
    content = xlsx_bytes([["Nimi", "Lähde"], ["=1+1", '=HYPERLINK("http://evil.example")']])

    table = read(content)

    assert table.rows[0].cells == ["=1+1", '=HYPERLINK("http://evil.example")']


def test_numbers_dates_and_text_become_clean_strings():
    content = xlsx_bytes(
        [
            ["Nimi", "Aloitusvuosi", "Tunniste", "Lähde", "Tarve ja tavoitteet", "Tulokset"],
            [
                "  Perhekeskus ",
                2021,
                2022.0,
                1.5,
                "Rivi 1\nRivi 2\twith tab\n",
                date(2024, 3, 5),
            ],
            ["Toinen", 2019, 12, 0.1 + 0.2, "x", datetime(2024, 3, 5, 14, 30)],
        ]
    )

    table = read(content)

    assert table.errors == []
    assert table.rows[0].cells == [
        "Perhekeskus",
        "2021",
        "2022",
        "1.5",
        "Rivi 1\nRivi 2\twith tab",
        "2024-03-05",
    ]
    assert table.rows[1].cells[3:] == ["0.3", "x", "2024-03-05T14:30:00"]


def test_an_over_long_cell_is_an_error_naming_row_and_column():
    content = xlsx_bytes(
        [["Nimi", "Ratkaisu"], ["Lyhyt", "ok"], ["Pitkä", "x" * (MAX_CELL_LENGTH + 1)]]
    )

    table = read(content)

    assert [(error.row, error.column) for error in table.errors] == [(3, "Ratkaisu")]
    assert messages(table) == [
        "The text is 10001 characters long; at most 10000 are allowed. Shorten it."
    ]


def test_a_cell_of_exactly_the_maximum_length_is_accepted():
    content = xlsx_bytes([["Nimi", "Ratkaisu"], ["Pitkä", "x" * MAX_CELL_LENGTH]])

    assert read(content).errors == []


def test_a_value_in_a_column_without_heading_is_an_error():
    content = xlsx_bytes([["Nimi", None, "Tila"], ["Perhekeskus", "orpo", "Luonnos"]])

    table = read(content)

    assert [(error.row, error.column) for error in table.errors] == [(2, "B")]
    assert messages(table) == [
        "This column has a value but no heading. Add the heading or move the value."
    ]


def test_the_same_identifier_twice_is_an_error_naming_both_rows():
    content = xlsx_bytes(
        [["Tunniste", "Nimi"], ["p-1", "Yksi"], ["p-2", "Kaksi"], ["", "Uusi"], ["p-1", "Kolme"]]
    )

    table = read(content)

    assert messages(table) == [
        "Rows 2 and 5 have the same “Tunniste” “p-1”. Each practice may appear only once; "
        "remove or merge one of the rows."
    ]
    assert table.errors[0].row == 5


def test_rows_without_identifier_are_not_duplicates():
    content = xlsx_bytes([["Tunniste", "Nimi"], ["", "Yksi"], ["", "Kaksi"]])

    assert read(content).errors == []


# -- Headings --------------------------------------------------------------------------------


def test_a_file_with_headings_only_is_an_error():
    message = only_error(read(xlsx_bytes([["Tunniste", "Nimi"], [None], [None]])))

    assert message.startswith("The file has headings but no practices.")


def test_a_file_without_a_name_column_is_an_error():
    table = read(xlsx_bytes([["Tunniste", "Lyhyt kuvaus"], ["p-1", "Kuvaus"]]))

    assert table.rows == []
    assert messages(table) == [
        "The file has no “Nimi” (name) column. Use the import template's headings in the first row."
    ]


def test_two_columns_for_the_same_field_are_an_error_naming_both():
    table = read(xlsx_bytes([["Nimi", "Tila", "name"], ["A", "Luonnos", "B"]]))

    assert table.rows == []
    assert messages(table) == [
        "The columns “Nimi” and “name” are for the same field. Keep only one of them."
    ]


def test_an_unknown_heading_is_an_error_suggesting_the_closest_known_one():
    table = read(xlsx_bytes([["Nmi", "Kunat", "Xyzzy"], ["A", "Lohja", "?"]]))

    assert table.rows == []
    assert messages(table) == [
        "Unknown column “Nmi”. Did you mean “Nimi”?",
        "Unknown column “Kunat”. Did you mean “Kunnat”?",
        "Unknown column “Xyzzy”. Use the headings of the import template.",
        "The file has no “Nimi” (name) column. Use the import template's headings in the "
        "first row.",
    ]
    assert [error.column for error in table.errors[:3]] == ["Nmi", "Kunat", "Xyzzy"]


# -- Sheets, merged cells, phantom rows ------------------------------------------------------


def test_the_first_sheet_is_read_unless_another_is_named():
    content = xlsx_bytes([["Nimi"], ["Ensimmäiseltä"]], more_sheets=["Ohjeet"])

    assert read(content).rows[0].cells == ["Ensimmäiseltä"]
    named = read(content, sheet="Ohjeet")
    assert named.sheet == "Ohjeet"
    assert messages(named) == [
        "The file has headings but no practices. Add one practice per row below the headings."
    ]


def test_a_missing_sheet_is_an_error_listing_the_sheets():
    content = xlsx_bytes([["Nimi"], ["A"]], more_sheets=["Ohjeet"])

    message = only_error(read(content, sheet="Toimintamallit"))

    assert message == (
        "The workbook has no sheet “Toimintamallit”. Its sheets are: “Käytännöt”, “Ohjeet”."
    )


def test_merged_cells_keep_the_value_in_the_top_left_cell():
    def merge(worksheet):
        worksheet.merge_cells("B2:C3")

    content = xlsx_bytes(
        [["Nimi", "Kunnat", "Maakunnat"], ["A", "Lohja", None], ["B", None, None]],
        prepare=merge,
    )

    table = read(content)

    assert table.errors == []
    assert [row.cells for row in table.rows] == [["A", "Lohja", ""], ["B", "", ""]]


def with_phantom_rows(xlsx, last_row=1_048_576):
    """Formatting applied to whole columns, saved as styled empty rows down to the sheet's
    last row, as LibreOffice does."""

    def add_rows(sheet_xml):
        text = sheet_xml.decode()
        text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:Z{last_row}"', text)
        phantom = "".join(f'<row r="{n}"><c r="C{n}" s="0"/></row>' for n in range(4, last_row + 1))
        return text.replace("</sheetData>", phantom + "</sheetData>").encode()

    return replace_entries(xlsx, {"xl/worksheets/sheet1.xml": add_rows})


def test_a_sheet_with_a_million_phantom_rows_is_not_read_to_its_end(monkeypatch):
    content = with_phantom_rows(xlsx_bytes([["Nimi", "Kunnat"], ["A", "Lohja"], ["B", "Vihti"]]))
    original = ReadOnlyWorksheet.iter_rows
    pulled = []

    def counting_iter_rows(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            pulled.append(1)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting_iter_rows)
    table = read(content)

    assert table.errors == []
    assert [row.cells for row in table.rows] == [["A", "Lohja"], ["B", "Vihti"]]
    # Reading stops after a long run of blank rows instead of walking a million of them.
    assert len(pulled) <= 3 + MAX_BLANK_RUN + 1


# -- Wrong type, size, hostile workbooks -----------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("practices.txt", b"Nimi\nA\n", "is not a supported spreadsheet"),
        ("practices", b"Nimi\nA\n", "is not a supported spreadsheet"),
        ("practices.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "(.xls) cannot"),
        ("practices.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password"),
        ("practices.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not an Excel workbook"),
        ("practices.xlsx", b"", "The file is empty."),
        ("practices.csv", b"", "The file is empty."),
        ("practices.csv", b"\r\n\r\n", "The file is empty."),
        ("practices.csv", b"%PDF-1.7\n", "not a CSV text file"),
    ],
)
def test_files_of_the_wrong_type_are_refused_clearly(filename, content, expected):
    assert expected in only_error(read(content, filename))


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    assert "not an Excel workbook" in only_error(read(buffer.getvalue()))


def test_an_xlsx_renamed_to_csv_is_refused():
    content = xlsx_bytes([["Nimi"], ["A"]])

    assert "not a CSV text file" in only_error(read(content, "practices.csv"))


def test_a_damaged_workbook_is_refused():
    content = replace_entries(
        xlsx_bytes([["Nimi"], ["A"]]), {"xl/worksheets/sheet1.xml": lambda data: data[:200]}
    )

    assert "may be damaged" in only_error(read(content))


def test_files_over_the_size_limit_are_refused_before_reading(settings):
    settings.PRACTICE_IMPORT_MAX_BYTES = 1024 * 1024
    expected = "The file is larger than 1 MB. Split it into smaller files."
    just_over = b"Nimi\n" + b"A" * 1024 * 1024

    assert only_error(read(just_over, "practices.csv")) == expected
    # Also without a known size, and before looking at the content (this is not text).
    without_size = read_table(io.BytesIO(b"\x00" * (1024 * 1024 + 1)), filename="practices.csv")
    assert only_error(without_size) == expected
    assert read(just_over[:1024], "practices.csv").errors == []


def test_the_default_size_limit_is_20_mb():
    content = b"Nimi\n" + b"A" * (20 * 1024 * 1024)

    assert only_error(read(content, "practices.csv")) == (
        "The file is larger than 20 MB. Split it into smaller files."
    )


def test_a_zip_bomb_is_refused():
    zeros = b"\0" * (60 * 1024 * 1024)  # compresses about 1,000 to 1
    content = replace_entries(xlsx_bytes([["Nimi"], ["A"]]), {}, extra=[("xl/bomb.bin", zeros)])

    assert "cannot be read safely" in only_error(read(content))


def test_a_workbook_with_too_many_entries_is_refused():
    extra = [(f"xl/media/image{n}.png", b"x") for n in range(1000)]
    content = replace_entries(xlsx_bytes([["Nimi"], ["A"]]), {}, extra=extra)

    assert "cannot be read safely" in only_error(read(content))


def test_a_workbook_unpacking_over_the_limit_is_refused(settings):
    settings.PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES = 100_000
    content = xlsx_bytes([["Nimi"], *[[f"Käytäntö {n}"] for n in range(10_000)]])

    assert "cannot be read safely" in only_error(read(content))
    settings.PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000_000
    assert read(content).errors == []


SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
SHARED_STRINGS_RELATIONSHIP = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)


def with_shared_strings(xlsx, shared_strings_xml):
    """The workbook with cell A2 taken from a shared strings part, as Excel stores text."""

    def use_shared_string(sheet_xml):
        return re.sub(
            rb'<c r="A2" t="inlineStr"><is><t>[^<]*</t></is></c>',
            b'<c r="A2" t="s"><v>0</v></c>',
            sheet_xml,
        )

    def add_content_type(types_xml):
        override = (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
        )
        return types_xml.replace(b"</Types>", override.encode() + b"</Types>")

    def add_relationship(rels_xml):
        relationship = (
            f'<Relationship Type="{SHARED_STRINGS_RELATIONSHIP}" Target="sharedStrings.xml" '
            'Id="rId99"/>'
        )
        return rels_xml.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")

    return replace_entries(
        xlsx,
        {
            "xl/worksheets/sheet1.xml": use_shared_string,
            "[Content_Types].xml": add_content_type,
            "xl/_rels/workbook.xml.rels": add_relationship,
        },
        extra=[("xl/sharedStrings.xml", shared_strings_xml.encode())],
    )


SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{}</t></si></sst>'


def entity_attack(entry):
    """A workbook whose sheet or shared strings define nested entities and use them in A2."""
    xlsx = xlsx_bytes([["Nimi"], ["Perhekeskus"]])
    if entry == "xl/sharedStrings.xml":
        return with_shared_strings(xlsx, BILLION_LAUGHS.format(root="sst") + SST.format("&lol4;"))

    def attack(sheet_xml):
        body = sheet_xml.decode().replace(">Perhekeskus<", ">&lol4;<")
        return (BILLION_LAUGHS.format(root="worksheet") + body).encode()

    return replace_entries(xlsx, {entry: attack})


def test_text_from_shared_strings_is_read():
    content = with_shared_strings(xlsx_bytes([["Nimi"], ["x"]]), SST.format("Perhekeskus"))

    assert read(content).rows[0].cells == ["Perhekeskus"]


@pytest.mark.parametrize("entry", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_expansion_is_refused_not_expanded(entry):
    message = only_error(read(entity_attack(entry)))

    assert message.startswith("The workbook contains XML declarations that are not allowed")


@pytest.mark.parametrize("entry", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_the_xml_parser_itself_refuses_entities(entry, monkeypatch):
    """The workbook's own parser is protected too, not only the check before it."""
    monkeypatch.setattr(reading, "_check_no_dtd", lambda archive: None)

    message = only_error(read(entity_attack(entry)))

    assert message.startswith("The workbook contains XML declarations that are not allowed")


# -- CSV -------------------------------------------------------------------------------------


def test_csv_from_finnish_excel_utf8_with_bom_and_semicolons():
    content = "Tunniste;Nimi;Kunnat\r\np-1;Perhekeskus;Lohja, Vihti\r\n".encode("utf-8-sig")

    table = read(content, "practices.csv")

    assert table.errors == []
    assert table.sheet is None
    assert table.fields == {"Tunniste": "identifier", "Nimi": "name", "Kunnat": "municipalities"}
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, ["p-1", "Perhekeskus", "Lohja, Vihti"])
    ]


def test_csv_in_windows_1252():
    content = "Nimi;Kohderyhmät\r\nPäiväkoti “Ilo”;Lapset – nuoret\r\n".encode("cp1252")

    table = read(content, "practices.csv")

    assert table.errors == []
    assert table.headings == ["Nimi", "Kohderyhmät"]
    assert table.rows[0].cells == ["Päiväkoti “Ilo”", "Lapset – nuoret"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_is_taken_from_the_heading_line(delimiter):
    header = delimiter.join(["Nimi", "Lyhyt kuvaus", "Kunnat"])
    content = f'{header}\n"Perhekeskus";"Yksi, kaksi; kolme";Lohja\n'.replace(";", delimiter)
    content = content.replace('"Yksi, kaksi' + delimiter, '"Yksi, kaksi;')

    table = read(content.encode(), "practices.csv")

    assert table.errors == []
    assert table.rows[0].cells == ["Perhekeskus", "Yksi, kaksi; kolme", "Lohja"]


def test_csv_quoted_fields_may_hold_newlines():
    content = b'Nimi;Ratkaisu\r\nA;"Vaihe 1\r\nVaihe 2"\r\nB;"""Lainattu"""\r\n'

    table = read(content, "practices.csv")

    assert [(row.number, row.cells) for row in table.rows] == [
        (2, ["A", "Vaihe 1\nVaihe 2"]),
        (3, ["B", '"Lainattu"']),
    ]


def test_csv_control_characters_are_removed_but_newlines_and_tabs_kept():
    content = b'Nimi;Ratkaisu\r\nPerhe\x07keskus\x7f;"Vaihe\x0b 1\r\n\tVaihe 2\x1b"\r\n'

    table = read(content, "practices.csv")

    assert table.rows[0].cells == ["Perhekeskus", "Vaihe 1\n\tVaihe 2"]


def test_csv_that_is_neither_utf8_nor_windows_1252_is_refused():
    content = b"Nimi;Kunnat\r\nP\xe4iv\xe4koti\x81;Lohja\r\n"

    assert "neither UTF-8 nor Windows" in only_error(read(content, "practices.csv"))


def test_csv_in_utf16_is_refused():
    content = "Nimi\tKunnat\r\nA\tLohja\r\n".encode("utf-16")

    assert "not a CSV text file" in only_error(read(content, "practices.csv"))


def test_csv_header_only_and_unknown_heading():
    assert only_error(read(b"Nimi;Tila\r\n;\r\n", "practices.csv")).startswith(
        "The file has headings but no practices."
    )
    assert messages(read(b"Nimi;Tilaa\r\nA;Luonnos\r\n", "practices.csv")) == [
        "Unknown column “Tilaa”. Did you mean “Tila”?"
    ]


@pytest.mark.parametrize("hint", ["sep=;", '"sep=;"', "SEP=;;"])
def test_excels_separator_line_names_the_delimiter_and_is_not_a_row(hint):
    content = f"{hint}\r\nNimi;Lyhyt kuvaus\r\nPerhekeskus;Kuvaus, pilkulla\r\n".encode("utf-8-sig")

    table = read(content, "kaytannot.csv")

    assert table.errors == []
    assert list(table.records()) == [(2, {"name": "Perhekeskus", "summary": "Kuvaus, pilkulla"})]


def test_a_title_above_the_headings_is_skipped_and_rows_keep_their_sheet_numbers():
    content = xlsx_bytes(
        [
            ["Lohjan hyvät käytännöt 2024"],
            ["Päivitetty 1.3.2024", None, "Yhteyshenkilö: Taru"],
            [None],
            ["Nimi", "Lyhyt kuvaus", "Kunnat"],
            ["Perhekeskus", "Kuvaus", "Lohja"],
        ]
    )

    table = read(content)

    assert table.errors == []
    assert list(table.records()) == [
        (5, {"name": "Perhekeskus", "summary": "Kuvaus", "municipalities": "Lohja"})
    ]


def test_without_a_name_heading_near_the_top_the_first_row_is_taken_as_headings():
    content = xlsx_bytes([["Otsikko", "Kuvaus"], ["Perhekeskus", "Kuvaus"]])

    table = read(content)

    assert (1, None) in [(error.row, error.column) for error in table.errors]
    assert any("Nimi" in str(error.message) for error in table.errors)


def test_singular_headings_of_hand_kept_sheets_are_understood():
    content = xlsx_bytes(
        [
            ["Nimi", "Kunta", "Teema", "Organisaatio", "Yhteyshenkilö", "Vaihe"],
            ["Perhekeskus", "Lohja", "Lapsiperheet", "Lohjan kaupunki", "Taru", "Valmis"],
        ]
    )

    table = read(content)

    assert table.errors == []
    assert set(next(table.records())[1]) == {
        "name",
        "municipalities",
        "themes",
        "organisations",
        "contacts",
        "stage",
    }
