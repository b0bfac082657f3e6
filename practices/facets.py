"""Facet counts for the practice list: how many practices each filter value would give.

Counts are disjunctive: each facet counts over the practices that match every OTHER active
filter (the search text included) but not its own selection, so that ticking one theme still
shows how many practices the other themes would add. Values that would give nothing are left
out unless selected; a selected value always stays, with its count, even when that is 0.

Each facet costs one aggregate query (values(...).annotate(Count(..., distinct=True)) over the
filtered practices), whatever the number of values, practices or results.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty

from .filters import PracticeFilterSet
from .models import Collection, DevelopmentStage, Funder, Recognition, TargetGroup, Theme

# Long facets show this many values by count; the rest wait behind "show all".
TOP_VALUES = 8

# Finnish and Swedish sort å, ä and ö after z.
_NORDIC_ORDER = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})


def sort_key(text):
    return str(text).casefold().translate(_NORDIC_ORDER)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]
    # Further values of a long facet, shown behind "show all".
    more: list[FacetValue] = field(default_factory=list)

    @property
    def all_values(self):
        return self.values + self.more

    @property
    def selected_count(self):
        return sum(1 for value in self.all_values if value.selected)


@dataclass(frozen=True)
class ModelFacet:
    """A facet over a lookup model that Practice links to through `path`."""

    name: str
    model: type
    path: str
    long: bool = False
    # Lookup lists are shown in their editorial order; places and organisations by name.
    editorial_order: bool = False
    # Fields __str__ needs besides the translated name.
    extra_fields: tuple = ()


MODEL_FACETS = (
    ModelFacet("theme", Theme, "themes", editorial_order=True),
    ModelFacet("target_group", TargetGroup, "target_groups", editorial_order=True),
    ModelFacet("stage", DevelopmentStage, "stage", editorial_order=True),
    ModelFacet("county", WellbeingServicesCounty, "wellbeing_counties"),
    ModelFacet("region", Region, "regions"),
    ModelFacet("municipality", Municipality, "municipalities", long=True),
    ModelFacet("organisation", Organisation, "organisations", long=True),
    ModelFacet("funder", Funder, "funders", editorial_order=True, extra_fields=("abbreviation",)),
    ModelFacet("collection", Collection, "collection", long=True),
)

# The order facets are shown in.
FACET_ORDER = (
    "theme",
    "target_group",
    "stage",
    "county",
    "region",
    "municipality",
    "organisation",
    "organisation_type",
    "funder",
    "collection",
    "recognised",
)


def _label_fields(spec):
    """The fields a value's label is made of: its slug, the name in every language (the active
    one falls back to Finnish) and what __str__ needs besides."""
    fields = ["id", "slug"]
    fields += [build_localized_fieldname("name", language) for language in AVAILABLE_LANGUAGES]
    if spec.editorial_order:
        fields.append("order")
    fields.extend(spec.extra_fields)
    return fields


def _model_facet(filterset, spec):
    """One query: the practices that match the other filters, grouped by the related value.
    The practice queryset stays the outer query, so the text search is never re-run inside
    another model's query."""
    fields = _label_fields(spec)
    rows = (
        filterset.queryset_without(spec.name)
        .values(*(f"{spec.path}__{field}" for field in fields))
        .annotate(practice_count=Count("pk", distinct=True))
        .order_by()
    )
    selected = {obj.slug: obj for obj in filterset.selected(spec.name)}
    counted = {}
    for row in rows:
        if row[f"{spec.path}__id"] is None:  # practices with no value for this facet
            continue
        obj = spec.model(**{field: row[f"{spec.path}__{field}"] for field in fields})
        counted[obj.slug] = (obj, row["practice_count"])
    for slug, obj in selected.items():
        counted.setdefault(slug, (obj, 0))

    def value(obj, count):
        return FacetValue(obj.slug, str(obj), count, obj.slug in selected)

    if spec.editorial_order:
        items = sorted(counted.values(), key=lambda pair: (pair[0].order, sort_key(pair[0])))
    else:
        items = sorted(counted.values(), key=lambda pair: sort_key(pair[0]))
    values = [value(obj, count) for obj, count in items]
    label = str(filterset.filters[spec.name].label)
    if not spec.long or len(values) <= TOP_VALUES + 2:
        return Facet(spec.name, label, values)
    # The most common values and every selected one, by count; the rest alphabetically.
    by_count = sorted(values, key=lambda v: (-v.count, sort_key(v.label)))
    top = by_count[:TOP_VALUES] + [v for v in by_count[TOP_VALUES:] if v.selected]
    shown = {v.value for v in top}
    return Facet(spec.name, label, top, [v for v in values if v.value not in shown])


def _organisation_type_facet(filterset):
    name = "organisation_type"
    rows = (
        filterset.queryset_without(name)
        .values("organisations__type")
        .annotate(practice_count=Count("pk", distinct=True))
        .order_by()
    )
    counts = {row["organisations__type"]: row["practice_count"] for row in rows}
    selected = set(filterset.selected(name))
    values = [
        FacetValue(choice.value, str(choice.label), counts.get(choice.value, 0), choice in selected)
        for choice in Organisation.Type
        if counts.get(choice.value) or choice in selected
    ]
    return Facet(name, str(filterset.filters[name].label), values)


def _recognised_facet(filterset):
    name = "recognised"
    count = (
        filterset.queryset_without(name)
        .filter(Exists(Recognition.objects.filter(practice=OuterRef("pk"))))
        .count()
    )
    selected = bool(filterset.selected(name))
    values = []
    if count or selected:
        values.append(FacetValue("1", str(_("Only recognised practices")), count, selected))
    return Facet(name, str(filterset.filters[name].label), values)


def facet_counts(filterset: PracticeFilterSet) -> list[Facet]:
    """Every facet with its values and disjunctive counts, in display order. Facets with no
    value to offer are included with an empty list; the caller decides whether to show them."""
    facets = {spec.name: _model_facet(filterset, spec) for spec in MODEL_FACETS}
    facets["organisation_type"] = _organisation_type_facet(filterset)
    facets["recognised"] = _recognised_facet(filterset)
    return [facets[name] for name in FACET_ORDER]
