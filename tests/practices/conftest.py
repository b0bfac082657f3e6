import pytest
from django.db.models import FloatField, Value

from practices import browse
from practices import filters as filters_module
from practices.models import Practice


@pytest.fixture
def text_search_by_name_prefix(monkeypatch):
    """Text search stood in by a case-insensitive prefix match on the Finnish name, rank 1 for
    every match, so that a test pins how the list, the FilterSet and the facets use the
    search, not how the search engine matches words. Both ways of searching are replaced:
    the queryset's (FilterSet.qs) and the list's (FilterSet.results())."""

    def fake_filter_by_text(queryset, q):
        return queryset.filter(name_fi__istartswith=q).annotate(
            search_rank=Value(1.0, output_field=FloatField())
        )

    def fake_text_ranks(q, using="default", language=None, analysed=None, within=None):
        if not q.strip():
            return None
        found = Practice.objects.using(using).filter(name_fi__istartswith=q)
        if within is not None:
            found = found.filter(pk__in=within)
        return dict.fromkeys(found.values_list("pk", flat=True), 1.0)

    def fake_text_matches(q, using="default", language=None, analysed=None):
        found = fake_text_ranks(q, using)
        return None if found is None else set(found)

    monkeypatch.setattr(filters_module, "filter_by_text", fake_filter_by_text)
    monkeypatch.setattr(browse, "text_ranks", fake_text_ranks)
    monkeypatch.setattr(browse, "text_matches", fake_text_matches)
