"""Template tags every page uses: the language switcher and pagination."""

from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

register = template.Library()


def _url_in_language(path_and_query, language):
    """The same page in another language, or that language's front page if there is none."""
    parts = urlsplit(path_and_query)
    try:
        # Resolved in the current language, whose prefix the path carries.
        match = resolve(unquote(parts.path))
    except Resolver404:
        match = None
    with translation.override(language):
        if match is None or not match.url_name:
            return reverse("practices:home")
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        try:
            path = reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return reverse("practices:home")
    return urlunsplit(("", "", path, parts.query, ""))


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language: code, its name in that language, URLs and whether current.

    Works without a request (the 500 page), linking to each language's front page.
    """
    request = context.get("request")
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if request is not None:
            url = _url_in_language(request.get_full_path(), code)
        else:
            with translation.override(code):
                url = reverse("practices:home")
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"][:1].upper() + info["name_local"][1:],
                "url": url,
                "absolute_url": request.build_absolute_uri(url) if request is not None else url,
                "is_current": code == current,
            }
        )
    return links


@register.simple_tag
def page_range(page_obj, on_each_side=2, on_ends=1):
    """Page numbers to show around the current page, with Paginator.ELLIPSIS for the gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )
