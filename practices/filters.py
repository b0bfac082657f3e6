"""The one place a query string becomes a queryset of practices.

The public list page and the JSON API both filter with PracticeFilterSet, so they share
parameter names and behaviour:

    q                 text search (practices.search.filter_by_text)
    theme, target_group, stage, county, region, municipality, organisation, funder, collection
                      slugs; repeatable; values of one parameter combine with OR
    organisation_type Organisation.Type values; repeatable, OR
    funding_programme exact text, case-insensitive
    start_year_min, start_year_max
                      years, inclusive
    recognised        1 or true: only practices with at least one recognition
    sort              relevance | newest | updated | name; relevance when q is given, else newest

Different parameters combine with AND. Whatever the parameters, only published practices are
ever returned.

The filters are lenient: a value that names nothing (an unknown slug, a year that is not a
number, an unknown sort) is left out instead of rejecting the whole query string, and
`ignored()` lists what was left out so that the page can say so and the API can reject it.
"""

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, F, OuterRef
from django.http import QueryDict
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty

from .browse import browse_index
from .models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    Recognition,
    TargetGroup,
    Theme,
)
from .models.practice import name_ordering
from .search import filter_by_text

SLUG_RE = re.compile(r"^[-\w]{1,255}\Z")
MIN_YEAR = 1900
MAX_YEAR = 2100
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})


class Sort(models.TextChoices):
    RELEVANCE = "relevance", _("Best match")
    NEWEST = "newest", _("Newest first")
    UPDATED = "updated", _("Recently updated")
    NAME = "name", _("Name (A–Z)")


def distinct_values(value):
    """The non-blank values of a repeatable parameter, stripped, once each, in given order."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    result = []
    for item in value:
        item = str(item).strip()
        if item and item not in result:
            result.append(item)
    return result


class SlugsField(forms.ModelMultipleChoiceField):
    """Objects named by their slugs. Slugs that name nothing are dropped rather than rejecting
    the whole selection, so that one stale or mistyped value does not discard the others;
    PracticeFilterSet.ignored() reports them. One query, whatever the number of values."""

    def clean(self, value):
        # Only what could be a slug reaches the database (PostgreSQL rejects NUL characters).
        values = [item for item in distinct_values(value) if SLUG_RE.match(item)]
        if not values:
            return []
        key = self.to_field_name or "pk"
        found = {
            str(getattr(obj, key)): obj for obj in self.queryset.filter(**{f"{key}__in": values})
        }
        return [found[slug] for slug in values if slug in found]


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Like SlugsField for fixed choices: unknown values are dropped, the rest kept."""

    def clean(self, value):
        return [item for item in distinct_values(value) if self.valid_value(item)]


class FlagField(forms.Field):
    """A yes-only switch: 1, true, yes or on turn it on; empty, 0, false, no or off leave it off."""

    default_error_messages = {"invalid": _("Use 1 to turn this filter on.")}

    def to_python(self, value):
        text = str(value if value is not None else "").strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class FacetFilter(django_filters.ModelMultipleChoiceFilter):
    """Practices linked to any of the given objects (OR within the facet).

    Filters through a subquery on the practice's primary key, so the outer query gets no join:
    results stay distinct, and the facet counts, which annotate across the same relations, are
    not narrowed by a join this filter left behind.
    """

    field_class = SlugsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        matching = Practice.objects.filter(**{f"{self.field_name}__in": value}).values("pk")
        return qs.filter(pk__in=matching)


class ChoicesFacetFilter(django_filters.MultipleChoiceFilter):
    """Practices with any of the given choice values across a relation (OR within the facet)."""

    field_class = LenientMultipleChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        matching = Practice.objects.filter(**{f"{self.field_name}__in": value}).values("pk")
        return qs.filter(pk__in=matching)


