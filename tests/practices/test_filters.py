"""PracticeFilterSet (query string to queryset) and the disjunctive facet counts."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from organisations.models import Organisation
from practices import filters as filters_module
from practices.facets import TOP_VALUES, facet_counts
from practices.filters import PracticeFilterSet
from practices.models import Practice, Recognition, Theme
from tests.factories import (
    make_collection,
    make_county,
    make_funder,
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _finnish():
    with translation.override("fi"):
        yield


def query(string):
    return QueryDict(string)


def names(queryset):
    return [practice.name for practice in queryset]


def filtered(string):
    return PracticeFilterSet(query(string)).qs


def facet(filterset, name):
    return next(f for f in facet_counts(filterset) if f.name == name)


def counts(filterset, name):
    """{label: count} of a facet's values."""
    return {value.label: value.count for value in facet(filterset, name).all_values}


def recognise(practice):
    Recognition.objects.create(practice=practice, award_fi="Vuoden teko", year=2023)


@pytest.fixture
def catalogue():
    return build_catalogue()


def build_catalogue():
    """Three published practices and a draft, sharing themes and regions:

    Aamukahvit: theme perhe, region pirkanmaa, stage valmis, recognised, started 2018
    Bussikoulu: themes perhe and nuoret, region uusimaa, stage kehitteilla, started 2021
    Cafe nuoret: theme nuoret, region pirkanmaa, stage valmis, started 2023
    Draft: theme perhe and an otherwise unused theme, region pirkanmaa, recognised
    """
    perhe = make_theme(name_fi="Perheet", slug="perhe", order=1)
    nuoret = make_theme(name_fi="Nuoret", slug="nuoret", order=2)
    unused = make_theme(name_fi="Vain luonnoksessa", slug="vain-luonnoksessa", order=3)
    pirkanmaa = make_region(name_fi="Pirkanmaa", slug="pirkanmaa")
    uusimaa = make_region(name_fi="Uusimaa", slug="uusimaa")
    valmis = make_stage(name_fi="Valmis", slug="valmis")
    kehitteilla = make_stage(name_fi="Kehitteillä", slug="kehitteilla")
    now = timezone.now()

    a = make_practice(
        name_fi="Aamukahvit",
        stage=valmis,
        start_year=2018,
        created_at=now - datetime.timedelta(days=3),
    )
    a.themes.add(perhe)
    a.regions.add(pirkanmaa)
    recognise(a)
    b = make_practice(
        name_fi="Bussikoulu",
        stage=kehitteilla,
        start_year=2021,
        created_at=now - datetime.timedelta(days=2),
    )
    b.themes.add(perhe, nuoret)
    b.regions.add(uusimaa)
    c = make_practice(
        name_fi="Cafe nuoret",
        stage=valmis,
        start_year=2023,
        created_at=now - datetime.timedelta(days=1),
    )
    c.themes.add(nuoret)
    c.regions.add(pirkanmaa)
    draft = make_practice(name_fi="Luonnos", status=Practice.Status.DRAFT, stage=valmis)
    draft.themes.add(perhe, unused)
    draft.regions.add(pirkanmaa)
    recognise(draft)
    return {"a": a, "b": b, "c": c, "draft": draft, "unused": unused}


# Each facet filters


FACETS = {
    "theme": (make_theme, lambda p, v: p.themes.add(v)),
    "target_group": (make_target_group, lambda p, v: p.target_groups.add(v)),
    "county": (make_county, lambda p, v: p.wellbeing_counties.add(v)),
    "region": (make_region, lambda p, v: p.regions.add(v)),
    "municipality": (make_municipality, lambda p, v: p.municipalities.add(v)),
    "funder": (make_funder, lambda p, v: p.funders.add(v)),
}


@pytest.mark.parametrize("param", sorted(FACETS))
def test_each_many_to_many_facet_filters_by_slug(param):
    make, link = FACETS[param]
    wanted, other = make(), make()
    match = make_practice(name_fi="Osuu")
    link(match, wanted)
    miss = make_practice(name_fi="Ei osu")
    link(miss, other)
    make_practice(name_fi="Ilman")

    assert names(filtered(f"{param}={wanted.slug}")) == ["Osuu"]


