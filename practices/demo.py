"""The demo data in fixtures/demo/practices.json, and how ``manage.py load_demo_data`` loads it.

The file holds organisations, collections, contacts and practices made from public source
documents (fixtures/demo/README.md describes the format and how the file was made). Records
refer to the reference data loaded by ``manage.py load_reference_data`` and to each other by
natural keys: slugs, Statistics Finland codes for regions and municipalities, and names for
contacts. A text value is a string or a list of lines, joined with line breaks.

Loading is idempotent. Records are matched by natural key, created when missing and saved
only where they differ from the file; a practice's themes, places, organisation roles,
contacts, recognitions, links and attachments are made to equal the file's lists. The whole
file is checked and every reference resolved before anything is written, and everything is
written in one transaction, so a malformed file leaves the database as it was.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from modeltranslation.translator import NotRegistered, translator

from contacts.models import Contact
from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty

from .models import (
    Attachment,
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
    TargetGroup,
    Theme,
)

DEMO_DATA_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "practices.json"

LANGUAGES = ("fi", "sv", "en")


class DemoDataError(Exception):
    """The demo data file cannot be read, is malformed, or refers to rows that do not exist."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, status):
        setattr(self, status, getattr(self, status) + 1)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


@dataclass
class Summary:
    """What a load did, by kind of record."""

    tallies: dict = field(
        default_factory=lambda: {
            Organisation: Tally(),
            Collection: Tally(),
            Contact: Tally(),
            Practice: Tally(),
        }
    )

    def sum(self, attribute):
        return sum(getattr(tally, attribute) for tally in self.tallies.values())


# Reading and checking the file. Each checker takes the raw value and a description of where
# it is, and returns the value to store or raises DemoDataError.


def _fail(where, problem):
    raise DemoDataError(f"{where}: {problem}")


def _string(value, where):
    if not isinstance(value, str):
        _fail(where, _("must be a text string."))
    return value.strip()


def _text(value, where):
    """A string, or a list of lines joined with line breaks (blank lines separate paragraphs)."""
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(line.rstrip() for line in value).strip()
    if not isinstance(value, str):
        _fail(where, _("must be a text string or a list of lines."))
    return value.strip()


def _integer(value, where):
    if type(value) is not int:
        _fail(where, _("must be a whole number."))
    return value


def _boolean(value, where):
    if not isinstance(value, bool):
        _fail(where, _("must be true or false."))
    return value


def _date(value, where):
    try:
        return datetime.date.fromisoformat(_string(value, where))
    except ValueError:
        _fail(where, _("must be a date written YYYY-MM-DD."))


def _keys(value, where):
    """A list of distinct natural keys (slugs or codes)."""
    if not isinstance(value, list) or not all(isinstance(key, str) and key for key in value):
        _fail(where, _("must be a list of slugs or codes."))
    if len(set(value)) != len(value):
        _fail(where, _("lists the same item twice."))
    return value


def _choice(choices):
    def check(value, where):
        if value not in choices.values:
            _fail(
                where,
                _("must be one of %(choices)s, not %(value)r.")
                % {"choices": ", ".join(choices.values), "value": value},
            )
        return value

    return check


def _translated(name, checker):
    """Spec entries for a translated field: Finnish required, Swedish and English optional."""
    return {
        f"{name}_fi": (checker, True),
        f"{name}_sv": (checker, False),
        f"{name}_en": (checker, False),
    }


def _optional_translated(name, checker):
    return {f"{name}_{lang}": (checker, False) for lang in LANGUAGES}


def _records(spec, key_fields, label):
    """A list of nested records, e.g. a practice's organisation roles."""

    def check(value, where):
        if not isinstance(value, list):
            _fail(where, _("must be a list."))
        records = [_record(item, spec, f"{where}[{index}]") for index, item in enumerate(value)]
        keys = [tuple(record.get(name) for name in key_fields) for record in records]
        if len(set(keys)) != len(keys):
            _fail(where, _("lists the same %(label)s twice.") % {"label": label})
        return records

    return check


