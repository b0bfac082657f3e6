"""Reference data kept in fixtures/reference/ and loaded by ``manage.py load_reference_data``.

``areas.json`` holds Finland's regions, wellbeing services counties and municipalities, with
its sources, date and caveats in its ``meta`` object. The database is brought in line with it:
rows are matched by code (counties by slug), created when missing and corrected when they
differ. Rows that are not in the file are left alone, as practices and organisations may
refer to them.

``lookups.json`` holds the starting values of the lists editors extend in the admin
(development stages, themes, target groups, funders). Items are matched by slug and only
created when missing: an existing item is never overwritten.

Both files are read and checked in full before anything is written, so a broken file raises
:class:`FixtureError` and leaves the database untouched.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from practices.models import DevelopmentStage, Funder, TargetGroup, Theme

from .models import Municipality, Region, WellbeingServicesCounty

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
AREAS_FIXTURE = FIXTURE_DIR / "areas.json"
LOOKUPS_FIXTURE = FIXTURE_DIR / "lookups.json"

LANGUAGES = ("fi", "sv", "en")

# Keys of lookups.json and the models they fill, in the order they are loaded and reported.
LOOKUP_LISTS = {
    "development_stages": DevelopmentStage,
    "themes": Theme,
    "target_groups": TargetGroup,
    "funders": Funder,
}


class FixtureError(Exception):
    """A fixture file is missing, is not valid JSON, or holds data that cannot be loaded."""


@dataclass
class AreaTally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LookupTally:
    created: int = 0
    kept: int = 0


@dataclass
class _Row:
    """One fixture item as an unsaved model instance, plus the keys of the rows it points to."""

    instance: object
    refs: dict = field(default_factory=dict)


@dataclass
class Areas:
    regions: list
    counties: list
    municipalities: list


# Reading and checking


def read_fixture(path):
    """Return the JSON object stored at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(_("Fixture file %(path)s does not exist.") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(
            _("Fixture file %(path)s cannot be read: %(error)s.") % {"path": path, "error": exc}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            _(
                "Fixture file %(path)s is not valid JSON "
                "(line %(line)d, column %(column)d): %(error)s."
            )
            % {"path": path, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    if not isinstance(data, dict):
        raise FixtureError(_("Fixture file %(path)s must hold a JSON object.") % {"path": path})
    return data


def _items(data, key, path):
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise FixtureError(
            _('Fixture file %(path)s has no list "%(key)s".') % {"path": path, "key": key}
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise FixtureError(
                _("%(path)s: %(key)s[%(index)d] is not a JSON object.")
                % {"path": path, "key": key, "index": index}
            )
    return items


def _translated(item, key, where):
    """Return {"fi": ..., "sv": ..., "en": ...} from item[key]; missing languages are None."""
    value = item.get(key) or {}
    if isinstance(value, str):
        value = {"fi": value}
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str | None) for lang in LANGUAGES
    ):
        raise FixtureError(
            _('%(where)s: "%(key)s" must be an object of texts by language (fi, sv, en).')
            % {"where": where, "key": key}
        )
    return {lang: (value.get(lang) or "").strip() or None for lang in LANGUAGES}


def _check(instance, where, exclude=()):
    """Validate the instance's own fields against the model (lengths, slugs, choices)."""
    try:
        instance.clean_fields(exclude=["name", "description", *exclude])
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise FixtureError(f"{where}: {problems}") from None


def _unique(rows, attribute, key, path):
    seen = set()
    for row in rows:
        value = getattr(row.instance, attribute)
        if value is not None and value in seen:
            raise FixtureError(
                _('%(path)s: %(key)s: "%(value)s" appears twice as %(attribute)s.')
                % {"path": path, "key": key, "value": value, "attribute": attribute}
            )
        seen.add(value)


def _where(path, key, index, item, id_key):
    return f"{path.name}: {key}[{index}] ({id_key} {item.get(id_key)!r})"


def parse_areas(data, path=AREAS_FIXTURE):
    """Check areas.json in full and return its rows as unsaved instances."""
    path = Path(path)

    regions = []
    for index, item in enumerate(_items(data, "regions", path)):
        where = _where(path, "regions", index, item, "code")
        names = _translated(item, "name", where)
        region = Region(code=item.get("code"), slug=item.get("slug"))
        _set_names(region, names)
        _check(region, where)
        regions.append(_Row(region))
    _unique(regions, "code", "regions", path)
    _unique(regions, "slug", "regions", path)
    region_codes = {row.instance.code for row in regions}

    counties = []
    for index, item in enumerate(_items(data, "wellbeing_counties", path)):
        where = _where(path, "wellbeing_counties", index, item, "slug")
        names = _translated(item, "name", where)
        county = WellbeingServicesCounty(
            code=item.get("code"), slug=item.get("slug"), kind=item.get("kind")
        )
        _set_names(county, names)
        _check(county, where, exclude=["region"])
        if item.get("region") not in region_codes:
            raise FixtureError(
                _('%(where)s: region "%(region)s" is not among the regions.')
                % {"where": where, "region": item.get("region")}
            )
        counties.append(_Row(county, {"region": item["region"]}))
    _unique(counties, "slug", "wellbeing_counties", path)
    _unique(counties, "code", "wellbeing_counties", path)
    county_regions = {row.instance.slug: row.refs["region"] for row in counties}

    municipalities = []
    for index, item in enumerate(_items(data, "municipalities", path)):
        where = _where(path, "municipalities", index, item, "code")
        names = _translated(item, "name", where)
        population = item.get("population")
        if population is not None and (type(population) is not int or population < 0):
            raise FixtureError(
                _("%(where)s: population must be a whole number of at least 0.") % {"where": where}
            )
        municipality = Municipality(
            code=item.get("code"), slug=item.get("slug"), population=population
        )
        _set_names(municipality, names)
        _check(municipality, where, exclude=["region", "wellbeing_county"])
        region, county = item.get("region"), item.get("wellbeing_county")
        if region not in region_codes:
            raise FixtureError(
                _('%(where)s: region "%(region)s" is not among the regions.')
                % {"where": where, "region": region}
            )
        if county is not None and county not in county_regions:
            raise FixtureError(
                _('%(where)s: wellbeing services county "%(county)s" is not among the counties.')
                % {"where": where, "county": county}
            )
        if county is not None and county_regions[county] != region:
            raise FixtureError(
                _('%(where)s: lies in region %(region)s but its county "%(county)s" in %(other)s.')
                % {
                    "where": where,
                    "region": region,
                    "county": county,
                    "other": county_regions[county],
                }
            )
        municipalities.append(_Row(municipality, {"region": region, "wellbeing_county": county}))
    _unique(municipalities, "code", "municipalities", path)
    _unique(municipalities, "slug", "municipalities", path)

    return Areas(regions, counties, municipalities)


def parse_lookups(data, path=LOOKUPS_FIXTURE):
    """Check lookups.json in full and return {model: [unsaved instances]}."""
    path = Path(path)
    lookups = {}
    for key, model in LOOKUP_LISTS.items():
        rows = []
        for index, item in enumerate(_items(data, key, path)):
            where = _where(path, key, index, item, "slug")
            order = item.get("order", 0)
            if type(order) is not int or order < 0:
                raise FixtureError(
                    _("%(where)s: order must be a whole number of at least 0.") % {"where": where}
                )
            instance = model(slug=item.get("slug"), order=order)
            _set_names(instance, _translated(item, "name", where))
            for lang, text in _translated(item, "description", where).items():
                setattr(instance, f"description_{lang}", text or "")
            if model is Funder:
                instance.abbreviation = item.get("abbreviation") or ""
                instance.website = item.get("website") or ""
            _check(instance, where)
            rows.append(_Row(instance))
        _unique(rows, "slug", key, path)
        lookups[model] = [row.instance for row in rows]
    return lookups


def _set_names(instance, names):
    for lang, text in names.items():
        setattr(instance, f"name_{lang}", text)


# Writing. Callers wrap these in one transaction and run them with Finnish active, so that
# modeltranslation keeps each row's untranslated name column in Finnish.

_NAME_FIELDS = [f"name_{lang}" for lang in LANGUAGES]


def load_areas(areas):
    """Create or correct regions, counties and municipalities. Returns {model: AreaTally}."""
    tallies = {}
    tallies[Region] = _sync(
        Region, "code", [row.instance for row in areas.regions], ["slug", *_NAME_FIELDS]
    )
    region_ids = dict(Region.objects.values_list("code", "pk"))

    for row in areas.counties:
        row.instance.region_id = region_ids[row.refs["region"]]
    tallies[WellbeingServicesCounty] = _sync(
        WellbeingServicesCounty,
        "slug",
        [row.instance for row in areas.counties],
        ["code", "kind", "region_id", *_NAME_FIELDS],
    )
    county_ids = dict(WellbeingServicesCounty.objects.values_list("slug", "pk"))

    for row in areas.municipalities:
        row.instance.region_id = region_ids[row.refs["region"]]
        county = row.refs["wellbeing_county"]
        row.instance.wellbeing_county_id = county_ids[county] if county else None
    tallies[Municipality] = _sync(
        Municipality,
        "code",
        [row.instance for row in areas.municipalities],
        ["slug", "region_id", "wellbeing_county_id", "population", *_NAME_FIELDS],
    )
    return tallies


def _sync(model, key, wanted, fields):
    tally = AreaTally()
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    for new in wanted:
        old = existing.get(getattr(new, key))
        if old is None:
            new.save()
            tally.created += 1
            continue
        changed = [name for name in fields if getattr(old, name) != getattr(new, name)]
        if not changed:
            tally.unchanged += 1
            continue
        for name in changed:
            setattr(old, name, getattr(new, name))
        old.save()
        tally.updated += 1
    return tally


def load_lookups(lookups):
    """Create the lookup items that are missing. Returns {model: LookupTally}."""
    tallies = {}
    for model, instances in lookups.items():
        tally = LookupTally()
        for instance in instances:
            # The untranslated name and description columns follow name_fi and description_fi.
            defaults = {
                f.attname: getattr(instance, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key and f.name not in {"slug", "name", "description"}
            }
            _obj, created = model.objects.get_or_create(slug=instance.slug, defaults=defaults)
            if created:
                tally.created += 1
            else:
                tally.kept += 1
        tallies[model] = tally
    return tallies
