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

Planned for a user who edits only their own organisations' practices (organisations.roles),
a row is an error when it touches another organisation's practice, creates a practice whose
first organisation is not theirs, or leaves none of their organisations in a practice; and,
unless they may publish, when it publishes or archives a practice.
"""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from organisations.models import (
    Membership,
    Municipality,
    Organisation,
    Region,
    WellbeingServicesCounty,
)
from organisations.roles import edits_all_organisations
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

from ..access import PUBLISHER_STATUSES, may_publish
from ..history import CHANGED, CREATED, REASON_IMPORT, record_versions
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
# Rows written by one INSERT or UPDATE, and ids in one "IN (…)" of a query.
BATCH_SIZE = 500
CHUNK_SIZE = 2000


def _chunks(items, size=CHUNK_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    table: Table,
    *,
    using=DEFAULT_DB_ALIAS,
    progress: Callable[[int, int], None] | None = None,
    user=None,
) -> ImportPlan:
    """What importing `table` would do, row by row, and every problem found. Writes nothing.
    `progress(done, total)` is called as rows are interpreted. With `user`, rows are held to
    what that user may do (see the module docstring)."""
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
    if user is not None:
        _confine(plan, planner, user)
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


def _confine(plan, planner, user):
    """Row errors for what `user` may not do (see the module docstring). Runs after
    _match(), while row.practice is the matched practice's id."""
    using = planner.using
    heading = planner.heading
    publisher = may_publish(user)
    if edits_all_organisations(user) and publisher:
        return
    ids = [row.practice for row in plan.rows if row.practice is not None]
    statuses = {}
    for chunk in _chunks(ids):
        statuses.update(
            Practice.objects.using(using).filter(pk__in=chunk).values_list("pk", "status")
        )
    for row in plan.rows:
        status = row.values.get("status")
        if not publisher and status in PUBLISHER_STATUSES and status != statuses.get(row.practice):
            row.errors.append(
                RowError(
                    row.number,
                    heading("status"),
                    _(
                        "You cannot publish or archive practices. Write the status as "
                        "draft or in review; a publisher approves the practice."
                    ),
                )
            )
    if edits_all_organisations(user):
        return

    member_ids = set(
        Membership.objects.using(using)
        .filter(user_id=user.pk)
        .values_list("organisation_id", flat=True)
    )
    own = set()
    for chunk in _chunks(ids):
        own.update(
            PracticeOrganisation.objects.using(using)
            .filter(practice_id__in=chunk, organisation_id__in=member_ids)
            .values_list("practice_id", flat=True)
        )
    for row in plan.rows:
        organisations = row.values.get("organisations")
        if row.practice is not None and row.practice not in own:
            column = heading("identifier") if row.values.get("identifier") else heading("name")
            row.errors.append(
                RowError(
                    row.number,
                    column,
                    _(
                        "This practice belongs to another organisation; you can only import "
                        "your own organisations' practices."
                    ),
                )
            )
        elif (
            row.practice is None and getattr(_first_organisation(row), "pk", None) not in member_ids
        ):
            row.errors.append(
                RowError(
                    row.number,
                    heading("organisations"),
                    _(
                        "The first organisation of a new practice must be one of your own "
                        "organisations."
                    ),
                )
            )
        elif organisations is not None and not any(
            getattr(organisation, "pk", None) in member_ids for organisation in organisations
        ):
            row.errors.append(
                RowError(
                    row.number,
                    heading("organisations"),
                    _(
                        "Keep at least one of your own organisations in the practice; "
                        "otherwise you could no longer edit it."
                    ),
                )
            )


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


