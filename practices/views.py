import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from .detail import page_context
from .facets import facet_counts
from .filters import Ignored, PracticeFilterSet, Sort, shown_value
from .models import Practice
from .search import highlight_page, suggest_query
from .spreadsheets.export import practice_rows, write_csv, write_xlsx

# Parameters that are not filters: kept by "clear all filters".
NON_FILTER_PARAMS = ("q", "sort")


def _page_number(request, paginator):
    """The requested page, or the nearest page that exists: bad input never raises. Returns the
    number and whether the request asked for a page that is not there."""
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1, False
    try:
        number = int(raw)
    except ValueError:
        return 1, True
    nearest = min(max(number, 1), paginator.num_pages)
    return nearest, nearest != number


def _query_string(params):
    """'?a=1&b=2' for a list of (key, value) pairs, or '?' when there are none."""
    return "?" + urlencode(params)


def _without(request, param, value=""):
    """The current query string without one value of a parameter (all of it when value is
    empty), and without the page number, which would point into a different list."""
    kept = []
    for key, values in request.GET.lists():
        for item in values:
            if key == "page" or (key == param and (not value or item.strip() == value)):
                continue
            kept.append((key, item))
    return _query_string(kept)


def _export_query(filterset):
    """The query string of the list as shown (with a corrected search text when the page shows
    the correction's results), without the page number: the downloads hold every page."""
    return _query_string(
        [(key, item) for key, values in filterset.data.lists() if key != "page" for item in values]
    )


def _export_max_rows():
    return getattr(settings, "PRACTICE_PUBLIC_EXPORT_MAX_ROWS", 10000)


def _clear_filters_url(request):
    kept = [
        (key, item)
        for key, values in request.GET.lists()
        if key in NON_FILTER_PARAMS
        for item in values
    ]
    return _query_string(kept)


def _exact_search_url(request, query):
    """The same list searched for `query` exactly as typed, without a spelling correction."""
    kept = [
        (key, item)
        for key, values in request.GET.lists()
        if key not in ("q", "page", "exact")
        for item in values
    ]
    return _query_string([*kept, ("q", query), ("exact", "1")])


def _sort_options(filterset):
    """(value, label, selected) for the sort <select>. The default order is sent as an empty
    value, so that typing a search after browsing switches to best match by itself."""
    default = filterset.default_sort
    options = [("", Sort(default).label, filterset.sort_order == default)]
    for choice in Sort:
        if choice == default or (choice == Sort.RELEVANCE and not filterset.text_query):
            continue
        options.append((choice.value, choice.label, filterset.sort_order == choice))
    return options


def _filtered(data, per_page):
    filterset = PracticeFilterSet(data)
    return filterset, Paginator(filterset.results(), per_page)


def _search(request, per_page):
    """(filterset, paginator, corrected query or None). When a search finds nothing and a
    corrected spelling would, the results for the correction; ?exact=1 asks for the words as
    typed, without a correction."""
    filterset, paginator = _filtered(request.GET, per_page)
    query = filterset.text_query
    if not query or paginator.count or request.GET.get("exact") == "1":
        return filterset, paginator, None
    suggestion = (suggest_query(query) or "").strip()
    if not suggestion or suggestion == query:
        return filterset, paginator, None
    data = request.GET.copy()
    data["q"] = suggestion
    corrected, corrected_paginator = _filtered(data, per_page)
    if not corrected_paginator.count:
        return filterset, paginator, None
    return corrected, corrected_paginator, corrected.text_query


def practice_list(request):
    """Browse and search published practices. All state lives in the query string (parameters
    in practices.filters), so every view of the list is a shareable link. Values that make no
    sense are left out with a message; the rest still apply."""
    original_query = request.GET.get("q", "")
    filterset, paginator, corrected_query = _search(request, settings.PRACTICES_PER_PAGE)
    number, page_missing = _page_number(request, paginator)
    page_obj = paginator.page(number)
    practices = list(page_obj.object_list)
    if filterset.text_query:
        highlight_page(practices, filterset.text_query, filterset.results().analysed)

    ignored = filterset.ignored()
    if page_missing:
        reason = _("There is no such page; showing page %(number)s.") % {"number": number}
        ignored.append(Ignored("page", _("Page"), shown_value(request.GET["page"]), reason))
    active_filters = [
        {"filter": item, "remove_url": _without(request, item.param, item.value)}
        for item in filterset.active_filters()
    ]
    facets = [facet for facet in facet_counts(filterset) if facet.all_values]
    return render(
        request,
        "practices/practice_list.html",
        {
            "page_obj": page_obj,
            "practices": practices,
            "paginator": paginator,
            "filterset": filterset,
            "query": filterset.text_query,
            "original_query": original_query.strip() if corrected_query else "",
            "corrected_query": corrected_query,
            "exact_url": _exact_search_url(request, original_query.strip()),
            "facets": facets,
            "active_filters": active_filters,
            "clear_filters_url": _clear_filters_url(request),
            "ignored": ignored,
            "sort_options": _sort_options(filterset),
            "year_min": filterset.cleaned("start_year_min"),
            "year_max": filterset.cleaned("start_year_max"),
            "funding_programme": filterset.cleaned("funding_programme", ""),
            "export_query": _export_query(filterset),
            "export_max_rows": _export_max_rows(),
        },
    )


EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_safe
def practice_export(request, file_format):
    """The published practices of the list's query string as a CSV or XLSX file, in the
    list's order, with the same filters (practices.filters) and only the contact persons shown
    publicly. Larger results than PRACTICE_PUBLIC_EXPORT_MAX_ROWS are not cut short: the
    visitor is sent back to the list, with a message asking to narrow the search."""
    filterset = PracticeFilterSet(request.GET)
    practices = filterset.qs
    count = practices.count()
    limit = _export_max_rows()
    if count > limit:
        messages.warning(
            request,
            ngettext(
                "The search has %(count)s results, and at most %(limit)s practice can be "
                "downloaded at a time. Narrow the search with filters or search words, then "
                "download again.",
                "The search has %(count)s results, and at most %(limit)s practices can be "
                "downloaded at a time. Narrow the search with filters or search words, then "
                "download again.",
                limit,
            )
            % {"count": count, "limit": limit},
        )
        return redirect(reverse("practices:list") + _without(request, "page"))

    buffer = io.BytesIO()
    rows = practice_rows(practices, only_public_contacts=True)
    if file_format == "xlsx":
        write_xlsx(rows, buffer)
    else:
        write_csv(rows, buffer)
    filename = f"kaytannot-{timezone.localdate().isoformat()}.{file_format}"
    response = HttpResponse(buffer.getvalue(), content_type=EXPORT_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def practice_detail(request, slug):
    """The public page of a published practice (practices.detail builds what it shows)."""
    practice = get_object_or_404(Practice.objects.published().for_detail(), slug=slug)
    return render(request, "practices/practice_detail.html", page_context(request, practice))
