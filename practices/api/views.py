from django.utils import translation
from django.utils.cache import patch_vary_headers
from rest_framework import generics

from ..models import Practice
from .serializers import PracticeDetailSerializer, PracticeListSerializer

# Newest first, like the public list.
LIST_ORDERING = ("-created_at", "-pk")


def _supported(code):
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


class LanguageMixin:
    """The language of translated fields: ?lang=fi|sv|en if given, else the language cookie or
    the Accept-Language header, else Finnish.

    LocaleMiddleware alone would always choose Finnish here: with i18n_patterns and no prefix
    for the default language, every path without a language prefix is taken to be Finnish.
    """

    def initial(self, request, *args, **kwargs):
        language = _supported(request.query_params.get("lang", "")) or (
            translation.get_language_from_request(request._request, check_path=False)
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class PracticeListAPIView(LanguageMixin, generics.ListAPIView):
    queryset = Practice.objects.published().for_listing().order_by(*LIST_ORDERING)
    serializer_class = PracticeListSerializer


class PracticeDetailAPIView(LanguageMixin, generics.RetrieveAPIView):
    queryset = Practice.objects.published().for_detail()
    serializer_class = PracticeDetailSerializer
    lookup_field = "slug"