class _Current:
    """What the comparison needs of the matched practices, read with a few queries whatever
    their number: their own columns, and the ids of their many-to-many values, organisations
    and contacts in the order export writes them."""

    def __init__(self, ids, using):
        self.practices = {}
        self.many = {key: {} for key in MANY_FIELDS}
        self.organisations = {}
        self.contacts = {}
        for chunk in _chunks(ids):
            self.practices.update(
                (practice.pk, practice)
                for practice in Practice.objects.using(using).filter(pk__in=chunk).order_by()
            )
            for key in MANY_FIELDS:
                through = getattr(Practice, key).through
                target = f"{getattr(Practice, key).field.m2m_reverse_field_name()}_id"
                for practice_id, target_id in (
                    through.objects.using(using)
                    .filter(practice_id__in=chunk)
                    .values_list("practice_id", target)
                ):
                    self.many[key].setdefault(practice_id, set()).add(target_id)
            # The default ordering of roles and contact links is the order export uses.
            for practice_id, organisation_id in (
                PracticeOrganisation.objects.using(using)
                .filter(practice_id__in=chunk)
                .values_list("practice_id", "organisation_id")
            ):
                self.organisations.setdefault(practice_id, {})[organisation_id] = None
            for practice_id, contact_id in (
                PracticeContact.objects.using(using)
                .filter(practice_id__in=chunk, role=PracticeContact.Role.CONTACT)
                .values_list("practice_id", "contact_id")
            ):
                self.contacts.setdefault(practice_id, {})[contact_id] = None

    def old_value(self, practice, key):
        if key in MANY_FIELDS:
            return self.many[key].get(practice.pk, set())
        if key == "organisations":
            return list(self.organisations.get(practice.pk, ()))
        if key == "contacts":
            return list(self.contacts.get(practice.pk, ()))
        return _old_value(practice, key)


def _compare(plan, using):
    ids = [row.practice for row in plan.rows if row.practice is not None]
    current = _Current(ids, using)
    changed = []
    for row in plan.rows:
        if row.practice is not None:
            row.practice = current.practices[row.practice]
        if row.errors:
            row.action = None
            continue
        if row.practice is None:
            row.action = NEW
            continue
        keys = [
            key
            for key in _ORDER
            if key != "identifier"
            and key in row.values
            and current.old_value(row.practice, key) != _new_value(row.values, key)
        ]
        if keys:
            changed.append((row, keys))
        else:
            row.action = UNCHANGED

    # The old cells of the practices that change, as export writes them.
    loaded = {}
    for chunk in _chunks([row.practice.pk for row, _keys in changed]):
        loaded.update(
            (practice.pk, practice)
            for practice in _for_comparison(Practice.objects.using(using).filter(pk__in=chunk))
        )
    for row, keys in changed:
        row.practice = loaded[row.practice.pk]
        old_cells = dict(zip(HEADINGS, practice_row(row.practice), strict=True))
        row.changes = [
            FieldChange(
                field=key,
                label=HEADINGS[key],
                old=unescape_cell(old_cells[key]),
                new=_new_text(row.values, key),
            )
            for key in keys
        ]
        row.action = UPDATED


# --- Applying ------------------------------------------------------------------------------