def _record(item, spec, where):
    if not isinstance(item, dict):
        _fail(where, _("must be a JSON object."))
    unknown = sorted(set(item) - set(spec))
    if unknown:
        _fail(
            where,
            _("unknown field(s) %(unknown)s; allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(spec)},
        )
    record = {}
    for name, (checker, required) in spec.items():
        value = item.get(name)
        if value is None or value == "" or value == []:
            if required:
                _fail(where, _("%(field)s is required.") % {"field": name})
            continue
        record[name] = checker(value, f"{where}: {name}")
    return record


ORGANISATION_SPEC = {
    "slug": (_string, True),
    **_translated("name", _string),
    "type": (_choice(Organisation.Type), True),
    "municipality": (_string, False),
    "wellbeing_county": (_string, False),
    "business_id": (_string, False),
    "website": (_string, False),
    "source": (_string, True),
}

COLLECTION_SPEC = {
    "slug": (_string, True),
    **_translated("name", _string),
    "kind": (_choice(Collection.Kind), True),
    **_optional_translated("description", _text),
    "coordinator": (_string, False),
    "website": (_string, False),
    "start_date": (_date, False),
    "end_date": (_date, False),
    "source": (_string, True),
}

CONTACT_SPEC = {
    "name": (_string, True),
    **_optional_translated("title", _string),
    "organisation": (_string, False),
    "unit": (_string, False),
    "email": (_string, False),
    "phone": (_string, False),
    "is_public": (_boolean, True),
    "source": (_string, True),
}

PRACTICE_ORGANISATION_SPEC = {
    "organisation": (_string, True),
    "role": (_choice(PracticeOrganisation.Role), True),
    "unit": (_string, False),
    "year": (_integer, False),
}

PRACTICE_CONTACT_SPEC = {
    "contact": (_string, True),
    "role": (_choice(PracticeContact.Role), True),
}

RECOGNITION_SPEC = {
    **_translated("award", _string),
    "year": (_integer, True),
    "awarding_body": (_string, False),
    **_optional_translated("description", _text),
    "url": (_string, False),
}

LINK_SPEC = {
    **_translated("title", _string),
    "url": (_string, True),
    "kind": (_choice(PracticeLink.Kind), False),
}

ATTACHMENT_SPEC = {
    **_translated("title", _string),
    "original_filename": (_string, False),
    **_optional_translated("description", _text),
}

PRACTICE_SPEC = {
    "slug": (_string, True),
    **_translated("name", _string),
    "source": (_string, True),
    "status": (_choice(Practice.Status), False),
    "stage": (_string, False),
    **_translated("summary", _text),
    **{
        name: spec
        for section in Practice.SECTION_FIELDS
        for name, spec in _optional_translated(section, _text).items()
    },
    **_optional_translated("location_note", _string),
    "start_year": (_integer, False),
    "content_language": (_choice(Practice.Language), False),
    "is_national": (_boolean, False),
    "municipalities": (_keys, False),
    "regions": (_keys, False),
    "wellbeing_counties": (_keys, False),
    "themes": (_keys, False),
    "target_groups": (_keys, False),
    "funders": (_keys, False),
    "funding_programme": (_string, False),
    "collection": (_string, False),
    "source_name": (_string, False),
    "source_url": (_string, False),
    "source_author": (_string, False),
    "source_created": (_date, False),
    "source_modified": (_date, False),
    "organisations": (
        _records(PRACTICE_ORGANISATION_SPEC, ("organisation", "role"), _lazy("organisation role")),
        False,
    ),
    "contacts": (
        _records(PRACTICE_CONTACT_SPEC, ("contact", "role"), _lazy("contact role")),
        False,
    ),
    "recognitions": (
        _records(RECOGNITION_SPEC, ("award_fi", "year"), _lazy("recognition")),
        False,
    ),
    "links": (_records(LINK_SPEC, ("url",), _lazy("link")), False),
    "attachments": (_records(ATTACHMENT_SPEC, ("title_fi",), _lazy("attachment")), False),
}

# Top-level lists, their record spec and natural key, in the order they are written.
SECTIONS = {
    "organisations": (ORGANISATION_SPEC, "slug"),
    "collections": (COLLECTION_SPEC, "slug"),
    "contacts": (CONTACT_SPEC, "name"),
    "practices": (PRACTICE_SPEC, "slug"),
}


def read_file(path=DEMO_DATA_FILE):
    """Return the JSON object stored at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DemoDataError(_("Demo data file %(path)s does not exist.") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DemoDataError(
            _("Demo data file %(path)s cannot be read: %(error)s.") % {"path": path, "error": exc}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DemoDataError(
            _(
                "Demo data file %(path)s is not valid JSON (line %(line)d, column %(column)d): "
                "%(error)s."
            )
            % {"path": path, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    if not isinstance(data, dict):
        raise DemoDataError(_("Demo data file %(path)s must hold a JSON object.") % {"path": path})
    return data


def parse(data):
    """Check the whole file; return {section: [record dicts]} with values ready to store."""
    unknown = sorted(set(data) - {"meta", *SECTIONS})
    if unknown:
        raise DemoDataError(
            _("Unknown top-level key(s) %(unknown)s; expected meta, %(sections)s.")
            % {"unknown": ", ".join(unknown), "sections": ", ".join(SECTIONS)}
        )
    if not isinstance(data.get("practices"), list) or not data["practices"]:
        raise DemoDataError(_('The demo data file has no list "practices".'))
    parsed = {}
    for section, (spec, key) in SECTIONS.items():
        items = data.get(section, [])
        if not isinstance(items, list):
            raise DemoDataError(_('"%(section)s" must be a list.') % {"section": section})
        records = []
        for index, item in enumerate(items):
            where = f"{section}[{index}]"
            if isinstance(item, dict) and isinstance(item.get(key), str):
                where += f" ({item[key]})"
            records.append(_record(item, spec, where))
        keys = [record[key] for record in records]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise DemoDataError(
                _("%(section)s: %(key)s %(values)s appear(s) more than once.")
                % {"section": section, "key": key, "values": ", ".join(duplicates)}
            )
        parsed[section] = records
    return parsed


# Resolving references


# (record field, model, natural key field) of every reference into the reference data.
REFERENCE_FIELDS = {
    "organisations": [
        ("municipality", Municipality, "code"),
        ("wellbeing_county", WellbeingServicesCounty, "slug"),
    ],
    "practices": [
        ("stage", DevelopmentStage, "slug"),
        ("themes", Theme, "slug"),
        ("target_groups", TargetGroup, "slug"),
        ("funders", Funder, "slug"),
        ("municipalities", Municipality, "code"),
        ("regions", Region, "code"),
        ("wellbeing_counties", WellbeingServicesCounty, "slug"),
    ],
}


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _resolve_reference_data(parsed):
    """Return {model: {key: object}} for every reference; fail naming all that are missing."""
    wanted = {}
    for section, fields in REFERENCE_FIELDS.items():
        for record in parsed[section]:
            for name, model, key in fields:
                wanted.setdefault((model, key), set()).update(_as_list(record.get(name)))
    found, missing = {}, []
    for (model, key), values in wanted.items():
        objects = {getattr(obj, key): obj for obj in model.objects.filter(**{f"{key}__in": values})}
        found[model] = objects
        absent = sorted(values - set(objects))
        if absent:
            missing.append(f"{model._meta.verbose_name_plural} {', '.join(absent)}")
    if missing:
        raise DemoDataError(
            _(
                "The reference data is missing: %(missing)s. "
                "Run “python manage.py load_reference_data” first."
            )
            % {"missing": "; ".join(missing)}
        )
    return found


def _check_internal_references(parsed):
    """Organisations, collections and contacts named by a record must exist in file or database."""
    organisations = {record["slug"] for record in parsed["organisations"]}
    collections = {record["slug"] for record in parsed["collections"]}
    contacts = {record["name"] for record in parsed["contacts"]}

    wanted_organisations = {
        record["organisation"] for record in parsed["contacts"] if "organisation" in record
    } | {record["coordinator"] for record in parsed["collections"] if "coordinator" in record}
    for practice in parsed["practices"]:
        wanted_organisations |= {role["organisation"] for role in practice.get("organisations", [])}
    known = organisations | set(
        Organisation.objects.filter(slug__in=wanted_organisations).values_list("slug", flat=True)
    )
    problems = [
        _("organisation “%(slug)s” is neither in the file nor in the database") % {"slug": slug}
        for slug in sorted(wanted_organisations - known)
    ]

    wanted_collections = {p["collection"] for p in parsed["practices"] if "collection" in p}
    known = collections | set(
        Collection.objects.filter(slug__in=wanted_collections).values_list("slug", flat=True)
    )
    problems += [
        _("collection “%(slug)s” is neither in the file nor in the database") % {"slug": slug}
        for slug in sorted(wanted_collections - known)
    ]

    for practice in parsed["practices"]:
        for role in practice.get("contacts", []):
            if role["contact"] not in contacts:
                problems.append(
                    _(
                        "practice “%(practice)s” names contact “%(contact)s”, who is not among "
                        "the file's contacts"
                    )
                    % {"practice": practice["slug"], "contact": role["contact"]}
                )
    if problems:
        raise DemoDataError("; ".join(problems) + ".")


# Writing


def _untranslated_fields(model):
    """The untranslated columns modeltranslation keeps beside name_fi etc.; not validated."""
    try:
        return list(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return []


def _clean(obj, where):
    try:
        obj.full_clean(exclude=_untranslated_fields(type(obj)))
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        _fail(where, problems)


def _save(model, lookup, values, where):
    """Create or update the row matched by ``lookup``; return (object, status)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        status = "created"
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            return obj, "unchanged"
        for name in changed:
            setattr(obj, name, values[name])
        status = "updated"
    _clean(obj, where)
    obj.save()
    return obj, status


def _translated_values(record, *names, default=None):
    """{name_fi: ..., name_sv: ..., name_en: ...}; Finnish falls back to "" and others to None."""
    values = {}
    for name in names:
        for lang in LANGUAGES:
            fallback = "" if lang == "fi" else default
            values[f"{name}_{lang}"] = record.get(f"{name}_{lang}", fallback)
    return values


def _sync_related(practice, model, key_fields, rows, where):
    """Make the practice's rows of ``model`` equal ``rows``; return True if anything changed."""
    changed = False
    existing, stale = {}, []
    for obj in model.objects.filter(practice=practice).order_by("pk"):
        key = tuple(getattr(obj, name) for name in key_fields)
        if key in existing:
            stale.append(obj.pk)
        else:
            existing[key] = obj
    wanted = set()
    for index, row in enumerate(rows):
        key = tuple(row[name] for name in key_fields)
        wanted.add(key)
        obj = existing.get(key)
        if obj is None:
            obj = model(practice=practice, **row)
        else:
            differences = [name for name, value in row.items() if getattr(obj, name) != value]
            if not differences:
                continue
            for name in differences:
                setattr(obj, name, row[name])
        _clean(obj, f"{where}[{index}]")
        obj.save()
        changed = True
    stale += [obj.pk for key, obj in existing.items() if key not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
        changed = True
    return changed


def _set_many(practice, name, objects):
    manager = getattr(practice, name)
    if set(manager.values_list("pk", flat=True)) == {obj.pk for obj in objects}:
        return False
    manager.set(objects)
    return True


def _write(parsed, refs):
    summary = Summary()
    tallies = summary.tallies

    organisations = {}
    for index, record in enumerate(parsed["organisations"]):
        municipality = refs[Municipality].get(record.get("municipality"))
        county = refs[WellbeingServicesCounty].get(record.get("wellbeing_county"))
        values = {
            **_translated_values(record, "name"),
            "type": record["type"],
            "municipality_id": municipality.pk if municipality else None,
            "wellbeing_county_id": county.pk if county else None,
            "business_id": record.get("business_id"),
            "website": record.get("website", ""),
        }
        where = f"organisations[{index}] ({record['slug']})"
        obj, status = _save(Organisation, {"slug": record["slug"]}, values, where)
        organisations[obj.slug] = obj
        tallies[Organisation].count(status)

    def organisation(slug):
        if slug not in organisations:
            organisations[slug] = Organisation.objects.get(slug=slug)
        return organisations[slug]

    collections = {}
    for index, record in enumerate(parsed["collections"]):
        coordinator = record.get("coordinator")
        values = {
            **_translated_values(record, "name", "description"),
            "kind": record["kind"],
            "coordinator_id": organisation(coordinator).pk if coordinator else None,
            "website": record.get("website", ""),
            "start_date": record.get("start_date"),
            "end_date": record.get("end_date"),
        }
        where = f"collections[{index}] ({record['slug']})"
        obj, status = _save(Collection, {"slug": record["slug"]}, values, where)
        collections[obj.slug] = obj
        tallies[Collection].count(status)

    contacts = {}
    for index, record in enumerate(parsed["contacts"]):
        slug = record.get("organisation")
        lookup = {"name": record["name"], "organisation": organisation(slug) if slug else None}
        values = {
            **_translated_values(record, "title"),
            "unit": record.get("unit", ""),
            "email": record.get("email", ""),
            "phone": record.get("phone", ""),
            "is_public": record["is_public"],
        }
        where = f"contacts[{index}] ({record['name']})"
        obj, status = _save(Contact, lookup, values, where)
        contacts[obj.name] = obj
        tallies[Contact].count(status)

    for index, record in enumerate(parsed["practices"]):
        where = f"practices[{index}] ({record['slug']})"
        stage = refs[DevelopmentStage].get(record.get("stage"))
        collection = record.get("collection")
        if collection and collection not in collections:
            collections[collection] = Collection.objects.get(slug=collection)
        values = {
            **_translated_values(
                record, "name", "summary", *Practice.SECTION_FIELDS, "location_note"
            ),
            "status": record.get("status", Practice.Status.PUBLISHED),
            "stage_id": stage.pk if stage else None,
            "start_year": record.get("start_year"),
            "content_language": record.get("content_language", Practice.Language.FINNISH),
            "is_national": record.get("is_national", False),
            "funding_programme": record.get("funding_programme", ""),
            "collection_id": collections[collection].pk if collection else None,
            "source_name": record.get("source_name", ""),
            "source_url": record.get("source_url", ""),
            "source_author": record.get("source_author", ""),
            "source_created": record.get("source_created"),
            "source_modified": record.get("source_modified"),
        }
        practice, status = _save(Practice, {"slug": record["slug"]}, values, where)

        changed = False
        for name, model in (
            ("themes", Theme),
            ("target_groups", TargetGroup),
            ("funders", Funder),
            ("municipalities", Municipality),
            ("regions", Region),
            ("wellbeing_counties", WellbeingServicesCounty),
        ):
            objects = [refs[model][key] for key in record.get(name, [])]
            changed |= _set_many(practice, name, objects)

        roles = [
            {
                "organisation_id": organisation(role["organisation"]).pk,
                "role": role["role"],
                "unit": role.get("unit", ""),
                "year": role.get("year"),
                "order": order,
            }
            for order, role in enumerate(record.get("organisations", []))
        ]
        changed |= _sync_related(
            practice,
            PracticeOrganisation,
            ("organisation_id", "role"),
            roles,
            f"{where}: organisations",
        )
        people = [
            {"contact_id": contacts[role["contact"]].pk, "role": role["role"], "order": order}
            for order, role in enumerate(record.get("contacts", []))
        ]
        changed |= _sync_related(
            practice, PracticeContact, ("contact_id", "role"), people, f"{where}: contacts"
        )
        recognitions = [
            {
                **_translated_values(item, "award", "description"),
                "year": item["year"],
                "awarding_body": item.get("awarding_body", ""),
                "url": item.get("url", ""),
            }
            for item in record.get("recognitions", [])
        ]
        changed |= _sync_related(
            practice, Recognition, ("award_fi", "year"), recognitions, f"{where}: recognitions"
        )
        links = [
            {
                **_translated_values(item, "title"),
                "url": item["url"],
                "kind": item.get("kind", PracticeLink.Kind.WEBSITE),
                "order": order,
            }
            for order, item in enumerate(record.get("links", []))
        ]
        changed |= _sync_related(practice, PracticeLink, ("url",), links, f"{where}: links")
        attachments = [
            {
                **_translated_values(item, "title", "description"),
                "original_filename": item.get("original_filename", ""),
                "order": order,
            }
            for order, item in enumerate(record.get("attachments", []))
        ]
        changed |= _sync_related(
            practice, Attachment, ("title_fi",), attachments, f"{where}: attachments"
        )

        if status == "unchanged" and changed:
            status = "updated"
        tallies[Practice].count(status)
    return summary


def load(data):
    """Check ``data`` (the parsed JSON file) and write it in one transaction; return a Summary.

    Raises DemoDataError, with nothing written, when the data is malformed or refers to
    reference data that has not been loaded.
    """
    parsed = parse(data)
    refs = _resolve_reference_data(parsed)
    _check_internal_references(parsed)
    try:
        # Finnish active: modeltranslation keeps the untranslated columns in Finnish.
        with transaction.atomic(), translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            return _write(parsed, refs)
    except DatabaseError as exc:
        raise DemoDataError(
            _("The demo data could not be saved: %(error)s.") % {"error": exc}
        ) from exc
