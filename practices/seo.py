"""robots.txt: crawlers may read the public site in every language, but not the admin, the
editors' previews, the thank-you pages after a form, or the list's downloads (the same
results as the list, as files). The sitemap is named with its absolute address."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Pages not for crawlers, by URL name; a name that does not resolve is skipped.
DISALLOWED_URL_NAMES = (
    "admin:index",
    "practices:propose-thanks",
    "practices:feedback-thanks",
    "practices:export-csv",
    "practices:export-xlsx",
)


def _preview_folder():
    """/esikatselu/ in the active language: every preview lies under it."""
    return reverse("practices:preview", kwargs={"pk": 1}).removesuffix("1/")


def disallowed_paths():
    """The paths crawlers are asked to skip, language by language, each once. Robots match
    by prefix, so a path covers its query strings and, for the preview, every card."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found = [_preview_folder()]
            for name in DISALLOWED_URL_NAMES:
                try:
                    found.append(reverse(name))
                except NoReverseMatch:
                    continue
        paths.extend(path for path in found if path not in paths)
    return paths


@require_safe
@cache_control(public=True, max_age=24 * 60 * 60)
def robots_txt(request):
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallowed_paths()]
    lines += [
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
