"""Searches with known right answers over the demo data and the corpus (corpus.py), and the
measures of how well a search engine answers them.

Each case is a query as a person types it, the interface language it is typed in, and the
practices a person would call right answers. A case is answered well when its right answers
are on the first page of results (recall@10), the best of them near the top (reciprocal rank).
"""

from dataclasses import dataclass

TOP = 10

# Demo practices (fixtures/demo/practices.json).
DEMO_AMBASSADORS = "tyontekijalahettilaskonsepti"
DEMO_PARENTS_EVENINGS = "seudulliset-vanhempainillat"
DEMO_LOHJA = "lasten-nuorten-ja-perheiden-alueellinen-hyvinvointityo"
DEMO_NGO_INFO = "jarjestoinfot-ammattilaisille-vantaan-ja-keravan-hyvinvointialueella"
DEMO_JARVENPAA = "puheeksiottava-kunta-hyvinvoivat-perheet"
DEMO_STRATEGY = "hyvinvointisuunnitelman-ja-strategian-vuoropuhelu"


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    query: str
    language: str
    expected: tuple


CATEGORIES = (
    "inflection",
    "compound",
    "partial",
    "typo",
    "swedish",
    "english",
    "place",
    "organisation",
    "multiword",
    "exact",
)

_PARENTS_EVENINGS = ("vanhempainillat-verkossa", DEMO_PARENTS_EVENINGS)
_MENTAL_HEALTH = (
    "lasten-mielenterveyden-tuki-koulussa",
    "nuorten-mielenterveysneuvonta-chatissa",
    "mielenterveyden-ensiapu-tyopaikoilla",
)
# Cards that speak of loneliness: the friendship groups (in their name) and the exercise
# groups (in passing).
_LONELINESS = ("ystavapiiri-yksinaisille-ikaihmisille", "seniorit-liikkeelle")
_PUHEEKSIOTTO = (
    "puheeksiotto-varhaiskasvatuksessa",
    DEMO_JARVENPAA,
    "lahisuhdevakivallan-puheeksiotto-neuvolassa",
)

