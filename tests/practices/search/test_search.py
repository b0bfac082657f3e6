"""filter_by_text: what people type finds the practices they mean, on SQLite and PostgreSQL."""

import pytest
from django.db.models import Count
from django.utils import translation

from practices.models import Practice, Theme
from practices.search import filter_by_text
from tests.factories import make_municipality, make_organisation, make_practice, make_theme

from .conftest import requires_voikko, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(committed):
    """make_practice, indexed as after the commit of the admin form that saved it."""

    def make(**kwargs):
        with committed():
            return make_practice(**kwargs)

    return make


@requires_voikko
def test_part_of_a_compound_finds_the_compound(make):
    make(name_fi="Vanhempainilta kouluissa")
    make(name_fi="Perhekahvila")
    assert search("ilta") == ["Vanhempainilta kouluissa"]


@requires_voikko
def test_base_form_finds_inflected_form(make):
    make(name_fi="Koulun ilta", summary_fi="Keskustelemme vanhempainillassa kiusaamisesta.")
    make(name_fi="Perhekahvila")
    assert search("vanhempainilta") == ["Koulun ilta"]
    assert search("vanhempainilloissa") == ["Koulun ilta"]


@requires_voikko
def test_lapsi_finds_lasten(make):
    make(name_fi="Lasten liikuntaryhmä")
    make(name_fi="Ikäihmisten kerho")
    assert search("lapsi") == ["Lasten liikuntaryhmä"]


@requires_voikko
def test_every_word_must_match_in_some_form(make):
    make(name_fi="Tuki perheille", summary_fi="Tuemme lapsen mielenterveyden vahvistamista.")
    make(name_fi="Lasten kerho", summary_fi="Lapsen harrastus.")
    make(name_fi="Aikuisten ryhmä", summary_fi="Aikuisten mielenterveys.")
    assert search("lasten mielenterveys") == ["Tuki perheille"]


@requires_voikko
def test_place_name_in_any_case_finds_practices_of_the_municipality(make, committed):
    lohja = make_municipality(name_fi="Lohja", name_sv="Lojo")
    with committed():
        make_practice(name_fi="Liikkuva koulu").municipalities.add(lohja)
    make(name_fi="Toinen malli", summary_fi="Hyvinvointia Espoossa.")
    assert search("Lohjalla") == ["Liikkuva koulu"]
    with translation.override("sv"):
        assert search("Lojo") == ["Liikkuva koulu"]


def test_partial_word_matches_as_prefix(make):
    make(name_fi="Vanhempainryhmä")
    make(name_fi="Perhekahvila")
    assert search("vanhempai") == ["Vanhempainryhmä"]
    assert search("perhek") == ["Perhekahvila"]


def test_text_typed_without_nordic_letters_matches(make):
    make(name_fi="Järjestöyhteistyö kunnassa")
    make(name_fi="Perhekahvila")
    assert search("jarjestoyhteistyo") == ["Järjestöyhteistyö kunnassa"]
    assert search("JÄRJESTÖYHTEISTYÖ") == ["Järjestöyhteistyö kunnassa"]


def test_word_voikko_does_not_know_matches_its_inflections(make):
    make(name_fi="Puheeksiotto neuvolassa")
    make(name_fi="Perhekahvila")
    assert search("puheeksioton") == ["Puheeksiotto neuvolassa"]


def test_substring_of_a_word_finds_it_through_the_vocabulary(make):
    make(name_fi="Kouluterveyskysely")
    make(name_fi="Perhekahvila")
    assert search("terveyskysely") == ["Kouluterveyskysely"]


def test_swedish_and_english_texts_are_searched_with_their_own_stems(make):
    make(name_fi="Perhekahvila", name_sv="Familjecafé", summary_sv="Stöd för barnens föräldrar.")
    make(name_fi="Kerho", name_en="Club", summary_en="Meeting families in libraries.")
    with translation.override("sv"):
        assert search("barn") == ["Familjecafé"]
    with translation.override("en"):
        assert search("family library") == ["Club"]


def test_organisation_theme_and_place_names_are_searched(make, committed):
    with committed():
        practice = make_practice(
            name_fi="Malli", organisation=make_organisation(name_fi="Sininauhaliitto")
        )
        practice.themes.add(make_theme(name_fi="Päihteet ja riippuvuudet"))
    make(name_fi="Muu malli")
    assert search("sininauhaliitto") == ["Malli"]
    assert search("päihteet") == ["Malli"]


def test_name_match_ranks_above_summary_match_above_body_match(make):
    make(name_fi="Muu malli 1", solution_fi="Perhekeskus toimii. Perhekeskus auttaa. Perhekeskus.")
    make(name_fi="Muu malli 2", summary_fi="Toimintaa perhekeskuksessa.")
    make(name_fi="Perhekeskus", summary_fi="Kohtaamispaikka.")
    make(name_fi="Aivan muuta")
    assert search("perhekeskus") == ["Perhekeskus", "Muu malli 2", "Muu malli 1"]


