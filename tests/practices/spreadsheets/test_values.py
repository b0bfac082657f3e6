import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from organisations.models import Municipality, Region, WellbeingServicesCounty
from practices.models import DevelopmentStage, Funder, Practice, TargetGroup, Theme
from practices.spreadsheets.values import (
    FORMULA_TRIGGERS,
    ContactEntry,
    Resolver,
    parse_contact,
    parse_contacts,
    parse_start_year,
    parse_status,
    safe_cell,
    split_values,
    unescape_cell,
)
from tests.factories import (
    make_county,
    make_funder,
    make_municipality,
    make_region,
    make_stage,
    make_target_group,
    make_theme,
)


def english(errors):
    """The messages as an English-speaking staff member reads them."""
    with translation.override("en"):
        return [str(error) for error in errors]


# --- split_values ---------------------------------------------------------------------------


def test_split_values_on_semicolons_and_line_breaks_keeps_order():
    assert split_values("Lapset; Nuoret\nIkääntyneet\r\nPerheet") == [
        "Lapset",
        "Nuoret",
        "Ikääntyneet",
        "Perheet",
    ]


def test_split_values_trims_and_drops_empty_parts():
    assert split_values("  Lapset ;; ;\n\n Nuoret ;") == ["Lapset", "Nuoret"]


def test_split_values_removes_repeats_keeping_the_first_spelling():
    assert split_values("Lapset; Nuoret; lapset;  LAPSET ; Nuoret") == ["Lapset", "Nuoret"]


@pytest.mark.parametrize("cell", [None, "", "   ", ";", "\n ; \n"])
def test_split_values_of_an_empty_cell_is_empty(cell):
    assert split_values(cell) == []


def test_split_values_of_a_number_cell():
    assert split_values(444) == ["444"]


# --- contacts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>",
            ContactEntry("Taru Rahkama", "Asiakkuuspäällikkö", "taru.rahkama@lohja.fi"),
        ),
        (
            "  Taru   Rahkama <taru.rahkama@lohja.fi>  ",
            ContactEntry("Taru Rahkama", "", "taru.rahkama@lohja.fi"),
        ),
        ("Taru Rahkama (Asiakkuuspäällikkö)", ContactEntry("Taru Rahkama", "Asiakkuuspäällikkö")),
        ("Taru Rahkama", ContactEntry("Taru Rahkama")),
        ("taru.rahkama@lohja.fi", ContactEntry("", "", "taru.rahkama@lohja.fi")),
        ("<taru.rahkama@lohja.fi>", ContactEntry("", "", "taru.rahkama@lohja.fi")),
        (
            "Taru Rahkama taru.rahkama@lohja.fi",
            ContactEntry("Taru Rahkama", "", "taru.rahkama@lohja.fi"),
        ),
        (
            "Aino Virta (Kehittäjä (sosiaalityö)) <aino.virta@example.fi>",
            ContactEntry("Aino Virta", "Kehittäjä (sosiaalityö)", "aino.virta@example.fi"),
        ),
    ],
)
def test_parse_contact_accepts_the_documented_forms(cell, expected):
    assert parse_contact(cell) == (expected, [])


def test_parse_contact_of_an_empty_cell_is_nothing():
    assert parse_contact("  ") == (None, [])


@pytest.mark.parametrize(
    "email", ["taru.rahkama@lohja", "taru rahkama@lohja.fi", "taru.rahkama.lohja.fi", "@lohja.fi"]
)
def test_parse_contact_rejects_a_malformed_email_quoting_it(email):
    contact, errors = parse_contact(f"Taru Rahkama (Asiakkuuspäällikkö) <{email}>")
    assert contact is None
    [message] = english(errors)
    assert f"“{email}” is not a valid e-mail address" in message
    assert "Taru Rahkama" in message


def test_parse_contact_rejects_a_bare_malformed_email():
    contact, errors = parse_contact("taru.rahkama@lohja")
    assert contact is None
    assert "“taru.rahkama@lohja” is not a valid e-mail address" in english(errors)[0]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("Taru Rahkama <taru.rahkama@lohja.fi", "unmatched angle brackets"),
        ("Taru Rahkama taru.rahkama@lohja.fi>", "unmatched angle brackets"),
        ("Taru Rahkama (Asiakkuuspäällikkö <taru.rahkama@lohja.fi>", "unmatched parentheses"),
        ("Taru Rahkama) <taru.rahkama@lohja.fi>", "unmatched parentheses"),
        ("() <>", "neither a name nor an e-mail address"),
        ("Taru taru@lohja.fi Rahkama", "inside angle brackets"),
    ],
)
def test_parse_contact_explains_how_to_write_a_broken_entry(cell, problem):
    contact, errors = parse_contact(cell)
    assert contact is None
    [message] = english(errors)
    assert problem in message
    assert "Name (Title) <name@example.fi>" in message


