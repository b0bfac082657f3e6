"""Counts and lists of published practices for the directory pages (organisations, areas,
collections) and the statistics page.

Only published practices are ever counted. Every function runs a fixed number of queries,
whatever the number of practices, organisations or areas.

Names are put in order here, in Python, with a Finnish key (å, ä and ö after z; é as e; ü as
y): databases order accented letters by their own collation, which differs between SQLite and
PostgreSQL and between PostgreSQL installations.

An area's practices are those linked to the area itself and those linked to a municipality in
it; a region's practices also include those linked to its wellbeing services counties.
"""

import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

from practices.models import Collection, DevelopmentStage, Practice, PracticeOrganisation, Theme

from .models import Municipality, Organisation, Region, WellbeingServicesCounty

PUBLISHED = Practice.Status.PUBLISHED

PracticeCounty = Practice.wellbeing_counties.through
PracticeRegion = Practice.regions.through
PracticeMunicipality = Practice.municipalities.through


# Finnish alphabetical order

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"
_RANK = {letter: index for index, letter in enumerate(ALPHABET.lower())}
# Letters sorted as other letters of the Finnish alphabet.
_AS_LETTERS = {"æ": "ä", "ø": "ö", "œ": "ö", "ü": "y", "ű": "y", "ß": "ss"}
# Groups of the alphabetical index besides the letters.
DIGITS = "0–9"
OTHER = "#"


def _weights(char):
    """The primary sort weights of one lowercase character: punctuation and spaces first, then
    digits, then letters in Finnish order, then letters of other scripts."""
    if char in _RANK:
        return ((2, _RANK[char]),)
    if char in _AS_LETTERS:
        return tuple((2, _RANK[letter]) for letter in _AS_LETTERS[char])
    if unicodedata.category(char).startswith("M"):
        return ()
    base = unicodedata.normalize("NFD", char)[0]
    if base in _RANK:
        return ((2, _RANK[base]),)
    if char.isdigit():
        return ((1, unicodedata.digit(char, 0)),)
    if char.isalpha():
        return ((3, ord(char)),)
    return ((0, ord(char)),)


def finnish_key(text):
    """A sort key that puts names in Finnish alphabetical order, case-insensitively."""
    text = unicodedata.normalize("NFC", str(text or ""))
    folded = text.casefold()
    primary = tuple(weight for char in folded for weight in _weights(char))
    return (primary, folded, text)


def index_group(text):
    """The group of the alphabetical index a name falls in: its first letter (A–Ö), DIGITS or
    OTHER. Leading punctuation and spaces are skipped."""
    for char in unicodedata.normalize("NFC", str(text or "")).casefold():
        weights = _weights(char)
        if not weights or weights[0][0] == 0:
            continue
        kind, value = weights[0]
        if kind == 2:
            return ALPHABET[value]
        return DIGITS if kind == 1 else OTHER
    return OTHER


def by_name(objects, attribute="name"):
    """The objects sorted by an attribute (the name in the active language) in Finnish order."""
    return sorted(objects, key=lambda obj: (finnish_key(getattr(obj, attribute)), obj.pk))


def _name_fields():
    """The columns of a practice's name: the active language's, then Finnish."""
    finnish = build_localized_fieldname("name", "fi")
    localized = build_localized_fieldname("name", get_language() or "fi")
    return (localized, finnish) if localized != finnish else (finnish,)


def _shown_name(values):
    """The name shown from the values of _name_fields(): the first that is not empty."""
    return next((value for value in values if value), "")


def practice_ids_by_name(queryset, **annotations):
    """The ids of the practices in the queryset in Finnish order of the name shown, with the
    given annotations: a list of (id, {annotation: value}). One query."""
    fields = _name_fields()
    names = list(annotations)
    rows = queryset.annotate(**annotations).values_list("pk", *fields, *names)
    result = []
    for row in rows:
        name = _shown_name(row[1 : 1 + len(fields)])
        extra = dict(zip(names, row[1 + len(fields) :], strict=True))
        result.append((finnish_key(name), row[0], extra))
    result.sort(key=lambda item: (item[0], item[1]))
    return [(pk, extra) for _key, pk, extra in result]


def practices_for_cards(ids):
    """The published practices with the given ids, ready for practice cards, in the given
    order. A fixed number of queries (none when there are no ids)."""
    if not ids:
        return []
    found = Practice.objects.published().for_listing().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _count(queryset):
    """A subquery counting the rows of a queryset, for annotating outer rows."""
    counted = queryset.order_by().annotate(_count=Func(F("pk"), function="COUNT")).values("_count")
    return Subquery(counted, output_field=IntegerField())


# Organisations


def organisations_with_counts():
    """Organisations with a part in at least one published practice, each with
    practice_count (its published practices, whatever its roles), in Finnish order."""
    organisations = Organisation.objects.annotate(
        practice_count=Count(
            "practice_roles__practice",
            filter=Q(practice_roles__practice__status=PUBLISHED),
            distinct=True,
        )
    ).filter(practice_count__gt=0)
    return by_name(organisations)


def organisation_roles(organisation):
    """{role: [practice id, …]} of the organisation's published practices, each role's list in
    Finnish order of name. One query."""
    fields = [f"practice__{field}" for field in _name_fields()]
    rows = (
        PracticeOrganisation.objects.filter(organisation=organisation, practice__status=PUBLISHED)
        .values_list("role", "practice_id", *fields)
        .distinct()
    )
    ordered = sorted(rows, key=lambda row: (finnish_key(_shown_name(row[2:])), row[1]))
    roles = {}
    for row in ordered:
        ids = roles.setdefault(row[0], [])
        if row[1] not in ids:
            ids.append(row[1])
    return roles