def test_stage_filters():
    ready = make_stage(slug="valmis")
    make_practice(name_fi="Valmis malli", stage=ready)
    make_practice(name_fi="Keskeneräinen", stage=make_stage())
    make_practice(name_fi="Vaiheeton")

    assert names(filtered("stage=valmis")) == ["Valmis malli"]


def test_collection_filters():
    make_practice(name_fi="Hankkeessa", collection=make_collection(slug="perhekeskus"))
    make_practice(name_fi="Muussa", collection=make_collection())

    assert names(filtered("collection=perhekeskus")) == ["Hankkeessa"]


def test_organisation_filters_whatever_the_role():
    tampere = make_organisation(slug="tampere")
    make_practice(name_fi="Omistaja", organisation=tampere)
    make_practice(name_fi="Käyttöönottaja", organisation=tampere, role="adopter")
    make_practice(name_fi="Muu", organisation=make_organisation())

    assert sorted(names(filtered("organisation=tampere"))) == ["Käyttöönottaja", "Omistaja"]


def test_organisation_type_filters():
    make_practice(name_fi="Järjestön", organisation=make_organisation(type=Organisation.Type.NGO))
    make_practice(
        name_fi="Kunnan", organisation=make_organisation(type=Organisation.Type.MUNICIPALITY)
    )

    assert names(filtered("organisation_type=ngo")) == ["Järjestön"]


def test_funding_programme_matches_whole_text_case_insensitively():
    make_practice(name_fi="Elpymis", funding_programme="RRP, P4, I1")
    make_practice(name_fi="Toinen", funding_programme="RRP, P4, I2")

    assert names(filtered("funding_programme=rrp,+p4,+i1")) == ["Elpymis"]
    assert names(filtered("funding_programme=RRP")) == []


def test_start_year_range_is_inclusive(catalogue):
    assert names(filtered("start_year_min=2021&sort=name")) == ["Bussikoulu", "Cafe nuoret"]
    assert names(filtered("start_year_max=2021&sort=name")) == ["Aamukahvit", "Bussikoulu"]
    assert names(filtered("start_year_min=2019&start_year_max=2022")) == ["Bussikoulu"]


@pytest.mark.parametrize("value", ["1", "true", "True", "on"])
def test_recognised_keeps_practices_with_an_award(catalogue, value):
    assert names(filtered(f"recognised={value}")) == ["Aamukahvit"]


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_recognised_off_does_not_filter(catalogue, value):
    assert len(filtered(f"recognised={value}")) == 3


# Combining


def test_values_of_one_facet_combine_with_or_and_each_practice_comes_once(catalogue):
    result = names(filtered("theme=perhe&theme=nuoret&sort=name"))

    assert result == ["Aamukahvit", "Bussikoulu", "Cafe nuoret"]


def test_facets_combine_with_and(catalogue):
    assert names(filtered("theme=perhe&region=pirkanmaa")) == ["Aamukahvit"]
    assert names(filtered("theme=nuoret&stage=valmis&region=pirkanmaa")) == ["Cafe nuoret"]
    assert names(filtered("theme=nuoret&stage=valmis&region=uusimaa")) == []


def test_text_search_combines_with_facets(catalogue, text_search_by_name_prefix):
    assert names(filtered("q=b&theme=perhe")) == ["Bussikoulu"]
    assert names(filtered("q=a&theme=nuoret")) == []


# Published only


@pytest.mark.parametrize(
    "string",
    [
        "",
        "theme=perhe",
        "theme=vain-luonnoksessa",
        "region=pirkanmaa&stage=valmis",
        "recognised=1",
        "status=draft",
        "sort=name&theme=perhe&theme=nuoret",
    ],
)
def test_unpublished_practices_never_come_out(catalogue, string):
    result = names(filtered(string))

    assert "Luonnos" not in result


def test_a_given_queryset_is_narrowed_to_published(catalogue):
    filterset = PracticeFilterSet(query("theme=perhe"), queryset=Practice.objects.all())

    assert "Luonnos" not in names(filterset.qs)


# Sorting


def test_default_sort_is_newest_first(catalogue):
    assert names(filtered("")) == ["Cafe nuoret", "Bussikoulu", "Aamukahvit"]


def test_sort_by_name(catalogue):
    assert names(filtered("sort=name")) == ["Aamukahvit", "Bussikoulu", "Cafe nuoret"]