def test_parse_contact_rejects_an_over_long_name():
    contact, errors = parse_contact("A" * 201 + " <a@example.fi>")
    assert contact is None
    assert "201 characters long; shorten it to at most 200" in english(errors)[0]


def test_parse_contacts_keeps_good_entries_and_reports_every_bad_one():
    contacts, errors = parse_contacts(
        "Taru Rahkama (Asiakkuuspäällikkö) <taru.rahkama@lohja.fi>;"
        "Bad One <bad@>\n"
        "aino.virta@example.fi; Worse <worse@@example.fi>"
    )
    assert contacts == [
        ContactEntry("Taru Rahkama", "Asiakkuuspäällikkö", "taru.rahkama@lohja.fi"),
        ContactEntry("", "", "aino.virta@example.fi"),
    ]
    messages = english(errors)
    assert len(messages) == 2
    assert "“bad@”" in messages[0]
    assert "“worse@@example.fi”" in messages[1]


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Luonnos", Practice.Status.DRAFT),
        ("TARKASTETTAVANA", Practice.Status.IN_REVIEW),
        (" julkaistu ", Practice.Status.PUBLISHED),
        ("Arkistoitu", Practice.Status.ARCHIVED),
        ("draft", Practice.Status.DRAFT),
        ("in_review", Practice.Status.IN_REVIEW),
        ("In review", Practice.Status.IN_REVIEW),
        ("Published", Practice.Status.PUBLISHED),
        ("archived", Practice.Status.ARCHIVED),
        ("Utkast", Practice.Status.DRAFT),
        ("under granskning", Practice.Status.IN_REVIEW),
        ("Publicerad", Practice.Status.PUBLISHED),
        ("arkiverad", Practice.Status.ARCHIVED),
    ],
)
def test_parse_status_accepts_finnish_english_and_swedish(cell, status):
    assert parse_status(cell) == (status, [])


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_an_empty_status_is_a_draft(cell):
    assert parse_status(cell) == (Practice.Status.DRAFT, [])


def test_an_unknown_status_lists_the_allowed_values_in_the_readers_language():
    status, errors = parse_status("Valmis")
    assert status is None
    assert english(errors) == [
        "Unknown status “Valmis”. Use one of: Draft, In review, Published, Archived."
    ]
    with translation.override("fi"):
        finnish = str(errors[0])
    assert "Luonnos, Tarkastettavana, Julkaistu, Arkistoitu" in finnish


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_status_listed_in_the_error_is_accepted(language):
    _, errors = parse_status("?")
    with translation.override(language):
        allowed = str(errors[0]).rsplit(": ", 1)[1].rstrip(".").split(", ")
    assert [parse_status(word)[0] for word in allowed] == list(Practice.Status)


# --- start year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "year"),
    [("2021", 2021), (2021, 2021), (2021.0, 2021), ("2021.0", 2021), (" 2021 ", 2021),
     ("2021,0", 2021), ("1900", 1900), ("2100", 2100)],
)  # fmt: skip
def test_parse_start_year_accepts_a_year(cell, year):
    assert parse_start_year(cell) == (year, [])


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_an_empty_start_year_is_none(cell):
    assert parse_start_year(cell) == (None, [])


@pytest.mark.parametrize(
    "cell", ["1899", "2101", "21", "20x1", "2021.5", 2021.5, "-2021", "2021-22-5", "1999–1899"]
)
def test_parse_start_year_rejects_other_values_saying_what_is_expected(cell):
    year, errors = parse_start_year(cell)
    assert year is None
    [message] = english(errors)
    assert f"“{cell}” is not a valid start year" in message
    assert "between 1900 and 2100" in message


# --- lookups ----------------------------------------------------------------------------------


