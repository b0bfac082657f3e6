"""Importing practices from a table read by :func:`.reading.read_table`.

Import happens in two steps, so that staff see exactly what will change before anything does:

- :func:`plan_import` interprets every row (lookups, places, organisations, contacts, …),
  matches it to an existing practice and works out what would change, field by field. It
  reads the database but writes nothing. Every problem is a :class:`RowError` in the plan.
- :func:`apply_import` writes a plan without errors in one transaction, records every
  created or changed practice in the admin's edit history under the importing user, and then
  brings the search index up to date. A plan with any error writes nothing.

A row matches an existing practice by its ``Tunniste`` (the slug, which export writes), else
by its Finnish name among the practices of the first organisation in ``Organisaatiot``.
Columns missing from the file leave the matching fields of existing practices untouched.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty
from practices.models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeOrganisation,
    TargetGroup,
    Theme,
)

from .export import STATUS_WORDS, practice_row
from .reading import HEADINGS, RowError, Table
from .values import (
    Resolver,
    parse_contacts,
    parse_start_year,
    parse_status,
    split_values,
    unescape_cell,
)

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"

# The practice's translated texts, stored in their Finnish columns.
TEXT_FIELDS = ("name", "summary", *Practice.SECTION_FIELDS)
# Multi-value cells naming rows of a reference list, with the model they name.
MANY_FIELDS = {
    "target_groups": TargetGroup,
    "themes": Theme,
    "funders": Funder,
    "municipalities": Municipality,
    "regions": Region,
    "wellbeing_counties": WellbeingServicesCounty,
}
# The model field whose verbose name the edit history shows for each column.
_HISTORY_FIELDS = {
    **{key: key for key in TEXT_FIELDS},
    **{key: key for key in MANY_FIELDS},
    "stage": "stage",
    "funding_programme": "funding_programme",
    "organisations": "organisations",
    "collection": "collection",
    "contacts": "contacts",
    "start_year": "start_year",
    "source": "source_name",
    "status": "status",
    "content_language": "content_language",
}
_ORDER = list(HEADINGS)


def _interpolate(message, params):
    return str(message) % {key: str(value) for key, value in params.items()}


_interpolate_lazy = lazy(_interpolate, str)


def _message(message, **params):
    """A translatable message whose placeholders are filled in when it is shown."""
    return _interpolate_lazy(message, params)


def _key(text):
    return " ".join((text or "").split()).casefold()


def _clean(text):
    """Stored text as a cell holds it, so that unchanged text compares equal."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --- The plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One column of an existing practice that the import would change."""

    field: str  # the column's key in HEADINGS
    label: str  # the column's heading in the template
    old: str
    new: str


class NewObject:
    """An organisation, collection or contact that the plan creates. Rows naming the same
    one share one instance; apply_import() sets `obj` when it has been created."""

    def __init__(self, name, **details):
        self.name = name
        self.details = details
        self.obj = None

    def __repr__(self):
        return f"NewObject({self.name!r})"


@dataclass
class PlannedRow:
    number: int
    name: str = ""
    # NEW, UPDATED or UNCHANGED; None when the row has errors.
    action: str | None = None
    practice: Practice | None = None
    changes: list[FieldChange] = field(default_factory=list)
    # The interpreted value of every column in the file, by field key.
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    # Problems of the file and of its rows, in row order.
    errors: list[RowError] = field(default_factory=list)
    # Names of the organisations and collections the import would create.
    new_organisations: list[str] = field(default_factory=list)
    new_collections: list[str] = field(default_factory=list)
    using: str = DEFAULT_DB_ALIAS

    @property
    def is_valid(self):
        return not self.errors

    def _with(self, action):
        return [row for row in self.rows if row.action == action]

    @property
    def new(self):
        return self._with(NEW)

    @property
    def updated(self):
        return self._with(UPDATED)

    @property
    def unchanged(self):
        return self._with(UNCHANGED)


@dataclass
class ImportResult:
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    practice_ids: list[int] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    new_collections: list[str] = field(default_factory=list)


# --- Small parsers ------------------------------------------------------------------------


