"""Turn an uploaded spreadsheet (XLSX, or CSV as Finnish Excel writes it) into a table of
strings, with every problem reported as an error value rather than an exception.

`read_table()` only reads: it checks the file's type and size, defends against hostile
files (zip bombs, XML entity expansion), matches the headings to the practice's fields and
cleans the cell text. Interpreting the values (stages, municipalities, contacts, …) is left
to the caller.
"""

import contextlib
import csv
import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# The template's headings in order, each with the field it fills.
HEADINGS = {
    "identifier": "Tunniste",
    "name": "Nimi",
    "summary": "Lyhyt kuvaus",
    "need_and_goals": "Tarve ja tavoitteet",
    "target_change": "Tavoiteltu muutos",
    "target_group_description": "Kohderyhmä ja asiakasymmärrys",
    "solution": "Ratkaisu",
    "results": "Tulokset",
    "evaluation": "Arviointi",
    "adoption_conditions": "Toimivuuden ja käyttöönoton ehdot",
    "tips_for_adopters": "Vinkit soveltajille",
    "resources_and_costs": "Resurssit ja kustannukset",
    "stage": "Kehittämisen vaihe",
    "target_groups": "Kohderyhmät",
    "themes": "Teemat",
    "funders": "Rahoittajat",
    "funding_programme": "Rahoitusohjelma",
    "organisations": "Organisaatiot",
    "municipalities": "Kunnat",
    "regions": "Maakunnat",
    "wellbeing_counties": "Hyvinvointialueet",
    "collection": "Kokonaisuus",
    "contacts": "Yhteyshenkilöt",
    "start_year": "Aloitusvuosi",
    "source": "Lähde",
    "status": "Tila",
    "content_language": "Kieli",
}
# Other headings accepted for a field besides its Finnish heading and its key: the singular
# forms and short names that spreadsheets kept by hand use.
EXTRA_HEADINGS = {
    "id": "identifier",
    "Kehitysvaihe": "stage",
    "Vaihe": "stage",
    "Kohderyhmä": "target_groups",
    "Teema": "themes",
    "Rahoittaja": "funders",
    "Organisaatio": "organisations",
    "Kunta": "municipalities",
    "Maakunta": "regions",
    "Hyvinvointialue": "wellbeing_counties",
    "Yhteyshenkilö": "contacts",
}

MAX_CELL_LENGTH = 10_000
# Reading stops after this many blank rows in a row: spreadsheet programs save formatting
# applied to whole columns as a million empty rows.
MAX_BLANK_RUN = 1_000
# How many rows from the top may hold a title or notes above the headings.
HEADING_SEARCH_ROWS = 10
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_ZIP_ENTRIES = 1_000
# Deflate compresses real XML up to about 100:1 (a million identical empty rows reach
# a few hundred); a zip bomb is near the format's limit of about 1,000:1.
DEFAULT_MAX_COMPRESSION_RATIO = 500
# The ratio is only checked for entries bigger than this; tiny entries have odd ratios.
RATIO_CHECK_MIN_BYTES = 1024 * 1024

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
_UTF8_BOM = b"\xef\xbb\xbf"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: .xls, or an encrypted .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def _interpolate(message, params):
    return str(message) % params


_interpolate_lazy = lazy(_interpolate, str)


def _message(message, **params):
    """A translatable message with its placeholders filled in when it is shown, so that it
    appears in the language of whoever reads it."""
    return _interpolate_lazy(message, params) if params else message


@dataclass(frozen=True)
class RowError:
    """A problem with the file (row None), a row, or one cell (row and column)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self):
        return str(self.message)


@dataclass(frozen=True)
class TableRow:
    """One data row: its row number as the spreadsheet program shows it, and one cleaned
    string per heading ("" for an empty cell)."""

    number: int
    cells: list[str]


@dataclass
class Table:
    headings: list[str] = field(default_factory=list)
    # Each recognised heading, as found in the file, with the field key it fills.
    fields: dict[str, str] = field(default_factory=dict)
    rows: list[TableRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The worksheet that was read; None for CSV.
    sheet: str | None = None

    @property
    def is_valid(self):
        return not self.errors

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as (row number, {field key: cell text}) for the recognised columns."""
        keys = [self.fields.get(heading) for heading in self.headings]
        for row in self.rows:
            yield (
                row.number,
                {key: cell for key, cell in zip(keys, row.cells, strict=False) if key},
            )