def test_search_rank_is_a_positive_number_for_matches(make):
    make(name_fi="Perhekeskus")
    (practice,) = filter_by_text(Practice.objects.all(), "perhekeskus")
    assert practice.search_rank > 0


def test_only_the_given_queryset_is_searched(make):
    make(name_fi="Perhekeskus")
    make(name_fi="Perhekeskus luonnos", status=Practice.Status.DRAFT)
    assert search("perhekeskus") == ["Perhekeskus"]
    assert len(search("perhekeskus", Practice.objects.all())) == 2


@pytest.mark.parametrize("q", ["", "   ", "*", "😀", '"', "\x00", "x" * 10_000])
def test_query_without_words_gives_the_queryset_back_with_rank_zero(make, q):
    make(name_fi="Perhekeskus")
    make(name_fi="Kerho")
    results = filter_by_text(Practice.objects.published(), q)
    assert sorted(results.values_list("name", flat=True)) == ["Kerho", "Perhekeskus"]
    assert {practice.search_rank for practice in results} == {0}


@pytest.mark.parametrize(
    "q",
    [
        "lasten-suojelu",
        '"x',
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        ")",
        "'",
        "\x00",
        "x" * 10_000,
        "lapsi " * 2_000,
        "😀 lapsi 😀",
        "Привет мир",
        "lapsi AND NOT perhe OR {name_terms}: ^x",
        "col:lapsi",
        "'lapsi' & !perhe | x:*",
        "lapsi\x00perhe",
        "١٢٣ 漢字",
    ],
)
def test_hostile_queries_return_normally(make, q):
    make(name_fi="Lasten suojelu", summary_fi="Not near or and.")
    results = filter_by_text(Practice.objects.published(), q)
    list(results.order_by("-search_rank")[:20])
    assert results.count() >= 0
    assert isinstance(results.exists(), bool)


def test_operator_words_are_searched_as_words_only_when_alone(make):
    make(name_fi="Club", name_en="Club", summary_en="Children and parents, not apart.")
    make(name_fi="Kerho", summary_fi="Kerho lapsille.")
    assert search("not") == ["Club"]
    assert search("NEAR(") == []
    assert search("kerho AND lapsille") == ["Kerho"]
    assert search("NEAR(kerho") == ["Kerho"]


def test_hyphenated_query_finds_the_words(make):
    make(name_fi="Lasten suojelu")
    make(name_fi="Kerho")
    assert search("lasten-suojelu") == ["Lasten suojelu"]


def test_result_can_be_filtered_counted_ordered_and_sliced(make, committed):
    theme = make_theme(name_fi="Teema")
    with committed():
        first = make_practice(name_fi="Perhekeskus A")
        first.themes.add(theme)
        make_practice(name_fi="Perhekeskus B")
        make_practice(name_fi="Kerho")
    results = filter_by_text(Practice.objects.published(), "perhekeskus")
    assert results.count() == 2
    assert results.filter(themes=theme).count() == 1
    assert list(results.order_by("name").values_list("name", flat=True)) == [
        "Perhekeskus A",
        "Perhekeskus B",
    ]
    assert len(results.order_by("-search_rank")[:1]) == 1
    assert results.exists()
    assert filter_by_text(results, "kerho").count() == 0
    assert filter_by_text(results, "perhek").count() == 2


def test_result_works_inside_facet_count_queries(make, committed):
    theme, other = make_theme(name_fi="Teema"), make_theme(name_fi="Toinen")
    with committed():
        for name in ("Perhekeskus A", "Perhekeskus B", "Kerho"):
            practice = make_practice(name_fi=name)
            practice.themes.add(theme)
            if name == "Kerho":
                practice.themes.add(other)
    matching = filter_by_text(Practice.objects.published(), "perhekeskus").values("pk")
    counts = dict(
        Theme.objects.filter(practices__in=matching)
        .annotate(n=Count("practices", distinct=True))
        .values_list("name", "n")
    )
    assert counts == {"Teema": 2}


def test_query_count_is_constant(make, django_assert_num_queries):
    make(name_fi="Perhekeskus")

    def run(q):
        results = filter_by_text(Practice.objects.published(), q).order_by("-search_rank")
        list(results[:20])
        results.count()

    # One query for the vocabulary, one for the page, one for the count.
    with django_assert_num_queries(3):
        run("perhekeskus")
    for n in range(30):
        make(name_fi=f"Perhekeskus {n}", summary_fi="Perhekeskuksen lapset ja nuoret.")
    with django_assert_num_queries(3):
        run("perhekeskus lapset nuoret")
    with django_assert_num_queries(2):
        run("")