@cache
def _language_words():
    words = {}
    for language in Practice.Language:
        words[language.value] = language
        for active in ("fi", "sv", "en"):
            with translation.override(active):
                words[_key(str(language.label))] = language
    # The Finnish and Swedish names of the languages, as written in the template's language.
    words.update(
        {
            "suomi": Practice.Language.FINNISH,
            "ruotsi": Practice.Language.SWEDISH,
            "englanti": Practice.Language.ENGLISH,
            "finska": Practice.Language.FINNISH,
            "svenska": Practice.Language.SWEDISH,
            "engelska": Practice.Language.ENGLISH,
        }
    )
    return words


def parse_language(text):
    """``fi``, ``sv`` or ``en`` (or the language's name); an empty cell is Finnish."""
    value = (text or "").strip()
    if not value:
        return Practice.Language.FINNISH, []
    language = _language_words().get(_key(value))
    if language is not None:
        return language, []
    return None, [
        _message(
            _("Unknown language “%(value)s”. Write fi, sv or en; an empty cell means fi."),
            value=value,
        )
    ]


def _too_long(text, limit):
    return _message(
        _("The text is %(length)s characters long; shorten it to at most %(limit)s."),
        length=len(text),
        limit=limit,
    )


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# --- Planning -------------------------------------------------------------------------------


