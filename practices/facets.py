"""Facet counts for the practice list: how many practices each filter value would give.

Counts are disjunctive: each facet counts over the practices that match every OTHER active
filter (the search text included) but not its own selection, so that ticking one theme still
shows how many practices the other themes would add. Values that would give nothing are left
out unless selected; a selected value always stays, with its count, even when that is 0.

The counts come from the in-memory index of practices.browse (no database query at all once
the index is current), via the FilterSet's results(). Counting them all takes a few
milliseconds, so the facets of a selection are kept in the cache, keyed by the index's
revision, the language and the selection: a list page that shows practices just published,
unpublished or imported is at a new revision, and finds nothing stale.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

from .filters import PracticeFilterSet

# Long facets show this many values by count; the rest wait behind "show all".
TOP_VALUES = 8
# Seconds the facets of a selection are kept in the cache at most (a new revision replaces them
# at once).
FACET_CACHE_SECONDS = 300

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


# Facets over lookup lists shown in their editorial order; places and organisations by name.
EDITORIAL_ORDER = frozenset({"theme", "target_group", "stage", "funder"})
# Facets long enough to show their most common values first and the rest behind "show all".
LONG_FACETS = frozenset({"municipality", "organisation", "collection"})

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
VALUE_FACET_NAMES = tuple(
    name for name in FACET_ORDER if name not in ("organisation_type", "recognised")
)


def _value_facet(filterset, results, name):
    counts = results.value_counts(name)
    objects = results.index.objects[name]
    labels = results.index.labels(name, get_language() or "fi")
    selected = {obj.slug: obj for obj in filterset.selected(name)}
    counted = {slug: (objects[slug], count) for slug, count in counts.items() if slug in objects}
    for slug, obj in selected.items():
        counted.setdefault(slug, (obj, 0))

    def label_of(obj):
        return labels.get(obj.slug) or str(obj)

    def value(obj, count):
        return FacetValue(obj.slug, label_of(obj), count, obj.slug in selected)

    if name in EDITORIAL_ORDER:
        items = sorted(
            counted.values(), key=lambda pair: (pair[0].order, sort_key(label_of(pair[0])))
        )
    else:
        items = sorted(counted.values(), key=lambda pair: sort_key(label_of(pair[0])))
    values = [value(obj, count) for obj, count in items]
    label = str(filterset.filters[name].label)
    if name not in LONG_FACETS or len(values) <= TOP_VALUES + 2:
        return Facet(name, label, values)
    # The most common values and every selected one, by count; the rest alphabetically.
    by_count = sorted(values, key=lambda v: (-v.count, sort_key(v.label)))
    top = by_count[:TOP_VALUES] + [v for v in by_count[TOP_VALUES:] if v.selected]
    shown = {v.value for v in top}
    return Facet(name, label, top, [v for v in values if v.value not in shown])


def _organisation_type_facet(filterset, results):
    name = "organisation_type"
    counts = results.value_counts(name)
    selected = set(filterset.selected(name))
    values = [
        FacetValue(choice.value, str(choice.label), counts.get(choice.value, 0), choice in selected)
        for choice in Organisation.Type
        if counts.get(choice.value) or choice in selected
    ]
    return Facet(name, str(filterset.filters[name].label), values)


def _recognised_facet(filterset, results):
    name = "recognised"
    count = results.recognised_count()
    selected = bool(filterset.selected(name))
    values = []
    if count or selected:
        values.append(FacetValue("1", str(_("Only recognised practices")), count, selected))
    return Facet(name, str(filterset.filters[name].label), values)


def _cache_key(filterset, revision):
    """The facets' cache key: what they are counted over (every valid filter and the search
    text, not the order or the page) in which language, at which index revision."""
    selection = {
        name: sorted(item if isinstance(item, str) else item.slug for item in selected)
        for name in PracticeFilterSet.MULTI_VALUE
        if (selected := filterset.selected(name))
    }
    for name in ("funding_programme", "start_year_min", "start_year_max", "recognised"):
        if (value := filterset.cleaned(name)) not in (None, "", False):
            selection[name] = str(value).upper()
    selection["q"] = filterset.text_query
    digest = hashlib.sha256(json.dumps(selection, sort_keys=True).encode()).hexdigest()
    return f"facets:{get_language() or 'fi'}:{revision}:{digest[:32]}"


def facet_counts(filterset: PracticeFilterSet) -> list[Facet]:
    """Every facet with its values and disjunctive counts, in display order. Facets with no
    value to offer are included with an empty list; the caller decides whether to show them."""
    results = filterset.results()
    # Before the first indexing there is no revision to key them by: not cached.
    key = _cache_key(filterset, results.index.revision) if results.index.revision else None
    cached = cache.get(key) if key else None
    if cached is not None:
        return cached
    facets = {name: _value_facet(filterset, results, name) for name in VALUE_FACET_NAMES}
    facets["organisation_type"] = _organisation_type_facet(filterset, results)
    facets["recognised"] = _recognised_facet(filterset, results)
    ordered = [facets[name] for name in FACET_ORDER]
    if key:
        cache.set(key, ordered, FACET_CACHE_SECONDS)
    return ordered
