import pytest

from practices.search.analysis import (
    MAX_QUERY_WORDS,
    STEM_MARK,
    _compound_parts,
    analyse,
    analyse_text,
    fold,
    query_words,
    words,
)

from .conftest import requires_voikko


def test_words_are_letters_and_digits_normalised_and_lower_case():
    text = "Lasten-suojelu, ＬＡＰＳＥＴ\x00ja_nuoret 😀 2023 «Привет» ﬁlosofia"
    assert words(text) == [
        "lasten",
        "suojelu",
        "lapset",
        "ja",
        "nuoret",
        "2023",
        "привет",
        "filosofia",
    ]


def test_words_leaves_out_over_long_strings():
    assert words("a" * 51 + " lapsi") == ["lapsi"]


def test_fold_drops_nordic_and_other_diacritics_but_keeps_other_scripts():
    assert fold("järjestöyhteistyö") == "jarjestoyhteistyo"
    assert fold("åland") == "aland"
    assert fold("café") == "cafe"
    assert fold("привет") == "привет"


@requires_voikko
def test_finnish_word_is_indexed_with_base_form_and_compound_parts():
    forms = analyse("vanhempainillassa", "fi").index_forms
    assert forms[0] == "vanhempainillassa"
    assert {"vanhempainilta", "vanhempain", "vanhempi", "ilta"} <= set(forms)


@requires_voikko
def test_query_word_looks_for_base_forms_but_not_for_compound_parts():
    forms = analyse("vanhempainilta", "fi").query_forms
    assert "vanhempainilta" in forms
    # "vanhempainilta" must not find every text about an evening ("ilta").
    assert "ilta" not in forms
    assert "lapsi" in analyse("lasten", "fi").query_forms


@requires_voikko
@pytest.mark.parametrize(
    ("word", "adjective"),
    [
        # Voikko gives the adjective: "+yksinäisy(yksinäinen)+ys(+ys)".
        ("yksinäisyyttä", "yksinäinen"),
        # Voikko gives the noun the adjective is made of ("+turva(turva)+llisu(+nen)+us").
        ("turvallisuutta", "turvallinen"),
        # Also inside a compound: "+mielen(mieli)+terve(terve)+ys(+ys)".
        ("mielenterveyden", "terve"),
    ],
)
def test_noun_of_quality_is_indexed_with_its_adjective_so_the_adjective_finds_it(word, adjective):
    assert adjective in analyse(word, "fi").index_forms
    assert analyse(adjective, "fi").query_forms & set(analyse(word, "fi").index_forms)
    # The noun does not look for the adjective: "yksinäisyys" finds loneliness, not every
    # card that calls someone lonely.
    assert adjective not in analyse(word, "fi").query_forms


@requires_voikko
@pytest.mark.parametrize(
    ("word", "unrelated"),
    [
        ("työllisyyden", "työ"),  # employment: from "työ" (work) through "työllinen"
        ("osallisuus", "osa"),  # participation: from "osa" (part)
        ("ohjauksen", "ohjata"),  # guidance: from a verb
        ("perhetyöntekijä", "tehdä"),  # family worker: "tekijä" is from a verb
        ("olevia", "olla"),  # a participle
    ],
)
def test_nouns_and_verbs_a_word_derives_from_are_not_indexed(word, unrelated):
    assert unrelated not in analyse(word, "fi").index_forms


@requires_voikko
def test_compound_parts_come_only_from_the_analyses_with_the_fewest_parts():
    # "toisiltaan" (from each other) is "toinen"; Voikko's "tois" + "ilta" (evening) is not
    # what the text means, and must not make the word an answer to "ilta".
    forms = set(analyse("toisiltaan", "fi").index_forms)
    assert "toinen" in forms
    assert not {"ilta", "toisilta"} & forms
    assert not {"kana", "villa"} & set(analyse("kanavilla", "fi").index_forms)
    # "hyvinvointialueilta" (from wellbeing services counties), not "hyvinvointialue" + "ilta".
    forms = set(analyse("hyvinvointialueilta", "fi").index_forms)
    assert "alue" in forms
    assert "ilta" not in forms
    # A real compound keeps its parts, also where Voikko has a proper name without parts
    # ("Perhekeskus") or the whole compound as one word ("vertais=tuki") beside it.
    assert {"perhe", "keskus"} <= set(analyse("perhekeskuksessa", "fi").index_forms)
    assert "tuki" in analyse("vertaistukea", "fi").index_forms
    assert {"järvi", "pää"} <= set(analyse("järvenpäässä", "fi").index_forms)