class _Planner:
    def __init__(self, table, using):
        self.table = table
        self.using = using
        self.resolver = Resolver(using=using)
        self.headings = {key: heading for heading, key in table.fields.items()}
        self.new_organisations = {}  # name key -> NewObject
        self.new_collections = {}
        self.new_contacts = {}

    def heading(self, key):
        return self.headings.get(key, HEADINGS[key])

    # -- Reference data loaded once --------------------------------------------------------

    def load(self, records):
        db = self.using
        self.organisations = {}
        for organisation in Organisation.objects.using(db).order_by("pk"):
            for name in (organisation.name_fi, organisation.name_sv, organisation.name_en):
                if name:
                    self.organisations.setdefault(_key(name), organisation)
        self.collections = {}
        for collection in Collection.objects.using(db).order_by("pk"):
            for name in (collection.name_fi, collection.name_sv, collection.name_en):
                if name:
                    self.collections.setdefault(_key(name), collection)
        self.contacts_by_email = {}
        self.contacts_by_name = {}
        if any(values.get("contacts") for _number, values in records):
            for contact in Contact.objects.using(db).order_by("pk"):
                if contact.email:
                    self.contacts_by_email.setdefault(contact.email.casefold(), contact)
                self.contacts_by_name.setdefault(_key(contact.name), contact)

    # -- One row -------------------------------------------------------------------------

    def interpret(self, number, cells):
        """(values, errors) of one row: every column present in the file, interpreted."""
        values, errors = {}, []

        def error(key, message):
            errors.append(RowError(number, self.heading(key), message))

        for key in TEXT_FIELDS:
            if key in cells:
                values[key] = cells[key]
                limit = _max_length(Practice, key)
                if limit and len(cells[key]) > limit:
                    error(key, _too_long(cells[key], limit))
        if not cells.get("name"):
            error("name", _("The name is missing. Every practice needs a name."))
        if "summary" in cells and not cells["summary"]:
            error(
                "summary",
                _("The short description is missing. Describe the practice in a sentence or two."),
            )
        if "identifier" in cells:
            identifier = cells["identifier"]
            values["identifier"] = identifier
            if identifier:
                try:
                    validate_slug(identifier)
                    if len(identifier) > _max_length(Practice, "slug"):
                        raise ValidationError("")
                except ValidationError:
                    error(
                        "identifier",
                        _message(
                            _(
                                "“%(value)s” is not a valid identifier: use only letters a–z, "
                                "digits and hyphens. Leave it empty for a new practice."
                            ),
                            value=identifier,
                        ),
                    )
        if "stage" in cells:
            values["stage"], problems = self.resolver.resolve_one(DevelopmentStage, cells["stage"])
            for problem in problems:
                error("stage", problem)
        for key, model in MANY_FIELDS.items():
            if key in cells:
                values[key], problems = self.resolver.resolve_many(model, cells[key])
                for problem in problems:
                    error(key, problem)
        if "funding_programme" in cells:
            values["funding_programme"] = cells["funding_programme"]
            limit = _max_length(Practice, "funding_programme")
            if len(cells["funding_programme"]) > limit:
                error("funding_programme", _too_long(cells["funding_programme"], limit))
        if "organisations" in cells:
            values["organisations"] = self._organisations(cells["organisations"], error)
        if "collection" in cells:
            values["collection"] = self._collection(cells["collection"], error)
        if "contacts" in cells:
            entries, problems = parse_contacts(cells["contacts"])
            for problem in problems:
                error("contacts", problem)
            values["contacts"] = self._contacts(entries)
        if "start_year" in cells:
            values["start_year"], problems = parse_start_year(cells["start_year"])
            for problem in problems:
                error("start_year", problem)
        if "source" in cells:
            values["source"] = self._source(cells["source"], error)
        if "status" in cells:
            values["status"], problems = parse_status(cells["status"])
            for problem in problems:
                error("status", problem)
        if "content_language" in cells:
            values["content_language"], problems = parse_language(cells["content_language"])
            for problem in problems:
                error("content_language", problem)
        return values, errors

    def _organisations(self, text, error):
        found = []
        limit = _max_length(Organisation, "name")
        for name in split_values(text):
            key = _key(name)
            organisation = self.organisations.get(key)
            if organisation is None:
                if len(name) > limit:
                    error("organisations", _too_long(name, limit))
                    continue
                organisation = self.new_organisations.setdefault(key, NewObject(name))
            if organisation not in found:
                found.append(organisation)
        return found

    def _collection(self, text, error):
        names = split_values(text)
        if not names:
            return None
        if len(names) > 1:
            error(
                "collection",
                _message(
                    _("Give only one collection here; the cell has %(count)s: %(values)s."),
                    count=len(names),
                    values="; ".join(names),
                ),
            )
            return None
        name = names[0]
        collection = self.collections.get(_key(name))
        if collection is not None:
            return collection
        limit = _max_length(Collection, "name")
        if len(name) > limit:
            error("collection", _too_long(name, limit))
            return None
        return self.new_collections.setdefault(_key(name), NewObject(name))

    def _contacts(self, entries):
        found = []
        for entry in entries:
            if entry.email:
                key = ("email", entry.email.casefold())
                contact = self.contacts_by_email.get(key[1])
            else:
                key = ("name", _key(entry.name))
                contact = self.contacts_by_name.get(key[1])
            if contact is None:
                contact = self.new_contacts.setdefault(
                    key, NewObject(entry.name or entry.email, title=entry.title, email=entry.email)
                )
            if contact not in found:
                found.append(contact)
        return found

    def _source(self, text, error):
        if not text:
            return ""
        if text.casefold().startswith(("http://", "https://")):
            limit = _max_length(Practice, "source_url")
            try:
                URLValidator()(text)
            except ValidationError:
                error(
                    "source",
                    _message(
                        _(
                            "“%(value)s” is not a valid web address. Check it, or write the "
                            "source's name without http."
                        ),
                        value=text,
                    ),
                )
        else:
            limit = _max_length(Practice, "source_name")
        if len(text) > limit:
            error("source", _too_long(text, limit))
        return text


def _for_comparison(queryset):
    """Practices with everything the comparison reads, in a constant number of queries (the
    prefetching export.practice_row expects)."""
    return (
        queryset.prefetch_related(None)
        .select_related("stage", "collection")
        .prefetch_related(
            *MANY_FIELDS,
            Prefetch(
                "organisation_roles",
                queryset=PracticeOrganisation.objects.select_related("organisation"),
            ),
            Prefetch(
                "contact_roles",
                queryset=PracticeContact.objects.filter(
                    role=PracticeContact.Role.CONTACT
                ).select_related("contact"),
                to_attr="exported_contact_roles",
            ),
        )
    )


def _identity(value):
    """What the comparison compares for one interpreted value."""
    if isinstance(value, NewObject):
        return value
    return getattr(value, "pk", value)


def _organisation_ids(practice):
    return list(dict.fromkeys(role.organisation_id for role in practice.organisation_roles.all()))