def _unique_slugs(model, names, using, taken):
    """A slug for each of `names`, used by no `model` row nor in `taken` (which they join).
    One query, and one more per hundred names whose plain slug is already in use."""
    limit = _max_length(model, "slug")
    bases = [slugify(name)[: limit - 6].strip("-") or model._meta.model_name for name in names]
    manager = model._default_manager.using(using)
    unique = list(dict.fromkeys(bases))
    existing = set()
    for chunk in _chunks(unique):
        existing.update(manager.filter(slug__in=chunk).values_list("slug", flat=True))
    # A slug that is taken gets a number: read the numbered slugs already in use.
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    clashing = [base for base in unique if base in existing or base in taken or base in repeated]
    for chunk in _chunks(clashing, 100):
        condition = Q()
        for base in chunk:
            condition |= Q(slug__startswith=base)
        existing.update(manager.filter(condition).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, number = base, 2
        while slug in existing or slug in taken:
            slug = f"{base}-{number}"
            number += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


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


def apply_import(
    plan: ImportPlan, *, user, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Write a plan without errors in one transaction and record it in the edit history as
    `user`'s. A plan with any error writes nothing (the result says applied=False).

    `progress(done, total)` is called as the rows are written, every few hundred rows and at
    least once per step. Each new or updated row counts three times in `total`: once when
    the practice is written, once when its relations and history are, and once when it is
    in the search index."""
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
    count = len(new_rows) + len(updated_rows)

    def report(done):
        if progress:
            progress(done, 3 * count)

    with transaction.atomic(using=using):
        _create_referenced(plan, using)
        now = timezone.now()
        # Positional values skip the translation fields' per-keyword work in Model.__init__,
        # which is slow in bulk; the values are the fields' defaults, as without arguments.
        defaults = [field.get_default() for field in Practice._meta.concrete_fields]
        taken = {row.values["identifier"] for row in new_rows if row.values.get("identifier")}
        unnamed = [row for row in new_rows if not row.values.get("identifier")]
        slugs = dict(
            zip(
                map(id, unnamed),
                _unique_slugs(Practice, [row.values["name"] for row in unnamed], using, taken),
                strict=True,
            )
        )
        practices = []
        for row in new_rows:
            practice = Practice(*defaults)
            practice.created_by = user
            practice.created_at = practice.modified_at = now
            practice.slug = row.values.get("identifier") or slugs[id(row)]
            _practice_fields(row.values, practice, [k for k in row.values if k != "identifier"])
            practices.append(practice)
            row.practice = practice
        done = 0
        for written in _create_practices(practices, using):
            done += written
            report(done)

        # Rows that change the same columns are updated together.
        by_columns = {}
        for row in updated_rows:
            keys = [change.field for change in row.changes]
            _practice_fields(row.values, row.practice, keys)
            row.practice.modified_at = now
            # A new version: an editor with the card open cannot overwrite the import.
            row.practice.version = (row.practice.version or 0) + 1
            by_columns.setdefault(tuple(_columns(keys)), []).append(row.practice)
        for columns, group in by_columns.items():
            for batch in _chunks(group, BATCH_SIZE):
                Practice.objects.using(using).bulk_update(
                    batch, ["modified_at", "version", *columns]
                )
                done += len(batch)
                report(done)

        _write_relations(new_rows, updated_rows, using)
        _write_history(new_rows, updated_rows, user, using)
        _write_transitions(new_rows, updated_rows, user, using)
        report(2 * count)
        result.practice_ids = [row.practice.pk for row in (*new_rows, *updated_rows)]

        from practices.search.indexing import bump_revision

        # The browse lists (practices.browse) show the imported practices from the commit;
        # text search finds them once the index below is updated.
        bump_revision(using)

    from practices.search import index_practices

    index_practices(
        result.practice_ids,
        using=using,
        progress=lambda indexed, _total: report(2 * count + indexed),
    )
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
    missing = {"organisations": [], "collection": [], "contacts": []}
    for key, item in seen.values():
        if item.obj is None:
            missing[key].append(item)
    for key, model in (("organisations", Organisation), ("collection", Collection)):
        items = missing[key]
        slugs = _unique_slugs(model, [item.name for item in items], using, set())
        for item, slug in zip(items, slugs, strict=True):
            item.obj = model(name=item.name, name_fi=item.name, slug=slug)
    for item in missing["contacts"]:
        title = item.details.get("title", "")
        item.obj = Contact(
            name=item.name, title=title, title_fi=title, email=item.details.get("email", "")
        )
    for key, model in (
        ("organisations", Organisation),
        ("collection", Collection),
        ("contacts", Contact),
    ):
        # New objects have no signal receivers that bulk_create would skip.
        objects = [item.obj for item in missing[key]]
        if objects:
            model._default_manager.using(using).bulk_create(objects, batch_size=BATCH_SIZE)


def _insert(model, columns, rows, using):
    """Insert `rows` (tuples of values for `columns`, attribute names) into `model`'s table,
    every other column taking its default: what bulk_create does for rows whose ids are not
    needed, without building a model instance and compiling each value (ten times faster
    for the many small rows of relations). Sends no signals, like bulk_create."""
    if not rows:
        return
    connection = connections[using]
    fields = [model._meta.get_field(column) for column in columns]
    template = model()
    others = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in columns
    ]
    defaults = tuple(
        field.get_db_prep_save(field.pre_save(template, True), connection) for field in others
    )
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in (*fields, *others))
    if connection.vendor == "postgresql":
        prepared = (
            (
                *(
                    value
                    if type(value) is int or type(value) is str
                    else field.get_db_prep_save(value, connection)
                    for field, value in zip(fields, row, strict=True)
                ),
                *defaults,
            )
            for row in rows
        )
        _copy(connection, model, names, prepared)
        return
    placeholders = ", ".join(["%s"] * (len(fields) + len(others)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for batch in _chunks(rows, CHUNK_SIZE):
            cursor.executemany(
                sql,
                [
                    (
                        *(
                            field.get_db_prep_save(value, connection)
                            for field, value in zip(fields, row, strict=True)
                        ),
                        *defaults,
                    )
                    for row in batch
                ],
            )


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _copy(connection, model, names, rows):
    """PostgreSQL: load `rows` (database values for the columns `names`) with COPY, several
    times faster than INSERT for many rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _create_practices(practices, using):
    """Insert new practices and set their ids: bulk_create, or on PostgreSQL COPY with ids
    taken from the table's sequence first."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        for batch in _chunks(practices, BATCH_SIZE):
            Practice.objects.using(using).bulk_create(batch)
            yield len(batch)
        return
    meta = Practice._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(practices)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for practice, pk in zip(practices, ids, strict=True):
        practice.pk = pk
        practice._state.adding = False
        practice._state.db = using
    fields = [field for field in meta.concrete_fields if not field.generated]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    # Text, numbers, flags and foreign keys go to the database as they are; only the other
    # fields (dates, automatic timestamps, …) need Django's preparation.
    plain = {
        field.attname
        for field in fields
        if isinstance(field, _PLAIN_FIELDS) and not getattr(field, "auto_now", False)
    }
    getters = [(field.attname, None if field.attname in plain else field) for field in fields]
    for batch in _chunks(practices, CHUNK_SIZE):
        _copy(
            connection,
            Practice,
            names,
            (
                [
                    getattr(practice, attname)
                    if field is None
                    else field.get_db_prep_save(field.pre_save(practice, True), connection)
                    for attname, field in getters
                ]
                for practice in batch
            ),
        )
        yield len(batch)


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
        _insert(
            through,
            ["practice_id", f"{target}_id"],
            [(row.practice.pk, item.pk) for row in rows for item in row.values[key]],
            using,
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
        _insert(
            PracticeContact,
            ["practice_id", "contact_id", "role", "order"],
            [
                (row.practice.pk, _resolved(item).pk, PracticeContact.Role.CONTACT, order)
                for row in rows
                for order, item in enumerate(row.values["contacts"])
            ],
            using,
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
            role = PracticeOrganisation.Role.OWNER if owner else PracticeOrganisation.Role.PARTNER
            created.append((row.practice.pk, organisation.pk, role, order))
    if removed:
        roles.filter(pk__in=removed).delete()
    if reordered:
        roles.bulk_update(reordered, ["order"], batch_size=BATCH_SIZE)
    _insert(
        PracticeOrganisation, ["practice_id", "organisation_id", "role", "order"], created, using
    )


def _write_transitions(new_rows, updated_rows, user, using):
    """The workflow steps of the import: each new practice's status, and each changed one."""
    from django.utils.translation import gettext

    from practices.models import PracticeTransition

    codes = {word: code for code, word in STATUS_WORDS.items()}
    message = gettext("Imported from a spreadsheet.")
    user_id = user.pk if user is not None else None
    steps = [
        PracticeTransition(
            practice_id=row.practice.pk,
            to_status=row.practice.status,
            user_id=user_id,
            message=message,
        )
        for row in new_rows
    ]
    for row in updated_rows:
        for change in row.changes:
            if change.field == "status":
                steps.append(
                    PracticeTransition(
                        practice_id=row.practice.pk,
                        from_status=codes.get(change.old, ""),
                        to_status=row.practice.status,
                        user_id=user_id,
                        message=message,
                    )
                )
    PracticeTransition.objects.using(using).bulk_create(steps, batch_size=BATCH_SIZE)


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
    LogEntry.objects.using(using).bulk_create(entries, batch_size=BATCH_SIZE)
    # The practices' version history (practices.history), with their relations as written.
    for history_type, rows in ((CREATED, new_rows), (CHANGED, updated_rows)):
        record_versions(
            [row.practice for row in rows],
            history_type=history_type,
            user=user,
            reason=REASON_IMPORT,
            using=using,
        )


def _history_json(action, keys):
    return json.dumps(_history_message(action, keys))
