"""What the OpenAPI description (/api/schema/) says about the API beyond what drf-spectacular
reads from the serializers: the list's query parameters, built from PracticeFilterSet so that
every filter of the list page is documented, and the shape of a list page and of an error."""

import django_filters
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers

from ..facets import FACET_ORDER
from ..filters import FALSE_VALUES, MAX_YEAR, MIN_YEAR, TRUE_VALUES, PracticeFilterSet, YearFilter
from .serializers import FacetSerializer, PracticeListSerializer

# The on and off values of a yes/no parameter (an empty value is off as well).
FLAG_VALUES = sorted(TRUE_VALUES) + sorted(FALSE_VALUES - {""})

FILTER_DESCRIPTIONS = {
    "q": _(
        "Search text. Finnish words also match their inflected forms and the parts of "
        "compound words. Results are ordered by relevance unless sort is given."
    ),
    "theme": _("Theme slug."),
    "target_group": _("Target group slug."),
    "stage": _("Development stage slug."),
    "county": _("Wellbeing services county slug."),
    "region": _("Region slug."),
    "municipality": _("Municipality slug."),
    "organisation": _("Slug of an organisation with any role in the practice."),
    "organisation_type": _("Type of an organisation with any role in the practice."),
    "funder": _("Funder slug."),
    "funding_programme": _("Funding programme, exactly as written (letter case is ignored)."),
    "collection": _("Slug of the project, programme or network the practice belongs to."),
    "start_year_min": _("Practices whose development began in this year or later."),
    "start_year_max": _("Practices whose development began in this year or earlier."),
    "recognised": _("1 (or true, yes, on): only practices that have received a recognition."),
    "sort": _(
        "Order of the results: relevance (best match first; the default with q), newest (the "
        "default without q), updated (recently updated first) or name."
    ),
}
REPEATABLE = _(
    "Repeat the parameter to give several values: a practice matching any of them is listed."
)


def _filter_parameter(name, filter_):
    description = FILTER_DESCRIPTIONS.get(name, filter_.label)
    choices = filter_.extra.get("choices")
    enum = [value for value, _label in choices] if choices else None
    if isinstance(
        filter_, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter
    ):
        return OpenApiParameter(
            name,
            str,
            many=True,
            style="form",
            explode=True,
            enum=enum,
            description=format_lazy("{} {}", description, REPEATABLE),
        )
    if isinstance(filter_, YearFilter):
        schema = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}
        return OpenApiParameter(name, schema, description=description)
    if name == "recognised":
        return OpenApiParameter(name, str, enum=FLAG_VALUES, description=description)
    return OpenApiParameter(name, str, enum=enum, description=description)


def filter_parameters():
    """One parameter per filter of PracticeFilterSet, in its order."""
    return [
        _filter_parameter(name, filter_) for name, filter_ in PracticeFilterSet.base_filters.items()
    ]


LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    str,
    enum=[code for code, _name in settings.LANGUAGES],
    description=_(
        "Language of the translated texts. Without it, the Accept-Language header chooses, "
        "else Finnish. A text without a translation is given in Finnish."
    ),
)

# The practice's slug in the detail's address: what Django's <slug:> path converter matches.
# Any other text is not an address of the API.
SLUG_PARAMETER = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    pattern=r"^[-a-zA-Z0-9_]+$",
    description=_("The practice's slug, as in the address of its page."),
)

FACETS_PARAMETER = OpenApiParameter(
    "facets",
    str,
    enum=FLAG_VALUES,
    description=_(
        "1 (or true, yes, on) adds facets to the response: for each facet, the values that "
        "give results with the other filters applied, with their counts."
    ),
)


FacetsSerializer = type(
    "FacetsSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The values of each facet, as the list page shows them.",
        **{name: FacetSerializer(many=True) for name in FACET_ORDER},
    },
)


@extend_schema_serializer(many=False)
class PracticePageSerializer(serializers.Serializer):
    """One page of the list."""

    count = serializers.IntegerField(help_text=_("Number of practices on all pages."))
    next = serializers.URLField(allow_null=True, help_text=_("The next page, if any."))
    previous = serializers.URLField(allow_null=True, help_text=_("The previous page, if any."))
    results = PracticeListSerializer(many=True)
    facets = FacetsSerializer(required=False, help_text=_("Only with facets=1."))


# A 400 response: each parameter with a value that was not understood, with a message per value.
INVALID_PARAMETERS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"theme": ["“no-such-theme”: Unknown value."]},
}


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()
