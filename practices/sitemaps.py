"""The sitemap: /sitemap.xml is an index of one sitemap per section (/sitemap-<section>.xml),
each listing its pages in every site language with hreflang alternates.

A section whose pages do not exist (its URL name does not resolve) is left out, so the
sitemap lists only addresses the site answers. Only published practices are listed, and
organisations and collections only when they have a published practice.
"""

from collections.abc import Sequence

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from organisations.models import Organisation, Region, WellbeingServicesCounty

from .models import Collection, Practice, PracticeOrganisation

# Pages that are not records, in the order listed. Names that do not resolve are skipped.
STATIC_PAGES = (
    "practices:home",
    "practices:list",
    "practices:about",
    "practices:accessibility",
    "directory:organisation-list",
    "directory:area-list",
    "directory:collection-list",
    "directory:statistics",
)


def resolves(url_name, **kwargs):
    """Whether the site has a page of this name (with these arguments)."""
    try:
        reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    return True


class PerLanguage(Sequence):
    """(item, language) pairs of items in every language, for the paginator, without loading
    more items than a page holds: its length comes from a count, a slice loads only the items
    the slice covers."""

    def __init__(self, items, languages):
        self.items = items
        self.languages = list(languages)
        self._length = None

    def __len__(self):
        if self._length is None:
            count = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
            self._length = count * len(self.languages)
        return self._length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("PerLanguage is only sliced (by the paginator).")
        start, stop, _step = index.indices(len(self))
        per_item = len(self.languages)
        first, last = start // per_item, -(-stop // per_item)
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        offset = first * per_item
        return pairs[start - offset : stop - offset]


class TranslatedSitemap(Sitemap):
    """Every page in each site language, with hreflang alternates and x-default (Finnish)."""

    i18n = True
    alternates = True
    x_default = True
    # Entries (page × language) in one sitemap file: small enough to render quickly.
    limit = 6000

    @property
    def paginator(self):
        languages = self.languages or [code for code, _name in settings.LANGUAGES]
        return Paginator(PerLanguage(self.items(), languages), self.limit)


class StaticPagesSitemap(TranslatedSitemap):
    def items(self):
        names, paths = [], set()
        with translation.override(settings.LANGUAGE_CODE):
            for name in STATIC_PAGES:
                if not resolves(name):
                    continue
                path = reverse(name)
                # The home page and the list may for a while be the same address.
                if path not in paths:
                    paths.add(path)
                    names.append(name)
        return names

    def location(self, name):
        return reverse(name)


class PracticeSitemap(TranslatedSitemap):
    def items(self):
        return Practice.objects.published().only("pk", "slug", "modified_at").order_by("pk")

    def lastmod(self, practice):
        return practice.modified_at

    def get_latest_lastmod(self):
        return Practice.objects.published().aggregate(latest=Max("modified_at"))["latest"]


class DirectorySitemap(TranslatedSitemap):
    """Detail pages of one kind of directory record, at their get_absolute_url(); listed only
    when the site has pages of that kind (`url_name`)."""

    url_name = None

    @classmethod
    def is_available(cls):
        return resolves(cls.url_name, slug="x")


class OrganisationSitemap(DirectorySitemap):
    url_name = "directory:organisation-detail"

    def items(self):
        return self.queryset().only("pk", "slug", "modified_at").order_by("pk")

    @staticmethod
    def queryset():
        published_role = PracticeOrganisation.objects.filter(
            organisation=OuterRef("pk"), practice__status=Practice.Status.PUBLISHED
        )
        return Organisation.objects.filter(Exists(published_role))

    def lastmod(self, organisation):
        return organisation.modified_at

    def get_latest_lastmod(self):
        return self.queryset().aggregate(latest=Max("modified_at"))["latest"]


class CountySitemap(DirectorySitemap):
    url_name = "directory:county-detail"

    def items(self):
        return WellbeingServicesCounty.objects.only("pk", "slug").order_by("pk")


class RegionSitemap(DirectorySitemap):
    url_name = "directory:region-detail"

    def items(self):
        return Region.objects.only("pk", "slug").order_by("pk")


class CollectionSitemap(DirectorySitemap):
    url_name = "directory:collection-detail"

    def items(self):
        published = Practice.objects.published().filter(collection=OuterRef("pk"))
        return Collection.objects.filter(Exists(published)).only("pk", "slug").order_by("pk")


DIRECTORY_SITEMAPS = {
    "organisations": OrganisationSitemap,
    "counties": CountySitemap,
    "regions": RegionSitemap,
    "collections": CollectionSitemap,
}


def available_sitemaps():
    """{section: sitemap class} for the sections whose pages exist."""
    sections = {"pages": StaticPagesSitemap, "practices": PracticeSitemap}
    sections.update(
        (section, sitemap)
        for section, sitemap in DIRECTORY_SITEMAPS.items()
        if sitemap.is_available()
    )
    return sections


@require_safe
def sitemap_index(request):
    return sitemap_views.index(request, available_sitemaps(), sitemap_url_name="sitemap-section")


@require_safe
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, available_sitemaps(), section=section)