@requires_voikko
def test_a_bound_compound_part_is_indexed_joined_to_the_next_one():
    # Voikko splits "järjestöyhteistyö" as "järjestö" + "yhteis" + "työ".
    forms = analyse("järjestöyhteistyön", "fi").index_forms
    assert "yhteistyö" in forms
    assert "yhteis" not in forms
    assert "lähisuhde" in analyse("lähisuhdeväkivallan", "fi").index_forms


@requires_voikko
def test_vocabulary_holds_base_forms_not_inflected_forms_of_known_words():
    # The ablative "sektorilta" merely ends in "ilta": it must not be among the words
    # containing "ilta" that a search for "ilta" looks for.
    assert analyse("sektorilta", "fi").vocabulary == ("sektori",)
    assert analyse("vanhempainilloissa", "fi").vocabulary == ("vanhempainilta",)
    assert analyse("perhetyöntekijöiltä", "fi").vocabulary == ("perhetyöntekijä",)
    # A word Voikko does not know is its own vocabulary word.
    assert analyse("puheeksioton", "fi").vocabulary == ("puheeksioton",)
    _terms, vocabulary, _count = analyse_text("Vanhempainilloissa sektorilta", "fi")
    assert vocabulary == {"vanhempainilta", "sektori"}


@requires_voikko
def test_folded_forms_are_indexed_too():
    forms = analyse("järjestöyhteistyötä", "fi").index_forms
    assert {"järjestöyhteistyö", "jarjestoyhteistyo", "jarjestoyhteistyota"} <= set(forms)


@requires_voikko
def test_word_voikko_does_not_know_gets_a_stem():
    forms = analyse("puheeksioton", "fi").index_forms
    assert forms[0] == "puheeksioton"
    assert STEM_MARK + "puheeksioto" in forms
    assert analyse("puheeksiotto", "fi").query_forms & set(forms) == {STEM_MARK + "puheeksioto"}


@requires_voikko
def test_known_words_get_no_stems_in_the_index_so_stems_cannot_meet_compound_parts():
    # The Snowball stem of "vanhempainilta" is "vanhempain", a part of "vanhempainryhmä".
    group = set(analyse("vanhempainryhmä", "fi").index_forms)
    assert not analyse("vanhempainilta", "fi").query_forms & group


@pytest.mark.usefixtures("no_voikko")
def test_without_voikko_finnish_gets_snowball_stems_only():
    analysis = analyse("vanhempainillassa", "fi")
    assert analysis.index_forms == ("vanhempainillassa", STEM_MARK + "vanhempainil")
    assert "vanhempainilta" not in analysis.index_forms
    # Inflected forms still meet through their stems.
    assert analyse("mielenterveyden", "fi").query_forms & set(
        analyse("mielenterveyden", "fi").index_forms
    )
    assert analyse("lohjalla", "fi").query_forms == {"lohjalla", STEM_MARK + "lohj"}


@pytest.mark.parametrize(
    ("noun", "adjective"),
    [("loneliness", "lonely"), ("friendliness", "friendly"), ("happiness", "happy")],
)
def test_english_nouns_in_iness_meet_their_adjectives(noun, adjective):
    assert analyse(noun, "en").query_forms & set(analyse(adjective, "en").index_forms)
    assert analyse(adjective, "en").query_forms & set(analyse(noun, "en").index_forms)


def test_english_iness_rule_adds_no_index_forms_and_leaves_other_words_alone():
    assert analyse("loneliness", "en").index_forms == ("loneliness", STEM_MARK + "lone")
    # Snowball's own stems, where no noun in -iness is involved.
    assert STEM_MARK + "earli" in analyse("early", "en").index_forms
    assert STEM_MARK + "busi" in analyse("business", "en").index_forms


