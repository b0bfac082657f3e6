"""highlight_page: the excerpt under each result shows why it matched."""

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from practices.models import Practice
from practices.search import filter_by_text, highlight_page
from tests.factories import make_practice

from .conftest import requires_voikko

pytestmark = pytest.mark.django_db


def snippet(q, **fields):
    practice = make_practice(**fields)
    highlight_page([practice], q)
    return practice.search_snippet


@requires_voikko
def test_inflected_forms_of_the_query_are_marked():
    html = snippet(
        "vanhempainilta",
        summary_fi="Kokoonnumme vanhempainilloissa kouluilla. Illan aiheena on uni.",
    )
    assert html == "Kokoonnumme <mark>vanhempainilloissa</mark> kouluilla."


@requires_voikko
def test_a_part_of_a_compound_marks_the_compound():
    html = snippet("ilta lapsi", summary_fi="Vanhempainillassa puhutaan lasten unesta.")
    assert html == "<mark>Vanhempainillassa</mark> puhutaan <mark>lasten</mark> unesta."


def test_prefix_and_folded_forms_are_marked():
    html = snippet("jarjesto", summary_fi="Järjestöt ja kunta tekevät yhteistyötä.")
    assert html == "<mark>Järjestöt</mark> ja kunta tekevät yhteistyötä."


def test_the_sentence_matching_most_query_words_is_chosen():
    html = snippet(
        "kerho nuoret",
        summary_fi="Malli on kaikille.",
        solution_fi="Kerho kokoontuu. Nuoret ohjaavat kerhoa itse. Nuoret ovat tervetulleita.",
    )
    assert html == "<mark>Nuoret</mark> ohjaavat <mark>kerhoa</mark> itse."


def test_the_name_is_used_only_when_nothing_else_matches_as_well():
    assert snippet("kerho", name_fi="Kerho", summary_fi="Kerho nuorille.") == (
        "<mark>Kerho</mark> nuorille."
    )
    assert snippet("kerho", name_fi="Kerho", summary_fi="Nuorille.") == "<mark>Kerho</mark>"


def test_html_in_the_text_is_escaped():
    html = snippet(
        "kerho",
        name_fi="<script>alert(1)</script>",
        summary_fi='<b onclick="x()">Kerho</b> & <i>nuoret</i>',
    )
    assert isinstance(html, SafeString)
    assert html == (
        "&lt;b onclick=&quot;x()&quot;&gt;<mark>Kerho</mark>&lt;/b&gt; &amp; "
        "&lt;i&gt;nuoret&lt;/i&gt;"
    )
    assert snippet("script", name_fi="<script>alert(1)</script>", summary_fi="Muuta.") == (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    )


def test_a_long_sentence_is_cut_to_a_window_around_the_match():
    words = [f"sana{n}" for n in range(80)]
    words[50] = "perhekeskus"
    html = snippet("perhekeskus", summary_fi="Lyhyt.", solution_fi=" ".join(words) + ".")
    assert html.startswith("… sana44 ")
    assert "<mark>perhekeskus</mark>" in html
    assert html.endswith(" …")
    assert len(html.split()) <= 30 + 2


def test_without_a_query_the_summary_is_shown_escaped_and_unmarked():
    html = snippet("", summary_fi="Kerho <nuorille> & perheille.")
    assert html == "Kerho &lt;nuorille&gt; &amp; perheille."
    assert "<mark>" not in snippet("*", summary_fi="Kerho nuorille.")


def test_without_a_match_in_the_text_the_summary_is_shown():
    assert snippet("sininauhaliitto", summary_fi="Kerho nuorille.") == "Kerho nuorille."


def test_the_active_language_is_shown_with_finnish_as_fallback():
    with translation.override("en"):
        html = snippet("club", summary_fi="Kerho nuorille.", summary_en="A club for the young.")
        assert html == "A <mark>club</mark> for the young."
        assert snippet("kerho", summary_fi="Kerho nuorille.") == "<mark>Kerho</mark> nuorille."


def test_highlight_page_sets_a_snippet_on_every_practice_of_the_page(committed):
    with committed():
        make_practice(name_fi="Kerho A", summary_fi="Kerho lapsille.")
        make_practice(name_fi="Kerho B", summary_fi="Nuorille.")
    page = list(filter_by_text(Practice.objects.published(), "kerho").order_by("name"))
    highlight_page(page, "kerho")
    assert [p.search_snippet for p in page] == [
        "<mark>Kerho</mark> lapsille.",
        "<mark>Kerho</mark> B",
    ]
    highlight_page([], "kerho")


@pytest.mark.parametrize("q", ['"x', "NEAR(", "\x00", "x" * 10_000, "😀", "<mark>"])
def test_hostile_queries_give_escaped_snippets(q):
    html = snippet(q, summary_fi="Kerho <nuorille>.")
    assert "<nuorille>" not in html
    assert "&lt;nuorille&gt;" in html
