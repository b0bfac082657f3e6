from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError

from ..facets import facet_counts
from ..filters import TRUE_VALUES, PracticeFilterSet
from ..models import Practice
from .schema import (
    FACETS_PARAMETER,
    INVALID_PARAMETERS_SCHEMA,
    LANGUAGE_PARAMETER,
    SLUG_PARAMETER,
    NotFoundSerializer,
    PracticePageSerializer,
    filter_parameters,
)
from .serializers import FacetSerializer, PracticeDetailSerializer, PracticeListSerializer


def _supported(code):
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def request_language(request):
    """The language of the API's answer to a Django request: see LanguageMixin."""
    return _supported(request.GET.get("lang", "")) or (
        translation.get_language_from_request(request, check_path=False)
    )


class LanguageMixin:
    """The language of translated fields: ?lang=fi|sv|en if given, else the language cookie or
    the Accept-Language header, else Finnish.

    LocaleMiddleware alone would always choose Finnish here: with i18n_patterns and no prefix
    for the default language, every path without a language prefix is taken to be Finnish.
    """

    def initial(self, request, *args, **kwargs):
        language = request_language(request._request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


@extend_schema(
    summary=_("List published practices"),
    description=_(
        "Published practices, newest first, 20 a page. The filters are those of the list page; "
        "values of one parameter combine with OR, different parameters with AND. A value that "
        "is not understood (an unknown slug, a year outside 1900–2100, an unknown sort) is "
        "rejected with 400, naming the parameter; unknown parameter names are ignored."
    ),
    parameters=[*filter_parameters(), FACETS_PARAMETER, LANGUAGE_PARAMETER],
    responses={
        200: PracticePageSerializer,
        400: OpenApiResponse(
            INVALID_PARAMETERS_SCHEMA, description=_("A parameter has a value not understood.")
        ),
        404: OpenApiResponse(NotFoundSerializer, description=_("There is no such page.")),
    },
)
class PracticeListAPIView(LanguageMixin, generics.ListAPIView):
    """Published practices, newest first, 20 a page.

    Filters use the same query parameters as the public list page (practices.filters):
    q, theme, target_group, stage, county, region, municipality, organisation, funder,
    collection (slugs, repeatable: ?theme=a&theme=b gives practices with either),
    organisation_type (repeatable), funding_programme, start_year_min, start_year_max,
    recognised=1 and sort=relevance|newest|updated|name (relevance when q is given, else
    newest). Different parameters combine with AND.

    Any value that is not understood is rejected with 400 and a JSON object naming each such
    parameter, e.g. {"theme": ["“no-such-theme”: Unknown value."]}: an unknown slug or
    organisation type, a year that is not a number from 1900 to 2100, an unknown sort, or a
    recognised other than 1, true, yes, on (on) or 0, false, no, off, empty (off). A client
    learns of a mistyped value rather than getting unfiltered results. Unknown parameter names
    are ignored; page and page_size behave as described in PracticePagination.

    ?facets=1 adds "facets" to the response: for each facet, the values that would give
    results with the other filters applied, with their counts (see practices.facets).
    """

    serializer_class = PracticeListSerializer

    def get_queryset(self):
        self.filterset = PracticeFilterSet(self.request.query_params, request=self.request)
        errors = self.filterset.errors_by_param()
        if errors:
            raise ValidationError(errors)
        return self.filterset.results()

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if request.query_params.get("facets", "").strip().lower() in TRUE_VALUES:
            response.data["facets"] = {
                facet.name: FacetSerializer(facet.all_values, many=True).data
                for facet in facet_counts(self.filterset)
            }
        return response


@extend_schema(
    summary=_("One published practice"),
    description=_(
        "Everything the practice's public page shows, contact persons included only when they "
        "are shown publicly."
    ),
    parameters=[SLUG_PARAMETER, LANGUAGE_PARAMETER],
    responses={
        200: PracticeDetailSerializer,
        404: OpenApiResponse(
            NotFoundSerializer, description=_("No published practice has this slug.")
        ),
    },
)
class PracticeDetailAPIView(LanguageMixin, generics.RetrieveAPIView):
    queryset = Practice.objects.published().for_detail()
    serializer_class = PracticeDetailSerializer
    lookup_field = "slug"


class SchemaView(LanguageMixin, SpectacularAPIView):
    """The OpenAPI description of this API: YAML, or JSON with ?format=json. Its texts are in
    the language chosen as for the API itself (?lang=, Accept-Language, else Finnish)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # LanguageMixin has chosen the language; the parent would activate any ?lang= given,
        # supported or not.
        return self._get_schema_response(request)


def not_found(request, *args, **kwargs):
    """404 in JSON, in the API's language, for an address under /api/ that names nothing."""
    with translation.override(request_language(request)):
        response = JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
        response["Content-Language"] = translation.get_language()
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