def test_swedish_and_english_words_get_their_own_stems():
    assert STEM_MARK + "barn" in analyse("barnen", "sv").index_forms
    assert STEM_MARK + "famili" in analyse("families", "en").index_forms
    assert analyse("barn", "sv").query_forms & set(analyse("barnens", "sv").index_forms)


def test_numbers_are_indexed_as_they_are():
    assert analyse("2023", "fi").index_forms == ("2023",)


def test_analyse_text_keeps_each_words_forms_together_in_text_order():
    terms, vocabulary, count = analyse_text("Lapset ja nuoret", "sv", use_voikko=False)
    assert terms.split()[0] == "lapset"
    assert terms.index("nuoret") > terms.index("lapset")
    assert count == 3
    # Only real words of three letters or more go to the vocabulary.
    assert vocabulary == {"lapset", "nuoret"}


def test_analyse_text_stops_at_max_words():
    terms, _vocabulary, count = analyse_text("yksi kaksi kolme", "en", max_words=2)
    assert count == 2
    assert "kolme" not in terms


@pytest.mark.parametrize(
    ("wordbases", "parts"),
    [
        ("+vanhempain(vanhempi)+ilta(ilta)", [("vanhempain", "vanhempi"), ("ilta", "ilta")]),
        # Derivational suffixes join the part they derive.
        ("+mielen(mieli)+terve(terve)+ys(+ys)", [("mielen", "mieli"), ("terveys", "terveys")]),
        # A part without a base followed by one with a base is a part of its own.
        (
            "+järjestö(järjestö)+yhteis+työ(työ)",
            [("järjestö", "järjestö"), ("yhteis", ""), ("työ", "työ")],
        ),
        (
            "+hyvinvointi(hyvin=vointi)+alue(alue)",
            [("hyvinvointi", "hyvinvointi"), ("alue", "alue")],
        ),
        ("+tasa+-+arvo(arvo)", [("tasa", ""), ("arvo", "arvo")]),
        # Simple and derived words have no parts.
        ("+heiken(heikentää)ty(+tyä)+n+yt(+yt)", []),
        ("+säännö(sääntö)+lli+nen(+nen)", []),
        ("+lapsi(lapsi)", []),
        (None, []),
    ],
)
def test_compound_parts(wordbases, parts):
    assert _compound_parts(wordbases) == parts


def test_query_words_combine_finnish_with_the_active_language():
    (word,) = query_words("children", "en")
    assert STEM_MARK + "children" in word.terms
    (word,) = query_words("barnen", "sv")
    assert STEM_MARK + "barn" in word.terms


def test_query_words_drop_stop_words_unless_nothing_else_is_left():
    assert [w.word for w in query_words("lapset ja nuoret", "fi")] == ["lapset", "nuoret"]
    assert [w.word for w in query_words("ja", "fi")] == ["ja"]


def test_capitalised_operators_are_not_searched_for_unless_alone():
    assert [w.word for w in query_words("lapset AND nuoret NOT NEAR(perhe)", "fi")] == [
        "lapset",
        "nuoret",
        "perhe",
    ]
    assert [w.word for w in query_words("not", "fi")] == ["not"]
    assert [w.word for w in query_words("NOT", "fi")] == ["not"]


def test_query_words_match_as_prefixes_when_last_or_long():
    first, middle, last = query_words("perhe työ vanhempai", "fi")
    assert first.prefixes == {"perhe"}
    assert middle.prefixes == frozenset()
    assert last.prefixes == {"vanhempai"}
    (short,) = query_words("ik", "fi")
    assert short.prefixes == frozenset()


def test_query_words_are_capped():
    many = " ".join(f"sana{n}" for n in range(50))
    assert len(query_words(many, "fi")) == MAX_QUERY_WORDS
    assert query_words("x" * 10_000, "fi") == []


@pytest.mark.parametrize(
    "q",
    ["", "   ", "*", ")", "'", '"', "\x00", "😀😀", "(", "-", "\u202e", None],
)
def test_query_without_words_gives_nothing(q):
    assert query_words(q, "fi") == []


def test_query_terms_are_letters_and_digits_only():
    hostile = "lasten-suojelu \"x AND OR NOT * NEAR( ) ' \x00 😀 Привет {name}: ^x"
    for word in query_words(hostile, "fi"):
        for term in word.terms | word.prefixes:
            assert term.isalnum(), term
