from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config import health
from practices import media, seo, sitemaps

urlpatterns = [
    # Health checks for the load balancer (config/health.py), in no language.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("practices.api.urls")),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", seo.robots_txt, name="robots-txt"),
    # Uploaded files at MEDIA_URL, with the access rules and headers of practices/media.py.
    *media.urlpatterns(),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("practices.urls")),
    path("", include("organisations.urls")),
    prefix_default_language=False,
)
