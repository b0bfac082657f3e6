"""The site's search as the list page runs it, for measuring relevance."""

from django.db.models import F
from django.utils import translation

from practices.models import Practice
from practices.search import filter_by_text, suggest_query

from .cases import TOP, Result


def first_page(query):
    """Slugs of the first page of published practices matching `query`, best first, in the
    order the list page sorts by relevance."""
    queryset = filter_by_text(Practice.objects.published(), query).order_by(
        F("search_rank").desc(nulls_last=True), "name", "pk"
    )
    return tuple(queryset.values_list("slug", flat=True)[:TOP])


def run_case(case):
    """The case searched in its language; like the page, a search that finds nothing is
    retried with the spelling suggestion, if there is one."""
    with translation.override(case.language):
        found = first_page(case.query)
        if found:
            return Result(case, found)
        suggestion = suggest_query(case.query)
        if suggestion and suggestion != case.query:
            return Result(case, first_page(suggestion), corrected=suggestion)
        return Result(case, found)
