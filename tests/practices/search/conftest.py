import pytest

from practices.models import Practice
from practices.search import filter_by_text
from practices.search.analysis import voikko_enabled

requires_voikko = pytest.mark.skipif(
    not voikko_enabled(), reason="Voikko (libvoikko1 and voikko-fi) is not installed"
)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs the work waiting for a commit (the search index's) at
    the end of the block, as the commit of a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def no_voikko(settings):
    """Finnish analysed as on a machine without Voikko: Snowball stems only."""
    settings.SEARCH_USE_VOIKKO = False


def search(q, queryset=None):
    """Names of the practices `q` finds, best first."""
    if queryset is None:
        queryset = Practice.objects.published()
    return list(
        filter_by_text(queryset, q)
        .order_by("-search_rank", "name", "pk")
        .values_list("name", flat=True)
    )