# Areas


def county_practices(county):
    """Published practices linked to a wellbeing services county or to a municipality in it.
    `county` is a county or a reference to one (OuterRef)."""
    return Practice.objects.published().filter(
        Exists(
            PracticeCounty.objects.filter(practice=OuterRef("pk"), wellbeingservicescounty=county)
        )
        | Exists(
            PracticeMunicipality.objects.filter(
                practice=OuterRef("pk"), municipality__wellbeing_county=county
            )
        )
    )


def linked_to_county(county):
    """True for a practice linked to the county itself (an expression for annotate)."""
    return Exists(
        PracticeCounty.objects.filter(practice=OuterRef("pk"), wellbeingservicescounty=county)
    )


def region_practices(region):
    """Published practices linked to a region, to a wellbeing services county in it or to a
    municipality in it. `region` is a region or a reference to one (OuterRef)."""
    return Practice.objects.published().filter(
        Exists(PracticeRegion.objects.filter(practice=OuterRef("pk"), region=region))
        | Exists(
            PracticeCounty.objects.filter(
                practice=OuterRef("pk"), wellbeingservicescounty__region=region
            )
        )
        | Exists(
            PracticeMunicipality.objects.filter(
                practice=OuterRef("pk"), municipality__region=region
            )
        )
    )


def linked_to_region(region):
    """True for a practice linked to the region itself (an expression for annotate)."""
    return Exists(PracticeRegion.objects.filter(practice=OuterRef("pk"), region=region))


def counties_with_counts(queryset=None):
    """Wellbeing services counties, each with practice_count (see county_practices), in
    Finnish order. One query."""
    queryset = WellbeingServicesCounty.objects.all() if queryset is None else queryset
    counties = queryset.annotate(practice_count=_count(county_practices(OuterRef(OuterRef("pk")))))
    return by_name(counties)


def regions_with_counts():
    """Regions, each with practice_count (see region_practices), in Finnish order. One query."""
    regions = Region.objects.annotate(
        practice_count=_count(region_practices(OuterRef(OuterRef("pk"))))
    )
    return by_name(regions)


def municipalities_with_counts(**filters):
    """The municipalities matching the filters, each with practice_count (published practices
    linked to the municipality), in Finnish order. One query."""
    municipalities = Municipality.objects.filter(**filters).annotate(
        practice_count=Count("practices", filter=Q(practices__status=PUBLISHED), distinct=True)
    )
    return by_name(municipalities)


# Collections


def collections_with_counts():
    """Collections with at least one published practice, each with practice_count, with the
    coordinator, in Finnish order. One query."""
    collections = (
        Collection.objects.select_related("coordinator")
        .annotate(practice_count=Count("practices", filter=Q(practices__status=PUBLISHED)))
        .filter(practice_count__gt=0)
    )
    return by_name(collections)


# The statistics page


@dataclass(frozen=True)
class Bar:
    """One value of a chart: its label, count, where it links (empty for no link) and its
    length as a percentage of the longest bar."""

    label: str
    count: int
    url: str = ""
    percent: float = 0.0
    # The object the label names, for marking a fallback language; None for a plain label.
    obj: object = None

    @property
    def width(self):
        """The length for an SVG attribute: a plain number, whatever the locale."""
        return f"{self.percent:.1f}"


def bars(rows):
    """Bars with their lengths, from (label, count, url, obj) rows."""
    rows = list(rows)
    largest = max((row[1] for row in rows), default=0)
    return [
        Bar(
            label=str(label),
            count=count,
            url=url if count else "",
            percent=round(100 * count / largest, 1) if largest else 0.0,
            obj=obj,
        )
        for label, count, url, obj in rows
    ]


def totals():
    """The number of published practices, and of those without a stage or a start year."""
    return Practice.objects.published().aggregate(
        total=Count("pk"),
        without_stage=Count("pk", filter=Q(stage__isnull=True)),
        without_start_year=Count("pk", filter=Q(start_year__isnull=True)),
    )


def theme_counts():
    """Themes with their number of published practices, most first, then by name."""
    themes = Theme.objects.annotate(
        practice_count=Count("practices", filter=Q(practices__status=PUBLISHED))
    )
    return sorted(themes, key=lambda theme: (-theme.practice_count, finnish_key(theme.name)))


def stage_counts():
    """Development stages with their number of published practices, in the stages' order."""
    return list(
        DevelopmentStage.objects.annotate(
            practice_count=Count("practices", filter=Q(practices__status=PUBLISHED))
        )
    )


def region_counts():
    """Regions with their number of published practices (see region_practices), most first,
    then by name."""
    regions = regions_with_counts()
    return sorted(regions, key=lambda region: -region.practice_count)


def start_year_counts():
    """(year, count) of published practices by the year their development began, oldest
    first; practices without a start year are left out."""
    rows = (
        Practice.objects.published()
        .filter(start_year__isnull=False)
        .values("start_year")
        .annotate(count=Count("pk"))
        .order_by("start_year")
    )
    return [(row["start_year"], row["count"]) for row in rows]


def published_year_counts():
    """(year, count) of published practices by the year they were first published, oldest
    first (in the site's time zone)."""
    rows = (
        Practice.objects.published()
        .filter(published_at__isnull=False)
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
    return [(row["year"], row["count"]) for row in rows]