def _contact_ids(practice):
    return list(dict.fromkeys(role.contact_id for role in practice.exported_contact_roles))


def _old_value(practice, key):
    if key in TEXT_FIELDS:
        return _clean(getattr(practice, f"{key}_fi"))
    if key in MANY_FIELDS:
        return {item.pk for item in getattr(practice, key).all()}
    if key == "stage":
        return practice.stage_id
    if key == "collection":
        return practice.collection_id
    if key == "organisations":
        return _organisation_ids(practice)
    if key == "contacts":
        return _contact_ids(practice)
    if key == "source":
        return _clean(practice.source_url or practice.source_name)
    if key == "funding_programme":
        return _clean(practice.funding_programme)
    return getattr(practice, key)


def _new_value(values, key):
    value = values[key]
    if key in MANY_FIELDS:
        return {item.pk for item in value}
    if key in ("organisations", "contacts"):
        return [_identity(item) for item in value]
    return _identity(value)


def _name_of(item):
    if isinstance(item, NewObject):
        return item.name
    if isinstance(item, Contact):
        return _contact_text(item.name, item.title_fi, item.email)
    return getattr(item, "name_fi", None) or str(item)


def _contact_text(name, title, email):
    text = name
    if title:
        text = f"{text} ({title})"
    if email:
        text = f"{text} <{email}>" if text else email
    return text


def _new_text(values, key):
    """The interpreted value as the cell would show it after the import."""
    value = values[key]
    if key == "contacts":
        return "; ".join(
            _contact_text(item.name, item.details.get("title", ""), item.details.get("email", ""))
            if isinstance(item, NewObject)
            else _name_of(item)
            for item in value
        )
    if isinstance(value, list):
        return "; ".join(_name_of(item) for item in value)
    if value is None:
        return ""
    if key == "status":
        return STATUS_WORDS.get(value, str(value))
    if key in ("stage", "collection"):
        return _name_of(value)
    return str(value)


def plan_import(
    table: Table, *, using=DEFAULT_DB_ALIAS, progress: Callable[[int, int], None] | None = None
) -> ImportPlan:
    """What importing `table` would do, row by row, and every problem found. Writes nothing.
    `progress(done, total)` is called as rows are interpreted."""
    plan = ImportPlan(errors=list(table.errors), using=using)
    if not table.rows:
        return plan
    planner = _Planner(table, using)
    records = [
        (number, {key: unescape_cell(cell) for key, cell in cells.items()})
        for number, cells in table.records()
    ]
    planner.load(records)

    total = len(records)
    for done, (number, cells) in enumerate(records, start=1):
        values, errors = planner.interpret(number, cells)
        plan.rows.append(
            PlannedRow(number=number, name=cells.get("name", ""), values=values, errors=errors)
        )
        if progress:
            progress(done, total)

    _match(plan, planner)
    _compare(plan, using)

    plan.new_organisations = [item.name for item in planner.new_organisations.values()]
    plan.new_collections = [item.name for item in planner.new_collections.values()]
    # File errors first, then each row's in row order.
    plan.errors.extend(error for row in plan.rows for error in row.errors)
    return plan


def _first_organisation(row):
    organisations = row.values.get("organisations") or []
    return organisations[0] if organisations else None