class _FileError(Exception):
    """Raised inside this module only; read_table() turns it into a RowError."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def read_table(uploaded_file, *, filename, sheet=None) -> Table:
    """Read an uploaded XLSX or CSV file of practices. Never raises for bad input: every
    problem is in `Table.errors`, and when the file as a whole cannot be used (wrong type,
    unknown headings, …) `Table.rows` is empty."""
    table = Table()
    try:
        extension = _extension(filename)
        content = _read_limited(uploaded_file)
        if extension == ".xlsx":
            _build(table, _xlsx_rows(content, sheet, table))
        else:
            _build(table, _csv_rows(content))
    except _FileError as error:
        table.errors = [RowError(None, None, error.message)]
        table.rows = []
    return table


# -- File type and size ----------------------------------------------------------------------


def _extension(filename):
    name = (filename or "").strip().lower()
    for extension in SUPPORTED_EXTENSIONS:
        if name.endswith(extension):
            return extension
    if name.endswith(".xls"):
        raise _FileError(
            _(
                "Old Excel files (.xls) cannot be read. Open the file in Excel and save it as "
                "an Excel workbook (.xlsx)."
            )
        )
    raise _FileError(
        _message(
            _(
                "The file “%(filename)s” is not a supported spreadsheet. Upload an Excel "
                "workbook (.xlsx) or a CSV file (.csv)."
            ),
            filename=filename or "",
        )
    )


def _max_bytes():
    return getattr(settings, "PRACTICE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _too_big(limit):
    return _FileError(
        _message(
            _("The file is larger than %(limit)s MB. Split it into smaller files."),
            limit=_megabytes(limit),
        )
    )


def _read_limited(uploaded_file):
    """The file's bytes, refusing a file over the size limit before reading it whole."""
    limit = _max_bytes()
    size = getattr(uploaded_file, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_big(limit)
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if isinstance(content, str):
        content = content.encode()
    if len(content) > limit:
        raise _too_big(limit)
    if not content.strip():
        raise _FileError(_("The file is empty. Fill in the template and upload it again."))
    return content


# -- XLSX ------------------------------------------------------------------------------------


def _not_xlsx(content):
    if content.startswith(_XLS_MAGIC):
        return _FileError(
            _(
                "The file is an old Excel file (.xls) or a password-protected workbook. Remove "
                "the password and save it as an Excel workbook (.xlsx)."
            )
        )
    return _FileError(
        _(
            "The file is not an Excel workbook although its name ends in .xlsx. Open it in "
            "Excel and save it as an Excel workbook (.xlsx)."
        )
    )


def _check_archive(archive):
    """Refuse archives that would take unreasonable memory or time to unpack."""
    entries = archive.infolist()
    max_entries = getattr(settings, "PRACTICE_IMPORT_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES)
    max_total = getattr(
        settings, "PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )
    max_ratio = getattr(
        settings, "PRACTICE_IMPORT_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO
    )
    refused = _FileError(
        _(
            "The workbook cannot be read safely: it unpacks to far more data than a "
            "spreadsheet of practices holds. Copy the practices into the import template and "
            "upload that."
        )
    )
    if len(entries) > max_entries:
        raise refused
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > max_total:
            raise refused
        if entry.file_size > RATIO_CHECK_MIN_BYTES and entry.file_size > max_ratio * max(
            entry.compress_size, 1
        ):
            raise refused
    if "xl/workbook.xml" not in archive.namelist():
        raise _FileError(
            _(
                "The file is a zip archive but not an Excel workbook. Open it in Excel and "
                "save it as an Excel workbook (.xlsx)."
            )
        )


def _check_no_dtd(archive):
    """Refuse XML with a document type declaration. Workbooks never need one, and it is how
    entity expansion attacks ("billion laughs") work. The XML parser refuses them as well;
    this check gives a clear message whichever parser is in use."""
    overlap = max(len(marker) for marker in _DTD_MARKERS)
    for entry in archive.infolist():
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(entry) as source:
            tail = b""
            while chunk := source.read(1024 * 1024):
                window = tail + chunk
                if any(marker in window for marker in _DTD_MARKERS):
                    raise _unsafe_xml()
                tail = window[-overlap:]


def _unsafe_xml():
    return _FileError(
        _(
            "The workbook contains XML declarations that are not allowed (a possible attack). "
            "Copy the practices into the import template and upload that."
        )
    )


def _xlsx_rows(content, sheet_name, table):
    from openpyxl import load_workbook

    if not content.startswith(_ZIP_MAGIC):
        raise _not_xlsx(content)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        _check_archive(archive)
        _check_no_dtd(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as error:
        raise _not_xlsx(content) from error
    except RuntimeError as error:  # an encrypted entry
        raise _not_xlsx(content) from error

    try:
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except _FileError:
        raise
    except Exception as error:  # openpyxl raises many kinds of error for damaged files
        if _is_defusedxml_error(error):
            raise _unsafe_xml() from error
        raise _FileError(
            _(
                "The workbook could not be opened; it may be damaged. Open it in Excel, "
                "save it as an Excel workbook (.xlsx) and upload it again."
            )
        ) from error
    try:
        names = workbook.sheetnames
        if sheet_name is not None:
            if sheet_name not in names:
                raise _FileError(
                    _message(
                        _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s."),
                        sheet=sheet_name,
                        sheets=", ".join(f"“{name}”" for name in names),
                    )
                )
            worksheet = workbook[sheet_name]
        else:
            if not workbook.worksheets:
                raise _FileError(_("The workbook has no worksheets."))
            worksheet = workbook.worksheets[0]
        if not hasattr(worksheet, "iter_rows"):
            raise _FileError(
                _message(
                    _("The sheet “%(sheet)s” is a chart, not a table. Choose another sheet."),
                    sheet=worksheet.title,
                )
            )
        table.sheet = worksheet.title
        # Ignore the size the sheet claims (often A1:XFD1048576): rows are as long as
        # their last cell and end with the last row actually saved.
        worksheet.reset_dimensions()
        try:
            # Materialised here so that parse errors surface inside this try.
            return list(_stop_at_blank_run(_xlsx_values(worksheet)))
        except _FileError:
            raise
        except Exception as error:
            if _is_defusedxml_error(error):
                raise _unsafe_xml() from error
            raise _FileError(
                _(
                    "The sheet could not be read; the workbook may be damaged. Open it in "
                    "Excel, save it as an Excel workbook (.xlsx) and upload it again."
                )
            ) from error
    finally:
        workbook.close()


def _is_defusedxml_error(error):
    from defusedxml import DefusedXmlException

    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _xlsx_values(worksheet):
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield number, [_cell_text(value) for value in values]


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    # Formulas are strings ("=1+1"); array formulas carry their text.
    return _clean(getattr(value, "text", None) or str(value))


# -- CSV -------------------------------------------------------------------------------------


def _csv_rows(content):
    if content.startswith((_ZIP_MAGIC, _XLS_MAGIC, b"%PDF")) or b"\x00" in content:
        raise _FileError(
            _(
                "The file is not a CSV text file although its name ends in .csv. Save the "
                "sheet as “CSV UTF-8” or “CSV (semicolon delimited)” and upload it again."
            )
        )
    text = _decode(content)
    # Excel reads (and hides) a first line "sep=;" naming the delimiter.
    hint = _SEPARATOR_HINT.match(text)
    if hint:
        delimiter = hint.group(1)
        text = text[hint.end() :]
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        rows = [
            (number, [_clean(value) for value in values])
            for number, values in enumerate(reader, start=1)
        ]
    except csv.Error as error:
        raise _FileError(
            _message(
                _(
                    "The CSV file could not be read near line %(line)s. Check the quotation "
                    "marks there, or save the sheet as an Excel workbook (.xlsx)."
                ),
                line=reader.line_num,
            )
        ) from error
    return list(_stop_at_blank_run(rows))


_SEPARATOR_HINT = re.compile(r'"?sep=([;,\t|])"?[;,\t|]*(?:\r\n|\r|\n)', re.IGNORECASE)


def _decode(content):
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_decodable()
    if content.startswith(_UTF8_BOM):
        try:
            return content[len(_UTF8_BOM) :].decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_decodable() from error
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _not_decodable()


def _not_decodable():
    return _FileError(
        _(
            "The CSV file's characters could not be read: it is neither UTF-8 nor Windows "
            "(Western European) text. In Excel, save it as “CSV UTF-8” and upload it again."
        )
    )


def _sniff_delimiter(text):
    """The delimiter used in the heading line: ';' (Finnish Excel), ',' or tab."""
    counts = dict.fromkeys(";,\t", 0)
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        elif not quoted:
            if character in "\r\n":
                break
            if character in counts:
                counts[character] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


# -- Cells, headings, rows -------------------------------------------------------------------


def _clean(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARACTERS.sub("", text)
    return text.strip().strip("\ufeff").strip()


def _stop_at_blank_run(rows: Iterable[tuple[int, list[str]]]):
    """Skip blank rows; stop after a long run of them."""
    blank_run = 0
    for number, cells in rows:
        if not any(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                return
            continue
        blank_run = 0
        yield number, cells


def _normalise_heading(heading):
    heading = unicodedata.normalize("NFC", heading.replace("\ufeff", ""))
    return " ".join(heading.split()).casefold()


def _known_headings():
    """Every accepted heading, normalised, with its field key and how to show it."""
    known = {}
    for key, finnish in HEADINGS.items():
        known[_normalise_heading(finnish)] = (key, finnish)
        known[_normalise_heading(key)] = (key, key)
    for alias, key in EXTRA_HEADINGS.items():
        known[_normalise_heading(alias)] = (key, alias)
    return known


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _build(table, raw_rows):
    if not raw_rows:
        raise _FileError(_("The file is empty. Fill in the template and upload it again."))
    # Title or note lines above the headings are skipped: the headings are the first of the
    # first few rows with a "Nimi" column (else the first row, and its errors are shown).
    start = next(
        (
            index
            for index, (_number, cells) in enumerate(raw_rows[:HEADING_SEARCH_ROWS])
            if _names(cells)
        ),
        0,
    )
    raw_rows = raw_rows[start:]
    heading_number, heading_cells = raw_rows[0]
    while heading_cells and not heading_cells[-1]:
        heading_cells.pop()
    table.headings = heading_cells
    errors = _match_headings(table, heading_number)
    if "name" not in table.fields.values():
        errors.append(
            RowError(
                heading_number,
                None,
                _(
                    "The file has no “Nimi” (name) column. Use the import template's "
                    "headings in the first row."
                ),
            )
        )
    if len(raw_rows) == 1:
        errors.append(
            RowError(
                None,
                None,
                _(
                    "The file has headings but no practices. Add one practice per row below "
                    "the headings."
                ),
            )
        )
    if errors:
        # The rows cannot be read reliably when the columns are in doubt.
        table.errors = errors
        return

    width = len(heading_cells)
    seen_identifiers = {}
    identifier_column = next(
        (
            index
            for index, heading in enumerate(heading_cells)
            if table.fields.get(heading) == "identifier"
        ),
        None,
    )
    for number, cells in raw_rows[1:]:
        for index, cell in enumerate(cells):
            if index >= width or not heading_cells[index]:
                if cell:
                    errors.append(
                        RowError(
                            number,
                            _column_letter(index),
                            _message(
                                _(
                                    "This column has a value but no heading. Add the heading "
                                    "or move the value."
                                )
                            ),
                        )
                    )
                continue
            if len(cell) > MAX_CELL_LENGTH:
                errors.append(
                    RowError(
                        number,
                        heading_cells[index],
                        _message(
                            _(
                                "The text is %(length)s characters long; at most %(limit)s "
                                "are allowed. Shorten it."
                            ),
                            length=len(cell),
                            limit=MAX_CELL_LENGTH,
                        ),
                    )
                )
        cells = (cells + [""] * width)[:width]
        if identifier_column is not None and (identifier := cells[identifier_column]):
            if identifier in seen_identifiers:
                heading = heading_cells[identifier_column]
                errors.append(
                    RowError(
                        number,
                        heading,
                        _message(
                            _(
                                "Rows %(first)s and %(second)s have the same “%(column)s” "
                                "%(identifier)s. Each practice may appear only once; remove "
                                "or merge one of the rows."
                            ),
                            first=seen_identifiers[identifier],
                            second=number,
                            column=heading,
                            identifier=f"“{identifier}”",
                        ),
                    )
                )
            else:
                seen_identifiers[identifier] = number
        table.rows.append(TableRow(number, cells))
    table.errors = errors


def _names(cells):
    """Whether a row holds the name column's heading."""
    known = _known_headings()
    return any(
        (known.get(_normalise_heading(cell)) or ("",))[0] == "name" for cell in cells if cell
    )


def _match_headings(table, heading_number):
    known = _known_headings()
    errors = []
    found_for_key = {}
    for heading in table.headings:
        if not heading:
            continue
        match = known.get(_normalise_heading(heading))
        if match is None:
            errors.append(RowError(heading_number, heading, _unknown_heading(heading, known)))
            continue
        key = match[0]
        if key in found_for_key:
            errors.append(
                RowError(
                    heading_number,
                    heading,
                    _message(
                        _(
                            "The columns “%(first)s” and “%(second)s” are for the same "
                            "field. Keep only one of them."
                        ),
                        first=found_for_key[key],
                        second=heading,
                    ),
                )
            )
            continue
        found_for_key[key] = heading
        table.fields[heading] = key
    return errors


def _unknown_heading(heading, known):
    close = difflib.get_close_matches(_normalise_heading(heading), list(known), n=1)
    if close:
        return _message(
            _("Unknown column “%(heading)s”. Did you mean “%(suggestion)s”?"),
            heading=heading,
            suggestion=known[close[0]][1],
        )
    return _message(
        _("Unknown column “%(heading)s”. Use the headings of the import template."),
        heading=heading,
    )