def _year_message():
    return gettext("Enter a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


# Translated when shown, in the language of the request, not once at import.
_lazy_year_message = lazy(_year_message, str)


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        year_message = _lazy_year_message()
        kwargs.setdefault(
            "error_messages",
            {"invalid": year_message, "min_value": year_message, "max_value": year_message},
        )
        super().__init__(*args, **kwargs)


class RecognisedFilter(django_filters.Filter):
    field_class = FlagField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(Exists(Recognition.objects.filter(practice=OuterRef("pk"))))


def shown_value(value, limit=100):
    """A value as given, made safe to quote back: control characters replaced, long values
    shortened."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Ignored:
    """One value of the query string that was left out, and why."""

    param: str
    label: str
    value: str
    reason: str


@dataclass(frozen=True)
class ActiveFilter:
    """One value that narrows the results, as a person reads it."""

    param: str
    value: str
    group: str
    label: str


class PracticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    theme = FacetFilter(field_name="themes", queryset=Theme.objects.all(), label=_("Theme"))
    target_group = FacetFilter(
        field_name="target_groups", queryset=TargetGroup.objects.all(), label=_("Target group")
    )
    stage = FacetFilter(
        field_name="stage",
        queryset=DevelopmentStage.objects.all(),
        label=_("Development stage"),
    )
    county = FacetFilter(
        field_name="wellbeing_counties",
        queryset=WellbeingServicesCounty.objects.all(),
        label=_("Wellbeing services county"),
    )
    region = FacetFilter(field_name="regions", queryset=Region.objects.all(), label=_("Region"))
    municipality = FacetFilter(
        field_name="municipalities", queryset=Municipality.objects.all(), label=_("Municipality")
    )
    organisation = FacetFilter(
        field_name="organisations", queryset=Organisation.objects.all(), label=_("Organisation")
    )
    organisation_type = ChoicesFacetFilter(
        field_name="organisations__type",
        choices=Organisation.Type.choices,
        label=_("Organisation type"),
    )
    funder = FacetFilter(field_name="funders", queryset=Funder.objects.all(), label=_("Funder"))
    funding_programme = django_filters.CharFilter(
        field_name="funding_programme",
        lookup_expr="iexact",
        max_length=200,
        label=_("Funding programme"),
    )
    collection = FacetFilter(
        field_name="collection", queryset=Collection.objects.all(), label=_("Collection")
    )
    start_year_min = YearFilter(
        field_name="start_year", lookup_expr="gte", label=_("Start year from")
    )
    start_year_max = YearFilter(
        field_name="start_year", lookup_expr="lte", label=_("Start year to")
    )
    recognised = RecognisedFilter(label=_("Recognition"))
    sort = django_filters.ChoiceFilter(
        choices=Sort.choices,
        label=_("Sort by"),
        method="filter_sort",
        error_messages={"invalid_choice": _("Unknown sort order.")},
    )

    # Parameters whose values are slugs or choices, repeatable.
    MULTI_VALUE = (
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
    )

    class Meta:
        model = Practice
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # Whatever queryset a caller brings, only published practices ever come out.
        if queryset is None:
            queryset = Practice.objects.for_listing()
        # No query string is an empty one: always bound, so that the default order applies.
        if data is None:
            data = QueryDict()
        super().__init__(data, queryset.published(), request=request, prefix=prefix)
        self._results = None

    # Filtering

    def filter_text(self, queryset, name, value):
        return filter_by_text(queryset, value)

    def filter_sort(self, queryset, name, value):
        # Ordering is applied once all filters are in: see filter_queryset().
        return queryset

    def filter_queryset(self, queryset, *, without=None, ordered=True):
        """The queryset with every valid filter applied; `without` names one parameter to leave
        out (a facet counting its own values); `ordered=False` skips the ordering."""
        for name, value in self._valid_data().items():
            if name == without:
                continue
            queryset = self.filters[name].filter(queryset, value)
        if ordered:
            queryset = queryset.order_by(*self.ordering())
        return queryset

    def queryset_without(self, name):
        """Practices matching every filter but `name`, unordered: what a facet counts over."""
        return self.filter_queryset(self.queryset.all(), without=name, ordered=False)

    def results(self):
        """The published practices the query string asks for, as practices.browse counts,
        orders and pages them: what the list page and the API show. (Unlike .qs, it always
        covers every published practice, whatever queryset the FilterSet was given.)"""
        if self._results is None:
            data = self._valid_data()
            self._results = browse_index(self.queryset.db).select(
                facets={
                    name: [self._value_key(name, item) for item in self.selected(name)]
                    for name in self.MULTI_VALUE
                },
                funding_programme=data.get("funding_programme") or "",
                year_min=data.get("start_year_min"),
                year_max=data.get("start_year_max"),
                recognised=bool(data.get("recognised")),
                q=self.text_query,
                sort=self.sort_order,
                language=get_language(),
            )
        return self._results

    # What the query string asked for

    def _valid_data(self):
        """The values that passed validation; the others are simply absent."""
        self.form.is_valid()
        return self.form.cleaned_data

    def cleaned(self, name, default=None):
        """The valid value given for a parameter, or `default`."""
        return self._valid_data().get(name, default)

    @property
    def text_query(self):
        """The search text as used, or an empty string."""
        return self.cleaned("q") or ""

    @property
    def sort_order(self):
        """The sort order in effect: relevance only makes sense with a search text."""
        requested = self.cleaned("sort") or ""
        if self.text_query:
            return requested or Sort.RELEVANCE
        if not requested or requested == Sort.RELEVANCE:
            return Sort.NEWEST
        return requested

    @property
    def default_sort(self):
        return Sort.RELEVANCE if self.text_query else Sort.NEWEST

    def ordering(self):
        sort = self.sort_order
        if sort == Sort.RELEVANCE:
            return (F("search_rank").desc(nulls_last=True), name_ordering(Practice), "pk")
        if sort == Sort.UPDATED:
            return ("-modified_at", "-pk")
        if sort == Sort.NAME:
            return (name_ordering(Practice), "pk")
        # Newest first, as the (status, -created_at) index expects; pk keeps pages stable.
        return ("-created_at", "-pk")

    def selected(self, name):
        """The valid values given for a repeatable parameter: objects for slug facets, choice
        values for organisation_type."""
        return self.cleaned(name, []) or []

    def _raw_values(self, name):
        data = self.data
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def ignored(self):
        """What was left out of the query string, one entry per value, in parameter order."""
        self.form.is_valid()
        result = []
        for name, filter_ in self.filters.items():
            label = str(filter_.label)
            raw = self._raw_values(name)
            if name in self.form.errors:
                reason = " ".join(str(error) for error in self.form.errors[name])
                for value in raw:
                    if str(value).strip():
                        result.append(Ignored(name, label, shown_value(value), reason))
            elif name in self.MULTI_VALUE:
                known = {self._value_key(name, item) for item in self.selected(name)}
                for value in distinct_values(raw):
                    if value not in known:
                        reason = str(_("Unknown value."))
                        result.append(Ignored(name, label, shown_value(value), reason))
        return result

    @staticmethod
    def _value_key(name, item):
        return item if isinstance(item, str) else item.slug

    def errors_by_param(self):
        """Ignored values as {parameter: [message, …]}, for an API error response."""
        errors = {}
        for item in self.ignored():
            message = _("“%(value)s”: %(reason)s") % {"value": item.value, "reason": item.reason}
            errors.setdefault(item.param, []).append(str(message))
        return errors

    def active_filters(self):
        """Each value that narrows the results (not the search text or the sort), labelled."""
        result = []
        type_labels = dict(Organisation.Type.choices)
        for name, filter_ in self.filters.items():
            group = str(filter_.label)
            if name in self.MULTI_VALUE:
                for item in self.selected(name):
                    if isinstance(item, str):
                        result.append(
                            ActiveFilter(name, item, group, str(type_labels.get(item, item)))
                        )
                    else:
                        result.append(ActiveFilter(name, item.slug, group, str(item)))
            elif name == "recognised":
                if self.cleaned(name):
                    result.append(
                        ActiveFilter(name, "", group, str(_("Only recognised practices")))
                    )
            elif name in ("funding_programme", "start_year_min", "start_year_max"):
                value = self.cleaned(name)
                if value not in (None, ""):
                    result.append(ActiveFilter(name, "", group, str(value)))
        return result
