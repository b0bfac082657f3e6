"""The list's in-memory index (practices.browse): the same practices, counts and order as the
FilterSet's queryset, and never out of date once a change is committed."""

import pytest
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practices import browse
from practices.browse import browse_index
from practices.filters import PracticeFilterSet
from practices.models import Practice, Recognition, Theme
from practices.search import index_practices
from tests.factories import make_practice, make_theme
from tests.practices.search_quality.corpus import load_catalogue

# The list made anew for each request: these tests read what its context holds.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

WORDS = ("vanhempainilta", "lasten", "mielenterveys", "ilta", "Lohjalla", "barn", "nuoret", "")
SORTS = ("", "relevance", "newest", "updated", "name")


@pytest.fixture
def catalogue():
    """The demo practices and the relevance corpus, with a few drafts and recognitions."""
    load_catalogue()
    for practice in Practice.objects.order_by("pk")[::5]:
        Recognition.objects.create(practice=practice, award_fi="Palkinto", year=2024)
    pks = list(Practice.objects.order_by("pk").values_list("pk", flat=True))
    Practice.objects.filter(pk__in=pks[1::7]).update(status=Practice.Status.DRAFT)
    index_practices(Practice.objects.all())
    known = {}
    for name, field in (
        ("theme", "themes__slug"),
        ("target_group", "target_groups__slug"),
        ("stage", "stage__slug"),
        ("county", "wellbeing_counties__slug"),
        ("region", "regions__slug"),
        ("municipality", "municipalities__slug"),
        ("organisation", "organisations__slug"),
        ("organisation_type", "organisations__type"),
        ("funder", "funders__slug"),
        ("collection", "collection__slug"),
    ):
        values = Practice.objects.exclude(**{f"{field}__isnull": True})
        known[name] = sorted(set(values.values_list(field, flat=True)))
    years = sorted(
        set(Practice.objects.exclude(start_year=None).values_list("start_year", flat=True))
    )
    programmes = sorted(
        set(
            Practice.objects.exclude(funding_programme="").values_list(
                "funding_programme", flat=True
            )
        )
    )
    return known, years, programmes


@st.composite
def selections(draw, known, years, programmes):
    params = []
    for name, values in known.items():
        if values and draw(st.integers(0, 3)) == 0:
            params += [
                (name, value) for value in draw(st.lists(st.sampled_from(values), max_size=2))
            ]
    if years and draw(st.booleans()):
        params.append(("start_year_min", str(draw(st.sampled_from(years)))))
    if years and draw(st.integers(0, 3)) == 0:
        params.append(("start_year_max", str(draw(st.sampled_from(years)))))
    if programmes and draw(st.integers(0, 4)) == 0:
        programme = draw(st.sampled_from(programmes))
        params.append(("funding_programme", draw(st.sampled_from((programme, programme.lower())))))
    if draw(st.integers(0, 4)) == 0:
        params.append(("recognised", "1"))
    words = draw(st.lists(st.sampled_from(WORDS), max_size=2))
    if words:
        params.append(("q", " ".join(words)))
    params.append(("sort", draw(st.sampled_from(SORTS))))
    return params


def as_query(params):
    data = QueryDict(mutable=True)
    for key, value in params:
        data.appendlist(key, value)
    return data


def test_results_match_the_queryset(catalogue):
    known, years, programmes = catalogue

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(selections(known, years, programmes))
    def check(params):
        filterset = PracticeFilterSet(as_query(params))
        rows = list(filterset.qs)
        results = filterset.results()
        shown = results[0 : results.count()]
        assert results.count() == len(rows), params
        assert {p.pk for p in shown} == {p.pk for p in rows}, params
        sort = filterset.sort_order
        if sort in ("newest", "updated"):
            assert [p.pk for p in shown] == [p.pk for p in rows], params
        elif sort == "relevance":
            # The same ranks in the same order (names break ties, see below).
            assert [round(p.search_rank, 4) for p in shown] == [
                round(p.search_rank, 4) for p in rows
            ], params
        else:
            # By name as Python compares lower-cased text (SQLite's LOWER() leaves Ä as it is).
            keys = [(p.name.lower(), p.pk) for p in shown]
            assert keys == sorted(keys), params
        # The facet counts of the page are those of the queryset without the facet's filter.
        for name in ("theme", "region", "organisation_type"):
            expected = {}
            for practice in filterset.queryset_without(name).distinct():
                if name == "theme":
                    keys = {theme.slug for theme in practice.themes.all()}
                elif name == "region":
                    keys = {region.slug for region in practice.regions.all()}
                else:
                    keys = {org.type for org in practice.organisations.all()}
                for key in keys:
                    expected[key] = expected.get(key, 0) + 1
            assert results.value_counts(name) == expected, (name, params)

    check()