@pytest.fixture
def lookups(db):
    return {
        "stage": make_stage(
            name_fi="Kehitteillä", name_sv="Under utveckling", name_en="In development"
        ),
        "valmis": make_stage(name_fi="Valmis", name_sv="Färdig", name_en="Ready"),
        "theme": make_theme(name_fi="Lapsiperheet", name_sv="Barnfamiljer", name_en="Families"),
        "group": make_target_group(name_fi="Nuoret", name_sv="Unga", name_en="Young people"),
        "stm": make_funder(
            name_fi="Sosiaali- ja terveysministeriö",
            name_sv="Social- och hälsovårdsministeriet",
            abbreviation="STM",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("model", "cell", "expected"),
    [
        (DevelopmentStage, "Kehitteillä", "stage"),
        (DevelopmentStage, "  kehitteillä  ", "stage"),
        (DevelopmentStage, "UNDER UTVECKLING", "stage"),
        (DevelopmentStage, "in development", "stage"),
        (DevelopmentStage, "Ready", "valmis"),
        (Theme, "barnfamiljer", "theme"),
        (TargetGroup, "Young people", "group"),
        (Funder, "STM", "stm"),
        (Funder, "stm", "stm"),
        (Funder, "sosiaali- ja terveysministeriö", "stm"),
        (Funder, "Social- och hälsovårdsministeriet", "stm"),
    ],
)
def test_lookups_match_by_name_in_any_language_and_funders_by_abbreviation(
    lookups, model, cell, expected
):
    assert Resolver().resolve_one(model, cell) == (lookups[expected], [])


def test_a_decomposed_umlaut_matches_the_same_name(lookups):
    decomposed = "Kehitteilla\u0308"  # "ä" as "a" + combining diaeresis, as some Macs paste it
    assert Resolver().resolve_one(DevelopmentStage, decomposed) == (lookups["stage"], [])


def test_an_unknown_lookup_suggests_the_closest_name(lookups):
    stage, errors = Resolver().resolve_one(DevelopmentStage, "Kehiteillä")
    assert stage is None
    assert english(errors) == [
        "Unknown development stage “Kehiteillä”. Did you mean “Kehitteillä”?"
    ]


def test_the_suggestion_can_come_from_another_language(lookups):
    _, errors = Resolver().resolve_one(TargetGroup, "Young peple")
    assert english(errors) == ["Unknown target group “Young peple”. Did you mean “Young people”?"]


def test_an_unknown_lookup_with_nothing_close_points_to_the_admin_list(lookups):
    _, errors = Resolver().resolve_one(Theme, "Avaruusmatkailu")
    assert english(errors) == [
        "Unknown theme “Avaruusmatkailu”. Use a name from the list of themes in the admin."
    ]


def test_a_name_shared_by_two_rows_is_ambiguous_but_another_language_can_tell_them_apart(db):
    make_theme(name_fi="Asuminen", name_sv="Boende")
    second = make_theme(name_fi="Asuminen", name_sv="Bostäder")
    resolver = Resolver()
    theme, errors = resolver.resolve_one(Theme, "asuminen")
    assert theme is None
    assert english(errors) == [
        "“asuminen” is the name of 2 different themes. "
        "Give them different names in the admin, then import again."
    ]
    assert resolver.resolve_one(Theme, "Bostäder") == (second, [])


def test_a_finnish_name_wins_over_the_same_spelling_in_another_language(db):
    make_theme(name_fi="Kulttuuri", name_sv="Kultur")
    finnish = make_theme(name_fi="Kultur", name_sv="Kulturverksamhet")
    assert Resolver().resolve_one(Theme, "kultur") == (finnish, [])


def test_a_single_value_column_refuses_two_values(lookups):
    stage, errors = Resolver().resolve_one(DevelopmentStage, "Kehitteillä; Valmis")
    assert stage is None
    assert english(errors) == [
        "Give only one development stage here; the cell has 2: Kehitteillä; Valmis."
    ]


def test_an_empty_single_value_cell_is_nothing(lookups):
    assert Resolver().resolve_one(DevelopmentStage, " ") == (None, [])


def test_resolve_many_keeps_order_drops_repeats_and_reports_each_unknown(lookups):
    funders, errors = Resolver().resolve_many(
        Funder, "STM\nSosiaali- ja terveysministeriö; Tuntematon rahasto; STN"
    )
    assert funders == [lookups["stm"]]
    messages = english(errors)
    assert len(messages) == 2
    assert messages[0].startswith("Unknown funder “Tuntematon rahasto”.")
    assert messages[1] == "Unknown funder “STN”. Did you mean “STM”?"


def test_resolving_other_models_is_refused(db):
    from practices.models import Collection

    with pytest.raises(ValueError, match="Collection"):
        Resolver().resolve_one(Collection, "Jokin")


# --- places -------------------------------------------------------------------------------------


@pytest.fixture
def places(db):
    uusimaa = make_region(code="01", name_fi="Uusimaa", name_sv="Nyland", slug="uusimaa")
    county = make_county(
        code="02",
        name_fi="Keski-Uudenmaan hyvinvointialue",
        name_sv="Mellersta Nylands välfärdsområde",
        slug="keski-uudenmaan-hyvinvointialue",
        region=uusimaa,
    )
    return {
        "uusimaa": uusimaa,
        "county": county,
        "helsinki": make_municipality(
            code="091", name_fi="Helsinki", name_sv="Helsingfors", slug="helsinki", region=uusimaa
        ),
        "lohja": make_municipality(
            code="444", name_fi="Lohja", name_sv="Lojo", slug="lohja", region=uusimaa
        ),
        "jarvenpaa": make_municipality(
            code="186", name_fi="Järvenpää", name_sv="Träskända", slug="jarvenpaa", region=uusimaa
        ),
    }


@pytest.mark.parametrize(
    ("model", "cell", "expected"),
    [
        (Municipality, "Lohja", "lohja"),
        (Municipality, " LOJO ", "lohja"),
        (Municipality, "444", "lohja"),
        (Municipality, "helsingfors", "helsinki"),
        (Municipality, "091", "helsinki"),
        (Municipality, "91", "helsinki"),  # the leading zero lost by a number column
        (Municipality, 91.0, "helsinki"),
        (Municipality, "träskända", "jarvenpaa"),
        (Region, "Nyland", "uusimaa"),
        (Region, "01", "uusimaa"),
        (Region, "1", "uusimaa"),
        (WellbeingServicesCounty, "keski-uudenmaan hyvinvointialue", "county"),
        (WellbeingServicesCounty, "Mellersta Nylands välfärdsområde", "county"),
        (WellbeingServicesCounty, "02", "county"),
    ],
)
def test_places_match_by_finnish_or_swedish_name_or_code(places, model, cell, expected):
    assert Resolver().resolve_one(model, cell) == (places[expected], [])


@pytest.mark.parametrize("cell", ["Jarvenpaa", "Järvenpä", "jarvenpää"])
def test_a_misspelt_municipality_suggests_the_right_one(places, cell):
    municipality, errors = Resolver().resolve_one(Municipality, cell)
    assert municipality is None
    assert english(errors) == [f"Unknown municipality “{cell}”. Did you mean “Järvenpää”?"]


def test_an_unknown_code_says_so(places):
    _, errors = Resolver().resolve_one(Municipality, "999")
    assert english(errors) == [
        "No municipality has the code “999”. Check the code, or write the name instead."
    ]


def test_many_places_in_one_cell_written_in_different_ways(places):
    municipalities, errors = Resolver().resolve_many(Municipality, "Lohja; 444; Helsingfors\n186")
    assert errors == []
    assert municipalities == [places["lohja"], places["helsinki"], places["jarvenpaa"]]


# --- speed ----------------------------------------------------------------------------------------


def test_resolving_a_thousand_cells_costs_one_query_per_model(
    lookups, places, django_assert_num_queries
):
    cells = [
        (DevelopmentStage, "Kehitteillä"),
        (Theme, "Lapsiperheet; Barnfamiljer"),
        (TargetGroup, "Nuoret"),
        (Funder, "STM"),
        (Municipality, "Lohja; 091"),
        (Region, "Uusimaa"),
        (WellbeingServicesCounty, "02"),
        (Municipality, "Jarvenpaa"),
    ]
    resolver = Resolver()
    resolved = 0
    with django_assert_num_queries(7):
        for n in range(1000):
            model, cell = cells[n % len(cells)]
            objects, _ = resolver.resolve_many(model, cell)
            resolved += len(objects)
    assert resolved == 125 * (1 + 1 + 1 + 1 + 2 + 1 + 1 + 0)
    # Later cells are answered from memory.
    with django_assert_num_queries(0):
        assert resolver.resolve_one(Municipality, "Lojo") == (places["lohja"], [])


# --- export safety ----------------------------------------------------------------------------

FORMULA_PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "-5",
    " =1+1",
    "＝1+1",
]


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_safe_cell_neutralises_formula_payloads_without_losing_text(payload):
    escaped = safe_cell(payload)
    assert escaped == "'" + payload
    assert unescape_cell(escaped) == payload