CASES = (
    # Inflected forms of words the cards use in other forms.
    Case("inessive-plural", "inflection", "vanhempainilloissa", "fi", _PARENTS_EVENINGS),
    Case("inessive", "inflection", "vanhempainillassa", "fi", _PARENTS_EVENINGS),
    Case("genitive-plural", "inflection", "vanhempainiltojen", "fi", _PARENTS_EVENINGS),
    Case("allative-plural", "inflection", "omaishoitajille", "fi", ("omaishoitajien-valmennus",)),
    Case("partitive", "inflection", "yksinäisyyttä", "fi", _LONELINESS),
    Case("illative", "inflection", "kiusaamiseen", "fi", ("kiusaamisen-vastainen-toimintamalli",)),
    Case("genitive-plural-2", "inflection", "muistisairaiden", "fi", ("muistikahvila",)),
    Case("elative-plural", "inflection", "päihteistä", "fi", ("nuorten-paihdetyon-vastaanotto",)),
    Case(
        "inessive-compound",
        "inflection",
        "nuorisovaltuustossa",
        "fi",
        ("nuorisovaltuuston-vaikuttamiskanava",),
    ),
    Case("base-form", "inflection", "kotoutuminen", "fi", ("kotoutumista-tukeva-perhetyo",)),
    Case("base-form-compound", "inflection", "vanhempainilta", "fi", _PARENTS_EVENINGS),
    Case(
        "plural-nominative",
        "inflection",
        "ikäihmiset",
        "fi",
        ("ystavapiiri-yksinaisille-ikaihmisille",),
    ),
    Case(
        "upper-case",
        "inflection",
        "LOHJA",
        "fi",
        (DEMO_LOHJA, "digituki-kirjastossa", "vauvaperheiden-vanhempainryhmat"),
    ),
    # Adjectives for the cards' nouns made of them (a derivation, not an inflection):
    # "lonely" for "loneliness", "equal" for the theme "equality".
    Case("derivation-yksinainen", "inflection", "yksinäinen", "fi", _LONELINESS),
    Case(
        "derivation-yhdenvertainen",
        "inflection",
        "yhdenvertainen",
        "fi",
        ("harrastusluotsi-vammaisille-nuorille", "kotoutumista-tukeva-perhetyo"),
    ),
    # Parts of compounds, searched alone.
    Case(
        "compound-yhteistyo",
        "compound",
        "yhteistyö",
        "fi",
        ("jarjestoyhteistyon-vuosikello", "ruoka-avun-yhteistyoverkosto"),
    ),
    Case(
        "compound-ilta",
        "compound",
        "ilta",
        "fi",
        (*_PARENTS_EVENINGS, "isien-illat-perhekeskuksessa"),
    ),
    Case(
        "compound-neuvola",
        "compound",
        "neuvola",
        "fi",
        (
            "ikaneuvola-ita-uudellamaalla",
            "lahisuhdevakivallan-puheeksiotto-neuvolassa",
            "vauvaperheiden-vanhempainryhmat",
        ),
    ),
    Case("compound-kahvila", "compound", "kahvila", "fi", ("muistikahvila",)),
    Case(
        "compound-longer-than-text",
        "compound",
        "mielenterveyspalvelu",
        "fi",
        ("nuorten-mielenterveysneuvonta-chatissa",),
    ),
    Case("compound-hyphenated", "compound", "ruoka-apu", "fi", ("ruoka-avun-yhteistyoverkosto",)),
    Case(
        "compound-liikunta",
        "compound",
        "liikunta",
        "fi",
        (
            "liikuntaneuvonta-terveysasemalla",
            "koululaisten-liikuntakerhot",
            "seniorit-liikkeelle",
            "lasten-ja-nuorten-liikuntaneuvonta",
        ),
    ),
    Case(
        "compound-valmennus",
        "compound",
        "valmennus",
        "fi",
        ("omaishoitajien-valmennus", "tyollisyyden-yhteinen-valmennus"),
    ),
    # The beginning of a word, as typed so far.
    Case(
        "prefix-vanhempai",
        "partial",
        "vanhempai",
        "fi",
        (*_PARENTS_EVENINGS, "vauvaperheiden-vanhempainryhmat"),
    ),
    Case("prefix-puheeksio", "partial", "puheeksio", "fi", _PUHEEKSIOTTO),
    Case("prefix-omaisho", "partial", "omaisho", "fi", ("omaishoitajien-valmennus",)),
    Case("prefix-mielenterv", "partial", "mielenterv", "fi", _MENTAL_HEALTH),
    Case("prefix-kulttuuripo", "partial", "kulttuuripo", "fi", ("kulttuuripolku",)),
    # Typing mistakes and missing Nordic letters.
    Case("typo-vanhempainlita", "typo", "vanhempainlita", "fi", _PARENTS_EVENINGS),
    Case("typo-mielenterveyss", "typo", "mielenterveyss", "fi", _MENTAL_HEALTH),
    Case(
        "no-umlauts-jarjestoyhteistyo",
        "typo",
        "jarjestoyhteistyo",
        "fi",
        ("jarjestoyhteistyon-vuosikello",),
    ),
    Case("typo-kiusaamnen", "typo", "kiusaamnen", "fi", ("kiusaamisen-vastainen-toimintamalli",)),
    Case("typo-omaishoitja", "typo", "omaishoitja", "fi", ("omaishoitajien-valmennus",)),
    Case("typo-muistikahvla", "typo", "muistikahvla", "fi", ("muistikahvila",)),
    Case("typo-missing-letter", "typo", "vanhempainilat", "fi", _PARENTS_EVENINGS),
    Case("unknown-inflection", "typo", "muistisairaus", "fi", ("muistikahvila",)),
    Case("no-umlauts-paihdetyo", "typo", "paihdetyo", "fi", ("nuorten-paihdetyon-vastaanotto",)),
    Case("no-umlauts-yksinaisyys", "typo", "yksinaisyys", "fi", _LONELINESS),
    # Swedish, typed on the Swedish pages.
    Case(
        "sv-barn",
        "swedish",
        "barn",
        "sv",
        ("lapsiperheiden-kohtaamispaikka-raasepori", "lasten-mielenterveyden-tuki-koulussa"),
    ),
    Case("sv-foraldrakvallar", "swedish", "föräldrakvällar", "sv", ("vanhempainillat-verkossa",)),
    Case("sv-valfardsomrade", "swedish", "välfärdsområde", "sv", ("ikaneuvola-ita-uudellamaalla",)),
    Case("sv-ensamhet", "swedish", "ensamhet", "sv", ("ystavapiiri-yksinaisille-ikaihmisille",)),
    Case(
        "sv-ungdomsfullmaktige",
        "swedish",
        "ungdomsfullmäktige",
        "sv",
        ("nuorisovaltuuston-vaikuttamiskanava",),
    ),
    Case(
        "sv-studieavbrott",
        "swedish",
        "studieavbrott",
        "sv",
        ("koulupudokkuuden-ehkaisy-toisella-asteella",),
    ),
    Case(
        "sv-place-raseborg",
        "swedish",
        "Raseborg",
        "sv",
        ("lapsiperheiden-kohtaamispaikka-raasepori",),
    ),
    Case("sv-valfardsbilen", "swedish", "välfärdsbil", "sv", ("kiertava-hyvinvointiauto",)),
    Case("sv-singular", "swedish", "föräldrakväll", "sv", ("vanhempainillat-verkossa",)),
    Case(
        "sv-aldre",
        "swedish",
        "äldre",
        "sv",
        ("ystavapiiri-yksinaisille-ikaihmisille", "seniorit-liikkeelle"),
    ),
    Case(
        "sv-place-lojo",
        "swedish",
        "Lojo",
        "sv",
        (DEMO_LOHJA, "digituki-kirjastossa", "vauvaperheiden-vanhempainryhmat"),
    ),
    # English, typed on the English pages.
    Case("en-parents-evening", "english", "parents evening", "en", ("vanhempainillat-verkossa",)),
    Case("en-mental-health", "english", "mental health", "en", _MENTAL_HEALTH),
    Case("en-bullying", "english", "bullying", "en", ("kiusaamisen-vastainen-toimintamalli",)),
    Case("en-lonely-older-people", "english", "lonely older people", "en", _LONELINESS),
    Case(
        "en-peer-group",
        "english",
        "peer group families",
        "en",
        ("kansainvalisten-perheiden-vertaisryhma",),
    ),
    Case("en-plural", "english", "evenings", "en", ("vanhempainillat-verkossa",)),
    Case(
        "en-children-mental-health",
        "english",
        "children mental health",
        "en",
        ("lasten-mielenterveyden-tuki-koulussa",),
    ),
    # The noun for one card's "lonely" and the other's "loneliness", and the adjective for both.
    Case("en-loneliness", "english", "loneliness", "en", _LONELINESS),
    Case("en-lonely", "english", "lonely", "en", _LONELINESS),
    # Places, inflected as in a sentence.
    Case(
        "place-lohjalla",
        "place",
        "Lohjalla",
        "fi",
        (DEMO_LOHJA, "digituki-kirjastossa", "vauvaperheiden-vanhempainryhmat"),
    ),
    Case(
        "place-jarvenpaassa",
        "place",
        "Järvenpäässä",
        "fi",
        (DEMO_JARVENPAA, "liikuntaneuvonta-terveysasemalla"),
    ),
    Case(
        "place-paijat-hameessa",
        "place",
        "Päijät-Hämeessä",
        "fi",
        (
            DEMO_AMBASSADORS,
            DEMO_PARENTS_EVENINGS,
            DEMO_STRATEGY,
            "perhekeskuksen-puhelinneuvonta",
            "koululaisten-liikuntakerhot",
            "puheeksiotto-varhaiskasvatuksessa",
            "tyollisyyden-yhteinen-valmennus",
        ),
    ),
    Case(
        "place-vantaalla",
        "place",
        "Vantaalla",
        "fi",
        (DEMO_NGO_INFO, "kotoutumista-tukeva-perhetyo", "perheiden-ruokakoulu"),
    ),
    Case(
        "place-espoossa",
        "place",
        "Espoossa",
        "fi",
        ("vanhempainillat-verkossa", "kansainvalisten-perheiden-vertaisryhma"),
    ),
    Case(
        "place-tampereella", "place", "Tampereella", "fi", ("lasten-mielenterveyden-tuki-koulussa",)
    ),
    Case(
        "place-raaseporissa",
        "place",
        "Raaseporissa",
        "fi",
        ("lapsiperheiden-kohtaamispaikka-raasepori",),
    ),
    # Organisations by name.
    Case("org-luksia", "organisation", "Luksia", "fi", (DEMO_LOHJA, "digituki-kirjastossa")),
    Case(
        "org-lohjan-kaupunki",
        "organisation",
        "Lohjan kaupunki",
        "fi",
        (DEMO_LOHJA, "digituki-kirjastossa", "vauvaperheiden-vanhempainryhmat"),
    ),
    Case(
        "org-folkhalsan",
        "organisation",
        "Folkhälsan",
        "fi",
        ("lapsiperheiden-kohtaamispaikka-raasepori",),
    ),
    Case(
        "org-keravan-kaupunki",
        "organisation",
        "Keravan kaupunki",
        "fi",
        ("jarjestoyhteistyon-vuosikello",),
    ),
    Case(
        "org-mll",
        "organisation",
        "Mannerheimin Lastensuojeluliitto",
        "fi",
        ("vauvaperheiden-vanhempainryhmat", "kansainvalisten-perheiden-vertaisryhma"),
    ),
    # Several words, each in its own form.
    Case(
        "multi-lasten-mielenterveys",
        "multiword",
        "lasten mielenterveys",
        "fi",
        ("lasten-mielenterveyden-tuki-koulussa",),
    ),
    Case(
        "multi-puheeksiotto-varhaiskasvatuksessa",
        "multiword",
        "puheeksiotto varhaiskasvatuksessa",
        "fi",
        ("puheeksiotto-varhaiskasvatuksessa",),
    ),
    Case(
        "multi-ikaantyneiden-liikunta",
        "multiword",
        "ikääntyneiden liikunta",
        "fi",
        ("seniorit-liikkeelle",),
    ),
    Case(
        "multi-nuorten-paihdetyo",
        "multiword",
        "nuorten päihdetyö",
        "fi",
        ("nuorten-paihdetyon-vastaanotto",),
    ),
    Case(
        "multi-perhetyo-maahan-muuttaneille",
        "multiword",
        "perhetyö maahan muuttaneille",
        "fi",
        ("kotoutumista-tukeva-perhetyo",),
    ),
    Case(
        "multi-digituki-kirjasto",
        "multiword",
        "digituki kirjasto",
        "fi",
        ("digituki-kirjastossa",),
    ),
    Case(
        "multi-vanhempainillat-paijat-hame",
        "multiword",
        "vanhempainillat Päijät-Häme",
        "fi",
        (DEMO_PARENTS_EVENINGS,),
    ),
    # Words exactly as the card has them.
    Case("exact-muistikahvila", "exact", "muistikahvila", "fi", ("muistikahvila",)),
    Case(
        "exact-asukasraati",
        "exact",
        "asukasraati",
        "fi",
        ("asukasraati-palvelujen-kehittamisessa",),
    ),
    Case(
        "exact-hyvinvointikertomus",
        "exact",
        "hyvinvointikertomus",
        "fi",
        ("hyvinvointikertomus-talousarvioon",),
    ),
    Case(
        "exact-tyontekijalahettilas",
        "exact",
        "työntekijälähettiläs",
        "fi",
        (DEMO_AMBASSADORS,),
    ),
)