def _match(plan, planner):
    """Find the existing practice of every row: by identifier, else by name within the
    row's first organisation. Two rows for one practice are an error."""
    using = planner.using
    identifiers = {row.values["identifier"] for row in plan.rows if row.values.get("identifier")}
    by_slug = {}
    if identifiers:
        by_slug = dict(
            Practice.objects.using(using).filter(slug__in=identifiers).values_list("slug", "pk")
        )
    organisation_ids = {
        first.pk
        for row in plan.rows
        if not row.values.get("identifier")
        and isinstance(first := _first_organisation(row), Organisation)
    }
    # (organisation id, name key) -> practice ids; compared in Python, where case folding
    # handles ä and å (SQLite's lower() does not).
    by_name = {}
    if organisation_ids:
        for practice_id, organisation_id, name in (
            PracticeOrganisation.objects.using(using)
            .filter(organisation_id__in=organisation_ids)
            .values_list("practice_id", "organisation_id", "practice__name_fi")
            .distinct()
        ):
            ids = by_name.setdefault((organisation_id, _key(name)), [])
            if practice_id not in ids:
                ids.append(practice_id)

    rows_by_practice = {}
    rows_by_name = {}
    heading = planner.heading
    for row in plan.rows:
        identifier = row.values.get("identifier")
        first = _first_organisation(row)
        name_key = (_identity(first), _key(row.values.get("name", "")))
        if identifier:
            practice_id = by_slug.get(identifier)
        else:
            candidates = by_name.get((getattr(first, "pk", None), name_key[1]), [])
            if len(candidates) > 1:
                row.errors.append(
                    RowError(
                        row.number,
                        heading("name"),
                        _message(
                            _(
                                "%(organisation)s has %(count)s practices named “%(name)s”. "
                                "Write the identifier (Tunniste) of the one to update."
                            ),
                            organisation=first.name_fi,
                            count=len(candidates),
                            name=row.name,
                        ),
                    )
                )
                continue
            practice_id = candidates[0] if candidates else None
            if practice_id is None and row.name:
                if name_key in rows_by_name:
                    row.errors.append(_same_practice(row, rows_by_name[name_key], heading("name")))
                    continue
                rows_by_name[name_key] = row.number
        if practice_id is not None:
            if practice_id in rows_by_practice:
                column = heading("identifier") if identifier else heading("name")
                row.errors.append(_same_practice(row, rows_by_practice[practice_id], column))
                continue
            rows_by_practice[practice_id] = row.number
            row.practice = practice_id  # replaced by the practice in _compare()


def _same_practice(row, first_number, column):
    return RowError(
        row.number,
        column,
        _message(
            _(
                "Rows %(first)s and %(second)s are the same practice “%(name)s”. Each practice "
                "may appear only once; remove or merge one of the rows."
            ),
            first=first_number,
            second=row.number,
            name=row.name,
        ),
    )


def _compare(plan, using):
    ids = [row.practice for row in plan.rows if row.practice is not None]
    practices = {}
    if ids:
        practices = {
            practice.pk: practice
            for practice in _for_comparison(Practice.objects.using(using).filter(pk__in=ids))
        }
    for row in plan.rows:
        if row.practice is not None:
            row.practice = practices[row.practice]
        if row.errors:
            row.action = None
            continue
        if row.practice is None:
            row.action = NEW
            continue
        old_cells = dict(zip(HEADINGS, practice_row(row.practice), strict=True))
        for key in _ORDER:
            if key == "identifier" or key not in row.values:
                continue
            if _old_value(row.practice, key) != _new_value(row.values, key):
                row.changes.append(
                    FieldChange(
                        field=key,
                        label=HEADINGS[key],
                        old=unescape_cell(old_cells[key]),
                        new=_new_text(row.values, key),
                    )
                )
        row.action = UPDATED if row.changes else UNCHANGED


# --- Applying ------------------------------------------------------------------------------