@pytest.mark.parametrize("text", ["Lohja", "Toimintamalli 5", "", "5", "a=b", "x-1", "e@mail.fi"])
def test_safe_cell_leaves_ordinary_text_alone(text):
    assert safe_cell(text) == text
    assert unescape_cell(text) == text


def test_text_starting_with_an_apostrophe_survives_the_round_trip():
    assert safe_cell("'quoted'") == "''quoted'"
    assert unescape_cell(safe_cell("'quoted'")) == "'quoted'"
    assert unescape_cell(safe_cell("'=1")) == "'=1"


@pytest.mark.parametrize("value", [None, 5, -5, 2021.0])
def test_safe_cell_leaves_numbers_and_empty_cells_alone(value):
    assert safe_cell(value) == value
    assert unescape_cell(value) == value


cell_texts = st.text(
    alphabet=st.one_of(st.sampled_from(["'", " ", *FORMULA_TRIGGERS]), st.characters()),
    max_size=30,
)


@given(cell_texts)
def test_export_then_import_gives_back_the_same_text(text):
    assert unescape_cell(safe_cell(text)) == text


@given(cell_texts)
def test_an_exported_cell_never_starts_a_formula(text):
    escaped = safe_cell(text)
    assert not escaped.startswith(FORMULA_TRIGGERS)
    assert not escaped.lstrip().startswith(FORMULA_TRIGGERS)