CASES_BY_NAME = {case.name: case for case in CASES}


@dataclass(frozen=True)
class Result:
    case: Case
    found: tuple  # slugs of the first page, best first
    corrected: str | None = None  # the corrected query that found them, if any

    @property
    def recall(self):
        """Share of the right answers on the first page."""
        return len(set(self.case.expected) & set(self.found[:TOP])) / len(self.case.expected)

    @property
    def reciprocal_rank(self):
        """1 / position of the first right answer on the first page; 0 when none is there."""
        for position, slug in enumerate(self.found[:TOP], start=1):
            if slug in self.case.expected:
                return 1 / position
        return 0.0


def summarise(results):
    """{category or "overall": (cases, recall@10, MRR)}."""
    groups = {category: [] for category in CATEGORIES}
    for result in results:
        groups[result.case.category].append(result)
    groups["overall"] = list(results)
    summary = {}
    for name, items in groups.items():
        if items:
            summary[name] = (
                len(items),
                sum(r.recall for r in items) / len(items),
                sum(r.reciprocal_rank for r in items) / len(items),
            )
    return summary


def describe(result):
    """One line on a result that missed some right answers, for a test failure message."""
    missing = [slug for slug in result.case.expected if slug not in result.found[:TOP]]
    corrected = f" (searched for {result.corrected!r})" if result.corrected else ""
    return (
        f"{result.case.name}: {result.case.query!r} [{result.case.language}]{corrected} "
        f"recall {result.recall:.2f}, RR {result.reciprocal_rank:.2f}; missing {missing}; "
        f"found {list(result.found)}"
    )
