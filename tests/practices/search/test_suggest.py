"""suggest_query: "did you mean" from the words of the published practices."""

import pytest

from practices.models import Practice
from practices.search import suggest_query
from tests.factories import make_practice

from .conftest import requires_voikko

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(committed):
    with committed():
        make_practice(name_fi="Vanhempainilta", summary_fi="Lasten ja perheiden kohtaaminen.")
        make_practice(name_fi="Järjestöyhteistyö kunnassa", summary_fi="Kouluterveyskysely.")
        make_practice(
            name_fi="Salainen luonnos",
            summary_fi="Luottamuksellinen suunnitelma.",
            status=Practice.Status.DRAFT,
        )


@pytest.mark.usefixtures("practices")
def test_misspelt_word_is_corrected_to_a_word_of_the_index():
    assert suggest_query("vanhempainlita") == "vanhempainilta"
    assert suggest_query("kouluterveyskysly") == "kouluterveyskysely"


@pytest.mark.usefixtures("practices")
def test_word_typed_without_nordic_letters_gets_them_back():
    assert suggest_query("jarjestoyhteistyo") == "järjestöyhteistyö"


@pytest.mark.usefixtures("practices")
def test_only_the_unknown_words_of_a_query_change():
    assert suggest_query("lasten vanhempainlita") == "lasten vanhempainilta"


@requires_voikko
@pytest.mark.usefixtures("practices")
def test_inflected_forms_of_known_words_are_not_corrected():
    assert suggest_query("lapsille") is None
    assert suggest_query("vanhempainilloissa") is None


@pytest.mark.usefixtures("practices")
def test_known_or_unfixable_queries_give_none():
    assert suggest_query("vanhempainilta") is None
    assert suggest_query("xyzzyqwv") is None
    assert suggest_query("") is None
    assert suggest_query("ab") is None


@pytest.mark.usefixtures("practices")
def test_words_of_unpublished_practices_are_never_suggested():
    assert suggest_query("luottamuksellinn") is None
    assert suggest_query("salainnen") is None


@pytest.mark.usefixtures("practices", "no_voikko")
def test_suggestions_work_without_voikko():
    assert suggest_query("vanhempainlita") == "vanhempainilta"
    assert suggest_query("jarjestoyhteistyo") == "järjestöyhteistyö"


@pytest.mark.usefixtures("practices")
@pytest.mark.parametrize(
    "q", ['"x', "AND", "NEAR(", "*", "\x00", "x" * 10_000, "😀", "Привет", "'", "lasten-suojelu"]
)
def test_hostile_queries_return_normally(q):
    assert suggest_query(q) is None or isinstance(suggest_query(q), str)


def test_empty_index_gives_none(db):
    assert suggest_query("vanhempainlita") is None