def test_recognised_count_ignores_its_own_selection(catalogue):
    results = PracticeFilterSet(as_query([("recognised", "1")])).results()
    assert results.recognised_count() == results.count()
    assert (
        results.count()
        == Practice.objects.published().filter(recognitions__isnull=False).distinct().count()
    )


def list_names(client, **params):
    response = client.get("/kaytannot/", params)
    return [practice.name for practice in response.context["practices"]]


def test_a_committed_change_shows_at_once(client, django_capture_on_commit_callbacks):
    family = make_theme(name_fi="Perheet", slug="perheet")
    with django_capture_on_commit_callbacks(execute=True):
        first = make_practice(name_fi="Perhekahvila")
        first.themes.add(family)
    assert list_names(client, theme="perheet") == ["Perhekahvila"]

    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Isien ilta").themes.add(family)
        first.status = Practice.Status.ARCHIVED
        first.save()

    assert list_names(client, theme="perheet") == ["Isien ilta"]
    assert list_names(client) == ["Isien ilta"]


def test_an_unchanged_catalogue_reuses_the_index(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Perhekahvila")
    built = browse_index()
    assert browse_index() is built
    client.get("/kaytannot/")
    assert browse_index() is built

    with django_capture_on_commit_callbacks(execute=True):
        Theme.objects.create(name_fi="Uusi", slug="uusi")  # names no practice: no change
        make_practice(name_fi="Isien ilta")
    assert browse_index() is not built


def test_a_rolled_back_change_leaves_the_list_as_it_was(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Perhekahvila")
    assert list_names(client) == ["Perhekahvila"]
    with pytest.raises(RuntimeError), transaction.atomic():
        practice = make_practice(name_fi="Isien ilta")
        index_practices([practice])
        raise RuntimeError
    assert list_names(client) == ["Perhekahvila"]


def test_a_practice_unpublished_since_the_index_was_built_is_not_shown(client):
    make_practice(name_fi="Perhekahvila")
    hidden = make_practice(name_fi="Isien ilta")
    assert sorted(list_names(client)) == ["Isien ilta", "Perhekahvila"]
    # A change that has not reached the index (no revision yet): the page still never shows
    # what is no longer published.
    Practice.objects.filter(pk=hidden.pk).update(status=Practice.Status.DRAFT)
    assert list_names(client) == ["Perhekahvila"]


def test_bit_sets_round_trip():
    ids = [0, 1, 7, 8, 63, 64, 1000]
    assert browse.ids_of(browse.bits_of(ids)) == ids
    assert browse.ids_of(browse.bits_of(ids, 2000)) == ids
    assert browse.ids_of(0) == []
    assert browse.bits_of([]) == 0
    # The highest first, as many as asked for (related practices: the newest candidates).
    assert browse.highest_ids(browse.bits_of(ids), 3) == [1000, 64, 63]
    assert browse.highest_ids(browse.bits_of(ids), 100) == ids[::-1]
    assert browse.highest_ids(0, 5) == []


def test_while_another_thread_rebuilds_the_previous_index_serves(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Perhekahvila")
    previous = browse_index()
    with django_capture_on_commit_callbacks(execute=True):
        make_practice(name_fi="Isien ilta")

    # As if another thread were rebuilding: the caller does not wait for it.
    with browse._indexes_lock:
        assert browse_index() is previous
    rebuilt = browse_index()
    assert rebuilt is not previous
    assert rebuilt.size == 2