def test_sort_by_name_follows_the_language_and_falls_back_to_finnish():
    make_practice(name_fi="Aakkonen", name_sv="Östra")
    make_practice(name_fi="Bee")
    make_practice(name_fi="Öö", name_sv="Citron")

    with translation.override("sv"):
        result = names(filtered("sort=name"))

    assert result == ["Bee", "Citron", "Östra"]


def test_sort_recently_updated(catalogue):
    Practice.objects.filter(pk=catalogue["a"].pk).update(
        modified_at=timezone.now() + datetime.timedelta(days=1)
    )

    assert names(filtered("sort=updated"))[0] == "Aamukahvit"


def test_relevance_is_the_default_with_a_search_text(catalogue, monkeypatch):
    from django.db.models import Case, FloatField, Value, When

    def ranked(queryset, q):
        # Bussikoulu ranks highest, then Aamukahvit, then Cafe nuoret.
        return queryset.annotate(
            search_rank=Case(
                When(name_fi="Bussikoulu", then=Value(3.0)),
                When(name_fi="Aamukahvit", then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            )
        )

    monkeypatch.setattr(filters_module, "filter_by_text", ranked)

    assert names(filtered("q=malli")) == ["Bussikoulu", "Aamukahvit", "Cafe nuoret"]
    assert names(filtered("q=malli&sort=relevance")) == ["Bussikoulu", "Aamukahvit", "Cafe nuoret"]
    assert names(filtered("q=malli&sort=name")) == ["Aamukahvit", "Bussikoulu", "Cafe nuoret"]


def test_relevance_without_search_text_sorts_newest_first(catalogue):
    filterset = PracticeFilterSet(query("sort=relevance"))

    assert filterset.sort_order == "newest"
    assert names(filterset.qs) == ["Cafe nuoret", "Bussikoulu", "Aamukahvit"]
    assert filterset.ignored() == []


# Values that make no sense


def test_unknown_slug_is_ignored_and_the_known_ones_still_apply(catalogue):
    filterset = PracticeFilterSet(query("theme=perhe&theme=ei-ole&region=pirkanmaa"))

    assert names(filterset.qs) == ["Aamukahvit"]
    [ignored] = filterset.ignored()
    assert (ignored.param, ignored.value) == ("theme", "ei-ole")


@pytest.mark.parametrize(
    ("string", "param"),
    [
        ("start_year_min=abc", "start_year_min"),
        ("start_year_max=1e9", "start_year_max"),
        ("start_year_min=99999999999999999999", "start_year_min"),
        ("sort=foo", "sort"),
        ("recognised=maybe", "recognised"),
        ("organisation_type=castle", "organisation_type"),
        ("region=%00", "region"),
        ("funding_programme=" + "x" * 300, "funding_programme"),
    ],
)
def test_invalid_values_are_ignored_and_named(catalogue, string, param):
    filterset = PracticeFilterSet(query(string))

    assert len(filterset.qs) == 3
    assert [item.param for item in filterset.ignored()] == [param]
    assert param in filterset.errors_by_param()


def test_blank_values_are_no_filter(catalogue):
    filterset = PracticeFilterSet(query("theme=&region=+&start_year_min=&sort=&q="))

    assert len(filterset.qs) == 3
    assert filterset.ignored() == []
    assert filterset.active_filters() == []


def test_active_filters_name_each_value(catalogue):
    filterset = PracticeFilterSet(
        query("theme=perhe&theme=nuoret&recognised=1&start_year_min=2019&organisation_type=ngo")
    )

    active = [(item.param, item.value, item.label) for item in filterset.active_filters()]

    assert ("theme", "perhe", "Perheet") in active
    assert ("theme", "nuoret", "Nuoret") in active
    assert ("organisation_type", "ngo", str(Organisation.Type.NGO.label)) in active
    assert ("start_year_min", "", "2019") in active
    assert [item[0] for item in active].count("recognised") == 1


# Facet counts


def test_counts_are_disjunctive(catalogue):
    filterset = PracticeFilterSet(query("theme=perhe"))

    # The theme facet ignores its own selection: Nuoret would add Cafe nuoret.
    assert counts(filterset, "theme") == {"Perheet": 2, "Nuoret": 2}
    # Other facets count within the theme selection.
    assert counts(filterset, "region") == {"Pirkanmaa": 1, "Uusimaa": 1}
    assert counts(filterset, "stage") == {"Valmis": 1, "Kehitteillä": 1}


def test_counts_reflect_every_other_filter(catalogue):
    filterset = PracticeFilterSet(query("theme=nuoret&region=pirkanmaa"))

    assert counts(filterset, "theme") == {"Perheet": 1, "Nuoret": 1}
    assert counts(filterset, "region") == {"Pirkanmaa": 1, "Uusimaa": 1}
    assert counts(filterset, "recognised") == {}


def test_counts_reflect_the_search_text(catalogue, text_search_by_name_prefix):
    filterset = PracticeFilterSet(query("q=b"))

    assert counts(filterset, "theme") == {"Perheet": 1, "Nuoret": 1}
    assert counts(filterset, "region") == {"Uusimaa": 1}


def test_unpublished_practices_are_never_counted(catalogue):
    filterset = PracticeFilterSet(query(""))

    assert counts(filterset, "theme") == {"Perheet": 2, "Nuoret": 2}
    assert counts(filterset, "region") == {"Pirkanmaa": 2, "Uusimaa": 1}
    assert [v.count for v in facet(filterset, "recognised").all_values] == [1]


def test_values_that_give_nothing_are_hidden(catalogue):
    filterset = PracticeFilterSet(query("region=uusimaa"))

    assert "Vain luonnoksessa" not in counts(filterset, "theme")
    # Valmis gives nothing in Uusimaa.
    assert counts(filterset, "stage") == {"Kehitteillä": 1}


def test_selected_value_that_gives_nothing_stays_checked_with_zero(catalogue):
    filterset = PracticeFilterSet(query("theme=vain-luonnoksessa"))

    [value] = [v for v in facet(filterset, "theme").all_values if v.value == "vain-luonnoksessa"]
    assert (value.label, value.count, value.selected) == ("Vain luonnoksessa", 0, True)
    assert len(filterset.qs) == 0


def test_organisation_type_counts_practices_once():
    ngo = make_organisation(type=Organisation.Type.NGO)
    practice = make_practice(organisation=ngo)
    practice.organisation_roles.create(
        organisation=make_organisation(type=Organisation.Type.NGO), role="partner"
    )
    make_practice(organisation=make_organisation(type=Organisation.Type.MUNICIPALITY))

    filterset = PracticeFilterSet(query("organisation_type=municipality"))

    assert counts(filterset, "organisation_type") == {
        str(Organisation.Type.MUNICIPALITY.label): 1,
        str(Organisation.Type.NGO.label): 1,
    }
    assert facet(filterset, "organisation_type").selected_count == 1


def test_organisation_counts_a_practice_once_whatever_its_roles():
    tampere = make_organisation(name_fi="Tampere", slug="tampere")
    practice = make_practice(organisation=tampere)
    practice.organisation_roles.create(organisation=tampere, role="developer")

    assert counts(PracticeFilterSet(query("")), "organisation") == {"Tampere": 1}


def test_labels_follow_the_language_and_fall_back_to_finnish(catalogue):
    Theme.objects.filter(slug="perhe").update(name_sv="Familjer")

    with translation.override("sv"):
        theme_counts = counts(PracticeFilterSet(query("")), "theme")

    assert theme_counts == {"Familjer": 2, "Nuoret": 2}


def test_long_facet_shows_the_most_common_values_first_and_the_rest_behind():
    common = make_municipality(name_fi="Yleinen", slug="yleinen")
    rare = [make_municipality(name_fi=f"Kylä {n:02d}", slug=f"kyla-{n}") for n in range(12)]
    for _ in range(2):
        make_practice().municipalities.add(common)
    for municipality in rare:
        make_practice().municipalities.add(municipality)

    municipalities = facet(PracticeFilterSet(query("municipality=kyla-11")), "municipality")

    shown = [value.label for value in municipalities.values]
    assert shown[0] == "Yleinen"
    assert "Kylä 11" in shown
    assert len(municipalities.values) == TOP_VALUES + 1
    assert len(municipalities.all_values) == 13
    assert [v.label for v in municipalities.more] == sorted(v.label for v in municipalities.more)


def test_ignored_values_are_quoted_back_safely():
    filterset = PracticeFilterSet(query("theme=" + "x" * 300 + "&region=a%00b"))

    assert [item.value for item in filterset.ignored()] == ["x" * 99 + "…", "a\ufffdb"]