# --- Spellings of hand-kept sheets --------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "text", "expected"),
    [
        (Municipality, "Lohjan kaupunki", ["Lohja"]),
        (Municipality, "Helsingin kaupunki; Esbo stad", ["Helsinki", "Espoo"]),
        (Municipality, "Seinäjoen kaupunki", ["Seinäjoki"]),
        (Municipality, "Helsingfors, Esbo", ["Helsinki", "Espoo"]),
        (WellbeingServicesCounty, "Länsi-Uusimaa", ["Länsi-Uudenmaan hyvinvointialue"]),
        (
            WellbeingServicesCounty,
            "Pohjanmaa, Keski-Suomi",
            ["Pohjanmaan hyvinvointialue", "Keski-Suomen hyvinvointialue"],
        ),
        (Region, "Uudenmaan liitto", ["Uusimaa"]),
    ],
)
def test_places_named_as_people_write_them(reference_data, model, text, expected):
    objects, errors = Resolver().resolve_many(model, text)

    assert errors == []
    assert [obj.name_fi for obj in objects] == expected


def test_a_comma_inside_an_unknown_name_is_still_an_error(reference_data):
    objects, errors = Resolver().resolve_many(Municipality, "Lohja, Kuvitteellinen")

    assert objects == []
    assert len(errors) == 1


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2020–2022", 2020),
        ("2020-2022", 2020),
        ("2019–", 2019),
        ("1.9.2020", 2020),
        ("vuodesta 2019", 2019),
        ("vuonna 2021", 2021),
    ],
)
def test_the_start_year_of_a_period_or_date(text, year):
    assert parse_start_year(text) == (year, [])


@pytest.mark.parametrize("text", ["syksyllä", "vuosina 2019 ja 2020", "vuonna 1850"])
def test_a_cell_without_one_start_year_is_still_an_error(text):
    year, errors = parse_start_year(text)

    assert year is None
    assert errors


@pytest.fixture
def reference_data(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_reference_data", stdout=StringIO())


def test_a_contact_written_as_a_list():
    entries, errors = parse_contacts(
        "Taru Rahkama, asiakkuuspäällikkö, taru.rahkama@lohja.fi; Matti Meikäläinen, m@x.fi"
    )

    assert errors == []
    assert entries == [
        ContactEntry("Taru Rahkama", "asiakkuuspäällikkö", "taru.rahkama@lohja.fi"),
        ContactEntry("Matti Meikäläinen", "", "m@x.fi"),
    ]


def test_a_phone_number_in_a_contact_is_reported_not_dropped():
    entries, errors = parse_contacts("Taru Rahkama, taru.rahkama@lohja.fi, puh. 044 123 4567")

    assert entries == []
    assert "phone numbers are not imported" in english(errors)[0]
    assert "puh. 044 123 4567" in english(errors)[0]


def test_a_comma_in_a_name_without_an_address_stays_in_the_name():
    entries, errors = parse_contacts("Rahkama, Taru")

    assert (entries, errors) == ([ContactEntry("Rahkama, Taru")], [])
