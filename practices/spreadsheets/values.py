"""Turning the text of one spreadsheet cell into model values, and back into safe cell text.

Every parser returns ``(value, errors)``: ``errors`` is a list of translatable messages
written for the staff member who filled in the sheet (what is wrong and how to fix it). An
empty list means the value is good. The messages are lazy: they are rendered in the language
active when they are shown, and the caller adds the row number and column.

Cells may arrive as text or, from XLSX, as numbers; ``None`` is an empty cell.

Exported cells go through :func:`safe_cell` and imported cells through :func:`unescape_cell`
before anything else, so that export followed by import gives back the same text.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import DEFAULT_DB_ALIAS
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from organisations.models import Municipality, Region, WellbeingServicesCounty
from practices.models import DevelopmentStage, Funder, Practice, TargetGroup, Theme

START_YEAR_MIN = 1900
START_YEAR_MAX = 2100

# Parts of a multi-value cell are separated by semicolons or line breaks (Alt+Enter in Excel).
_SEPARATORS = re.compile(r"[;\r\n\u2028\u2029]+")
_YEAR = re.compile(r"\d{1,4}(?:[.,]0*)?")
_YEAR_IN_TEXT = re.compile(r"(?<![\d.,-])(\d{4})(?![\d.,]\d)")
_YEAR_PERIOD = re.compile(r"(\d{4})\s*[-–—]\s*(\d{4})?")
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.(\d{4})")
_CODE = re.compile(r"(\d+)(?:[.,]0*)?")


def _text(value):
    """The cell as text: empty for ``None``, ``2021`` for the float ``2021.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _key(text):
    """What two spellings of one name have in common: case, surrounding and repeated
    spaces, and composed or decomposed letters (ä typed on a Mac) do not matter."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _fold(text):
    """A key without accents, used only to find a suggestion for a misspelt name."""
    decomposed = unicodedata.normalize("NFKD", _key(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _message(template, **params):
    """``template % params``, rendered only when shown so that it is in the reader's language
    (``params`` may themselves be lazy, e.g. a model's verbose name)."""
    return lazy(lambda: template % {k: _render(v) for k, v in params.items()}, str)()


def _render(value):
    return str(value) if isinstance(value, Promise) else value


# --- Multi-value cells ------------------------------------------------------------------------


def split_values(text):
    """The parts of a multi-value cell, separated by ``;`` or line breaks: each part trimmed,
    empty parts dropped, order kept. A part repeated (ignoring case and spacing) is kept
    once, in its first spelling."""
    parts = []
    seen = set()
    for part in _SEPARATORS.split(_text(text)):
        part = part.strip()
        key = _key(part)
        if part and key not in seen:
            seen.add(key)
            parts.append(part)
    return parts


# --- Contacts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactEntry:
    """One person from the Yhteyshenkilöt cell. Parts not given are empty strings."""

    name: str
    title: str = ""
    email: str = ""


_validate_email = EmailValidator()
_CONTACT_FORMAT = _(
    "Write each contact as Name (Title) <name@example.fi>; "
    "the title and the e-mail address may be left out."
)


_PHONE = re.compile(r"(?:(?:p|puh|tel|phone)\.?:?\s*)?\+?[\d\s()/-]{6,}", re.IGNORECASE)


def _parse_listed_contact(entry):
    """``Name, Title, name@example.fi``: a contact written as a list, as many sheets do."""
    parts = [part.strip() for part in entry.split(",") if part.strip()]
    phones = [part for part in parts if _PHONE.fullmatch(part)]
    if phones:
        return None, [
            _message(
                _(
                    "Contact “%(entry)s”: phone numbers are not imported. Remove “%(phone)s” "
                    "from the cell and add it to the contact in the admin. %(format)s"
                ),
                entry=entry,
                phone=phones[0],
                format=_CONTACT_FORMAT,
            )
        ]
    emails = [part for part in parts if "@" in part]
    others = [part for part in parts if "@" not in part]
    if len(emails) > 1 or len(others) > 2:
        return None, [
            _message(
                _(
                    "Contact “%(entry)s” has more parts than a name, a title and an e-mail "
                    "address. Separate contacts with semicolons. %(format)s"
                ),
                entry=entry,
                format=_CONTACT_FORMAT,
            )
        ]
    name = others[0] if others else ""
    title = others[1] if len(others) > 1 else ""
    email = emails[0] if emails else ""
    text = f"{name} ({title})" if title else name
    return parse_contact(f"{text} <{email}>" if email else text)


def parse_contact(text):
    """One contact entry: ``Name (Title) <email>``, ``Name <email>``, ``Name (Title)``,
    ``Name`` or a bare e-mail address. Returns ``(ContactEntry | None, errors)``; an empty
    cell gives ``(None, [])``."""
    entry = " ".join(_text(text).split())
    if not entry:
        return None, []

    if "," in entry and not re.search(r"[<>()]", entry):
        parts = [part.strip() for part in entry.split(",")]
        # "Name, Title, name@example.fi"; without an address or a number, a comma may be
        # part of the name ("Rahkama, Taru").
        if any("@" in part or _PHONE.fullmatch(part) for part in parts):
            return _parse_listed_contact(entry)

    rest, email = entry, ""
    if "<" in entry or ">" in entry:
        match = re.fullmatch(r"([^<>]*)<([^<>]*)>", entry)
        if not match:
            return None, [
                _message(
                    _("Contact “%(entry)s” has unmatched angle brackets. %(format)s"),
                    entry=entry,
                    format=_CONTACT_FORMAT,
                )
            ]
        rest, email = match[1].strip(), match[2].strip()

    name, title = rest, ""
    if "(" in rest or ")" in rest:
        match = re.fullmatch(r"([^()]*)\((.*)\)", rest)
        if not match or match[2].count("(") != match[2].count(")"):
            return None, [
                _message(
                    _("Contact “%(entry)s” has unmatched parentheses. %(format)s"),
                    entry=entry,
                    format=_CONTACT_FORMAT,
                )
            ]
        name, title = match[1].strip(), match[2].strip()

    if not email and "@" in name:
        # A bare address, or "Name name@example.fi" without the angle brackets.
        words = name.split()
        if "@" in words[-1] and not any("@" in word for word in words[:-1]):
            name, email = " ".join(words[:-1]), words[-1]

    errors = []
    if "@" in name or "@" in title:
        errors.append(
            _message(
                _("Contact “%(entry)s”: put the e-mail address inside angle brackets. %(format)s"),
                entry=entry,
                format=_CONTACT_FORMAT,
            )
        )
    if email:
        try:
            _validate_email(email)
        except ValidationError:
            errors.append(
                _message(
                    _(
                        "Contact “%(entry)s”: “%(email)s” is not a valid e-mail address. "
                        "Check it for typing errors, such as a missing @ or a space."
                    ),
                    entry=entry,
                    email=email,
                )
            )
    if not name and not email:
        errors.append(
            _message(
                _("Contact “%(entry)s” has neither a name nor an e-mail address. %(format)s"),
                entry=entry,
                format=_CONTACT_FORMAT,
            )
        )
    for value, field in ((name, "name"), (title, "title")):
        limit = Contact._meta.get_field(field).max_length
        if len(value) > limit:
            errors.append(
                _message(
                    _(
                        "Contact “%(entry)s”: the %(field)s is %(length)d characters long; "
                        "shorten it to at most %(limit)d."
                    ),
                    entry=entry,
                    field=Contact._meta.get_field(field).verbose_name,
                    length=len(value),
                    limit=limit,
                )
            )
    if errors:
        return None, errors
    return ContactEntry(name=name, title=title, email=email), []


def parse_contacts(text):
    """All contacts of a multi-value cell: ``([ContactEntry, …], errors)``. Entries with
    errors are left out of the list and each reported."""
    contacts, errors = [], []
    for part in split_values(text):
        contact, problems = parse_contact(part)
        errors.extend(problems)
        if contact is not None:
            contacts.append(contact)
    return contacts, errors


# --- Status ---------------------------------------------------------------------------------

# The words of the Finnish template, accepted whatever the translations say.
_TEMPLATE_STATUS_WORDS = {
    "luonnos": Practice.Status.DRAFT,
    "tarkastettavana": Practice.Status.IN_REVIEW,
    "julkaistu": Practice.Status.PUBLISHED,
    "arkistoitu": Practice.Status.ARCHIVED,
}


@cache
def _status_words():
    words = dict(_TEMPLATE_STATUS_WORDS)
    for status in Practice.Status:
        words[_key(status.value)] = status
        words[_key(status.value.replace("_", " "))] = status
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                words[_key(str(status.label))] = status
    return words


def _status_labels():
    return ", ".join(str(status.label).capitalize() for status in Practice.Status)


def parse_status(text):
    """A status by its Finnish template word (Luonnos, Tarkastettavana, Julkaistu,
    Arkistoitu), its label in any of the site's languages or its stored value (draft, …),
    ignoring case. An empty cell is a draft. Returns ``(Practice.Status | None, errors)``."""
    value = _text(text).strip()
    if not value:
        return Practice.Status.DRAFT, []
    status = _status_words().get(_key(value))
    if status is not None:
        return status, []
    return None, [
        _message(
            _("Unknown status “%(value)s”. Use one of: %(allowed)s."),
            value=value,
            allowed=lazy(_status_labels, str)(),
        )
    ]


# --- Start year ---------------------------------------------------------------------------


def parse_start_year(text):
    """A year between 1900 and 2100. Spreadsheets may give it as ``2021.0``. An empty cell is
    no year. Returns ``(int | None, errors)``."""
    value = _text(text).strip()
    if not value:
        return None, []
    if _YEAR.fullmatch(value):
        year = int(re.split(r"[.,]", value)[0])
        if START_YEAR_MIN <= year <= START_YEAR_MAX:
            return year, []
    else:
        # A period ("2020–2022", "2019–"), a date ("1.9.2020") or a year in words
        # ("vuodesta 2019"): the year the development began.
        match = _YEAR_PERIOD.fullmatch(value)
        if match and match.group(2) and int(match.group(2)) < int(match.group(1)):
            match = None  # a period that ends before it begins is a typing error
        elif match is None:
            match = _DATE.fullmatch(value)
        if match is None and re.search(r"[^\W\d_]", value):
            years = _YEAR_IN_TEXT.findall(value)
            match = _YEAR_IN_TEXT.search(value) if len(years) == 1 else None
        if match is not None:
            year = int(match.group(1))
            if START_YEAR_MIN <= year <= START_YEAR_MAX:
                return year, []
    return None, [
        _message(
            _(
                "“%(value)s” is not a valid start year. Write the year the development began "
                "as four digits between %(min)d and %(max)d, e.g. 2021."
            ),
            value=value,
            min=START_YEAR_MIN,
            max=START_YEAR_MAX,
        )
    ]


# --- Lookups and places --------------------------------------------------------------------

# The fields by which each model's rows can be named, most authoritative first. When one
# spelling names different rows in different fields, the earlier field wins; when it names
# different rows in the same field, the value is ambiguous and reported. Slugs are not
# accepted: they are names without accents, and "Jarvenpaa" should be questioned, not taken.
_NAME_FIELDS = ("name_fi", "name_sv", "name_en")
_MATCH_FIELDS = {
    DevelopmentStage: _NAME_FIELDS,
    Theme: _NAME_FIELDS,
    TargetGroup: _NAME_FIELDS,
    Funder: (*_NAME_FIELDS, "abbreviation"),
    Municipality: _NAME_FIELDS,
    Region: _NAME_FIELDS,
    WellbeingServicesCounty: _NAME_FIELDS,
}
# Models also matched by their official numeric code (Statistics Finland).
_CODED = (Municipality, Region, WellbeingServicesCounty)

RESOLVABLE_MODELS = tuple(_MATCH_FIELDS)


# Words that follow a place's name in the name of its organisation ("Lohjan kaupunki",
# "Esbo stad", "Uudenmaan liitto"): a cell naming the organisation names the place.
_PLACE_SUFFIXES = {
    Municipality: ("kaupunki", "kunta", "stad", "kommun"),
    Region: ("maakunta", "liitto", "landskap", "förbund"),
    WellbeingServicesCounty: ("hyvinvointialue", "välfärdsområde"),
}


def _nominatives(word):
    """The base forms of a place name written in the genitive ("Lohjan", "Helsingin",
    "Länsi-Uudenmaan"): Voikko's analyses of its last part, and the part without its -n."""
    from practices.search.analysis import voikko_analyses

    head, hyphen, last = word.rpartition("-")
    bases = [base for base, _parts, _adjectives in voikko_analyses(last)]
    if last.casefold().endswith("n") and len(last) > 2:
        bases.append(last[:-1])
    return [f"{head}{hyphen}{base}" for base in dict.fromkeys(bases)]


class _Table:
    """One model's rows, indexed by every accepted spelling."""

    def __init__(self, model, objects):
        self.model = model
        self.by_key = {}
        self.by_code = {}
        self.suggestions = {}  # accent-free key -> name as written, for "Did you mean"
        for field in _MATCH_FIELDS[model]:
            found = {}
            for obj in objects:
                written = (getattr(obj, field) or "").strip()
                if written:
                    found.setdefault(_key(written), []).append(obj)
                    self.suggestions.setdefault(_fold(written), written)
            for key, matches in found.items():
                if key not in self.by_key:
                    self.by_key[key] = list(dict.fromkeys(matches))
        if model in _CODED:
            for obj in objects:
                if obj.code and obj.code.isdigit():
                    self.by_code[int(obj.code)] = obj
        if model is WellbeingServicesCounty:
            # "Länsi-Uusimaa" for "Länsi-Uudenmaan hyvinvointialue", as people say.
            aliases = {}
            for obj in objects:
                words = (obj.name_fi or "").split()
                if len(words) == 2 and words[1].casefold() == "hyvinvointialue":
                    for key in {_key(name) for name in _nominatives(words[0])}:
                        aliases.setdefault(key, []).append(obj)
            for key, matches in aliases.items():
                if key not in self.by_key and len(matches) == 1:
                    self.by_key[key] = matches

    def _organisation_names(self, value):
        """The place named by its organisation's name: "Lohjan kaupunki" → "Lohja"."""
        words = value.split()
        if len(words) < 2 or words[-1].casefold() not in _PLACE_SUFFIXES.get(self.model, ()):
            return []
        stem = words[:-1]
        names = [" ".join(stem)]
        names += [" ".join([*stem[:-1], name]) for name in _nominatives(stem[-1])]
        return names

    def resolve(self, value):
        """``(object | None, errors)`` for one trimmed, non-empty value."""
        what = self.model._meta.verbose_name
        code = _CODE.fullmatch(value) if self.model in _CODED else None
        if code:
            # Spreadsheets drop leading zeros: 91 and 91.0 are code 091.
            obj = self.by_code.get(int(code[1]))
            if obj is not None:
                return obj, []
            return None, [
                _message(
                    _(
                        "No %(what)s has the code “%(value)s”. Check the code, "
                        "or write the name instead."
                    ),
                    what=what,
                    value=value,
                )
            ]

        matches = self.by_key.get(_key(value), [])
        if len(matches) == 1:
            return matches[0], []
        if not matches:
            for name in self._organisation_names(value):
                found = self.by_key.get(_key(name), [])
                if len(found) == 1:
                    return found[0], []
        if matches:
            return None, [
                _message(
                    _(
                        "“%(value)s” is the name of %(count)d different %(what_plural)s. "
                        "Give them different names in the admin, then import again."
                    ),
                    value=value,
                    count=len(matches),
                    what_plural=self.model._meta.verbose_name_plural,
                )
            ]

        close = difflib.get_close_matches(_fold(value), list(self.suggestions), n=1, cutoff=0.6)
        if close:
            return None, [
                _message(
                    _("Unknown %(what)s “%(value)s”. Did you mean “%(suggestion)s”?"),
                    what=what,
                    value=value,
                    suggestion=self.suggestions[close[0]],
                )
            ]
        return None, [
            _message(
                _(
                    "Unknown %(what)s “%(value)s”. Use a name from the list of "
                    "%(what_plural)s in the admin."
                ),
                what=what,
                value=value,
                what_plural=self.model._meta.verbose_name_plural,
            )
        ]


class Resolver:
    """Finds development stages, themes, target groups, funders, municipalities, regions and
    wellbeing services counties by the names, abbreviations and codes written in cells.

    Build one per import: each model's table is read with one query the first time a value
    of that model is resolved, and every later cell is resolved from memory. Rows added to
    the database after that are not seen.
    """

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.using = using
        self._tables = {}

    def _table(self, model):
        if model not in _MATCH_FIELDS:
            raise ValueError(f"{model.__name__} cannot be resolved from a cell.")
        if model not in self._tables:
            objects = list(model._default_manager.using(self.using).all())
            self._tables[model] = _Table(model, objects)
        return self._tables[model]

    def resolve_one(self, model, text):
        """The one row named by a single-value cell: ``(object | None, errors)``. An empty
        cell gives ``(None, [])``; several values in the cell are an error."""
        table = self._table(model)
        values = split_values(text)
        if not values:
            return None, []
        if len(values) > 1:
            return None, [
                _message(
                    _("Give only one %(what)s here; the cell has %(count)d: %(values)s."),
                    what=model._meta.verbose_name,
                    count=len(values),
                    values="; ".join(values),
                )
            ]
        return table.resolve(values[0])

    def resolve_many(self, model, text):
        """The rows named by a multi-value cell, in the order written, each once:
        ``([object, …], errors)``. Unknown values are left out and each reported."""
        objects, errors = [], []
        table = self._table(model)
        for value in split_values(text):
            obj, problems = table.resolve(value)
            if problems and "," in value:
                # Names separated by commas instead of semicolons, when each is known.
                parts = [table.resolve(part.strip()) for part in value.split(",") if part.strip()]
                if parts and all(not part_problems for _obj, part_problems in parts):
                    for part_obj, _problems in parts:
                        if part_obj not in objects:
                            objects.append(part_obj)
                    continue
            errors.extend(problems)
            if obj is not None and obj not in objects:
                objects.append(obj)
        return objects, errors


# --- Export safety ------------------------------------------------------------------------

# A cell starting with one of these is run as a formula by Excel or LibreOffice (tab and
# carriage return are stripped before the check by some versions). The full-width forms are
# converted to the ASCII ones by some input paths.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ESCAPE = "'"


def _needs_escape(text):
    if not text:
        return False
    if text[0] == ESCAPE or text[0] in FORMULA_TRIGGERS:
        return True
    # " =1+1" is still a formula to some spreadsheet programs.
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def safe_cell(value):
    """Text that a spreadsheet program shows but never runs: a cell that could start a
    formula gets one apostrophe in front. Text that already starts with an apostrophe gets
    one too, so that :func:`unescape_cell` can remove exactly one and always give back the
    original. Negative numbers written as text (``-5``) are prefixed like any other text;
    numbers, dates and ``None`` are returned unchanged, as they cannot hold a formula."""
    if isinstance(value, str) and _needs_escape(value):
        return ESCAPE + value
    return value


def unescape_cell(value):
    """The inverse of :func:`safe_cell`, applied to every imported cell before it is parsed:
    one leading apostrophe is removed. (A hand-typed leading apostrophe is therefore dropped;
    Excel itself hides it, so what staff saw in Excel is what is imported.)"""
    if isinstance(value, str) and value.startswith(ESCAPE):
        return value[1:]
    return value