def _unique_slug(model, name, using, taken):
    """A slug for `name` not used by any `model` row nor in `taken` (which it joins)."""
    limit = _max_length(model, "slug")
    base = slugify(name)[: limit - 6].strip("-") or model._meta.model_name
    existing = set(
        model._default_manager.using(using)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in existing or slug in taken:
        slug = f"{base}-{number}"
        number += 1
    taken.add(slug)
    return slug


def _resolved(item):
    return item.obj if isinstance(item, NewObject) else item


def _practice_fields(values, practice, keys):
    """Set the practice's own columns (not relations) for the given keys."""
    for key in keys:
        value = values[key]
        if key in TEXT_FIELDS:
            setattr(practice, f"{key}_fi", value)
        elif key == "stage":
            practice.stage = value
        elif key == "collection":
            practice.collection = _resolved(value)
        elif key == "source":
            if value.casefold().startswith(("http://", "https://")):
                practice.source_url = value
            else:
                practice.source_name = value
                practice.source_url = ""
        elif key in ("funding_programme", "start_year", "status", "content_language"):
            setattr(practice, key, value)
    if practice.status == Practice.Status.PUBLISHED and practice.published_at is None:
        practice.published_at = timezone.now()


_COLUMNS = {
    "stage": ["stage"],
    "collection": ["collection"],
    "source": ["source_url", "source_name"],
    "status": ["status", "published_at"],
}


def _columns(keys):
    columns = []
    for key in keys:
        if key in TEXT_FIELDS:
            columns.append(f"{key}_fi")
        elif key in _COLUMNS:
            columns.extend(_COLUMNS[key])
        elif key in ("funding_programme", "start_year", "content_language"):
            columns.append(key)
    return columns


def _history_message(action, keys):
    if action == NEW:
        return [{"added": {}}]
    # Stored in English, as the admin does; the history page translates the names.
    with translation.override(None):
        fields = [
            str(Practice._meta.get_field(_HISTORY_FIELDS[key]).verbose_name).capitalize()
            for key in keys
        ]
    return [{"changed": {"fields": fields}}]


def apply_import(plan: ImportPlan, *, user) -> ImportResult:
    """Write a plan without errors in one transaction and record it in the edit history as
    `user`'s. A plan with any error writes nothing (the result says applied=False)."""
    if not plan.is_valid:
        return ImportResult(applied=False, errors=list(plan.errors))
    using = plan.using
    new_rows = plan.new
    updated_rows = plan.updated
    result = ImportResult(
        applied=True,
        created=len(new_rows),
        updated=len(updated_rows),
        unchanged=len(plan.unchanged),
        new_organisations=list(plan.new_organisations),
        new_collections=list(plan.new_collections),
    )
    if not new_rows and not updated_rows:
        return result

    with transaction.atomic(using=using):
        _create_referenced(plan, using)
        now = timezone.now()
        practices = []
        taken = set()
        for row in new_rows:
            practice = Practice(created_by=user, created_at=now, modified_at=now)
            identifier = row.values.get("identifier")
            if identifier:
                practice.slug = identifier
                taken.add(identifier)
            else:
                practice.slug = _unique_slug(Practice, row.values["name"], using, taken)
            _practice_fields(row.values, practice, [k for k in row.values if k != "identifier"])
            practices.append(practice)
        Practice.objects.using(using).bulk_create(practices)
        for row, practice in zip(new_rows, practices, strict=True):
            row.practice = practice

        for row in updated_rows:
            keys = [change.field for change in row.changes]
            _practice_fields(row.values, row.practice, keys)
            columns = _columns(keys)
            if columns:
                update = {column: getattr(row.practice, column) for column in columns}
                Practice.objects.using(using).filter(pk=row.practice.pk).update(
                    modified_at=now, **update
                )
            else:
                Practice.objects.using(using).filter(pk=row.practice.pk).update(modified_at=now)

        _write_relations(new_rows, updated_rows, using)
        _write_history(new_rows, updated_rows, user, using)
        result.practice_ids = [row.practice.pk for row in (*new_rows, *updated_rows)]

    from practices.search import index_practices

    index_practices(result.practice_ids, using=using)
    return result


def _create_referenced(plan, using):
    """Create the organisations, collections and contacts the rows name but that do not
    exist yet."""
    seen = {}
    for row in (*plan.new, *plan.updated):
        for key in ("organisations", "contacts"):
            for item in row.values.get(key, []):
                if isinstance(item, NewObject):
                    seen[id(item)] = (key, item)
        collection = row.values.get("collection")
        if isinstance(collection, NewObject):
            seen[id(collection)] = ("collection", collection)
    taken = {Organisation: set(), Collection: set()}
    for key, item in seen.values():
        if item.obj is not None:
            continue
        if key == "organisations":
            slug = _unique_slug(Organisation, item.name, using, taken[Organisation])
            item.obj = Organisation(name=item.name, name_fi=item.name, slug=slug)
        elif key == "collection":
            slug = _unique_slug(Collection, item.name, using, taken[Collection])
            item.obj = Collection(name=item.name, name_fi=item.name, slug=slug)
        else:
            title = item.details.get("title", "")
            item.obj = Contact(
                name=item.name, title=title, title_fi=title, email=item.details.get("email", "")
            )
        item.obj.save(using=using)


def _write_relations(new_rows, updated_rows, using):
    """Replace the many-to-many values, organisation roles and contacts that changed, with
    one delete and one insert per relation."""
    changed = {key: [] for key in (*MANY_FIELDS, "organisations", "contacts")}
    for row in new_rows:
        for key in changed:
            if row.values.get(key):
                changed[key].append(row)
    for row in updated_rows:
        for change in row.changes:
            if change.field in changed:
                changed[change.field].append(row)

    updated_ids = {row.practice.pk for row in updated_rows}
    for key in MANY_FIELDS:
        rows = changed[key]
        if not rows:
            continue
        through = getattr(Practice, key).through
        target = getattr(Practice, key).field.m2m_reverse_field_name()
        through.objects.using(using).filter(
            practice_id__in=[row.practice.pk for row in rows if row.practice.pk in updated_ids]
        ).delete()
        through.objects.using(using).bulk_create(
            through(practice_id=row.practice.pk, **{f"{target}_id": item.pk})
            for row in rows
            for item in row.values[key]
        )

    rows = changed["organisations"]
    if rows:
        _write_organisation_roles(rows, updated_ids, using)

    rows = changed["contacts"]
    if rows:
        PracticeContact.objects.using(using).filter(
            practice_id__in=[row.practice.pk for row in rows if row.practice.pk in updated_ids],
            role=PracticeContact.Role.CONTACT,
        ).delete()
        PracticeContact.objects.using(using).bulk_create(
            PracticeContact(
                practice_id=row.practice.pk,
                contact=_resolved(item),
                role=PracticeContact.Role.CONTACT,
                order=order,
            )
            for row in rows
            for order, item in enumerate(row.values["contacts"])
        )


def _write_organisation_roles(rows, updated_ids, using):
    """Make each practice's organisations those of its row, in the row's order. An
    organisation that stays keeps its roles (developer, adopter with its year and unit, …);
    one that is gone loses them; one that is new becomes the owner when it comes first and
    the practice has no owner, else a partner."""
    roles = PracticeOrganisation.objects.using(using)
    existing = {}
    for role in roles.filter(
        practice_id__in=[row.practice.pk for row in rows if row.practice.pk in updated_ids]
    ):
        existing.setdefault(role.practice_id, []).append(role)
    removed, reordered, created = [], [], []
    for row in rows:
        wanted = [_resolved(item) for item in row.values["organisations"]]
        position = {organisation.pk: order for order, organisation in enumerate(wanted)}
        current = existing.get(row.practice.pk, [])
        kept = []
        for role in current:
            if role.organisation_id in position:
                role.order = position[role.organisation_id]
                kept.append(role)
            else:
                removed.append(role.pk)
        reordered.extend(kept)
        has_owner = any(role.role == PracticeOrganisation.Role.OWNER for role in kept)
        present = {role.organisation_id for role in kept}
        for order, organisation in enumerate(wanted):
            if organisation.pk in present:
                continue
            owner = order == 0 and not has_owner
            has_owner = has_owner or owner
            created.append(
                PracticeOrganisation(
                    practice_id=row.practice.pk,
                    organisation=organisation,
                    role=PracticeOrganisation.Role.OWNER
                    if owner
                    else PracticeOrganisation.Role.PARTNER,
                    order=order,
                )
            )
    if removed:
        roles.filter(pk__in=removed).delete()
    if reordered:
        roles.bulk_update(reordered, ["order"])
    if created:
        roles.bulk_create(created)


def _write_history(new_rows, updated_rows, user, using):
    content_type = ContentType.objects.db_manager(using).get_for_model(Practice)
    entries = []
    for action, rows in ((NEW, new_rows), (UPDATED, updated_rows)):
        for row in rows:
            keys = [change.field for change in row.changes]
            entries.append(
                LogEntry(
                    user_id=user.pk,
                    content_type=content_type,
                    object_id=str(row.practice.pk),
                    object_repr=str(row.practice.name_fi)[:200],
                    action_flag=ADDITION if action == NEW else CHANGE,
                    change_message=_history_json(action, keys),
                )
            )
    LogEntry.objects.using(using).bulk_create(entries)


def _history_json(action, keys):
    return json.dumps(_history_message(action, keys))
