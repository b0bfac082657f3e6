import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command as django_call_command
from django.core.management import get_commands
from django.core.management.base import CommandError
from django.utils import translation

from contacts.models import Contact
from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty
from practices.demo import DEMO_DATA_FILE
from practices.models import (
    Attachment,
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
    TargetGroup,
    Theme,
)
from tests.factories import make_county, make_lookup, make_municipality, make_region

REFERENCE_FILES = [
    Path(settings.BASE_DIR) / "fixtures" / "reference" / name
    for name in ("areas.json", "lookups.json")
]

# The areas the demo data and the generator tests need, for a database without the
# reference fixtures: municipality code → (name, region code, county slug).
MINIMAL_AREAS = {
    "092": ("Vantaa", "01", "vantaan-ja-keravan-hyvinvointialue"),
    "098": ("Hollola", "07", "paijat-hameen-hyvinvointialue"),
    "186": ("Järvenpää", "01", "keski-uudenmaan-hyvinvointialue"),
    "245": ("Kerava", "01", "vantaan-ja-keravan-hyvinvointialue"),
    "398": ("Lahti", "07", "paijat-hameen-hyvinvointialue"),
    "444": ("Lohja", "01", "lansi-uudenmaan-hyvinvointialue"),
    "684": ("Rauma", "04", "satakunnan-hyvinvointialue"),
}

EXPECTED_PRACTICES = {
    "Työntekijälähettiläskonsepti",
    "Seudulliset vanhempainillat",
    "Lasten, nuorten ja perheiden alueellinen hyvinvointityö",
    "Järjestöinfot ammattilaisille Vantaan ja Keravan hyvinvointialueella",
    "Puheeksiottava kunta - hyvinvoivat perheet",
    "Hyvinvointisuunnitelman ja strategian vuoropuhelu",
}


def call_command(*args, **kwargs):
    """Run a command with its messages in English, the language of the msgids."""
    with translation.override("en"):
        return django_call_command(*args, **kwargs)


def _make_minimal_reference_data():
    """The rows the demo file refers to, made with the factories."""
    data = json.loads(DEMO_DATA_FILE.read_text(encoding="utf-8"))
    regions = {code: make_region(code=code, slug=f"maakunta-{code}") for code in ("01", "04", "07")}
    counties = {}
    for code, (name, region, county) in MINIMAL_AREAS.items():
        if county not in counties:
            counties[county] = make_county(slug=county, region=regions[region])
        make_municipality(
            code=code,
            name_fi=name,
            slug=name.lower(),
            region=regions[region],
            wellbeing_county=counties[county],
            population=20000,
        )
    practices = data["practices"]
    for model, key in (
        (DevelopmentStage, "stage"),
        (Theme, "themes"),
        (TargetGroup, "target_groups"),
        (Funder, "funders"),
    ):
        slugs = set()
        for practice in practices:
            value = practice.get(key, [])
            slugs.update([value] if isinstance(value, str) else value)
        for slug in sorted(slugs):
            make_lookup(model, slug=slug)


@pytest.fixture
def reference_data(db):
    if all(path.exists() for path in REFERENCE_FILES) and "load_reference_data" in get_commands():
        call_command("load_reference_data", stdout=StringIO())
    else:
        _make_minimal_reference_data()


def load(**options):
    out = StringIO()
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def written_rows():
    """Row counts of everything the loader writes."""
    models = [
        Organisation,
        Collection,
        Contact,
        Practice,
        PracticeOrganisation,
        PracticeContact,
        Recognition,
        PracticeLink,
        Attachment,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    for name in (
        "themes",
        "target_groups",
        "funders",
        "municipalities",
        "regions",
        "wellbeing_counties",
    ):
        through = getattr(Practice, name).through
        counts[name] = through.objects.count()
    return counts


def practice(slug):
    return Practice.objects.for_detail().get(slug=slug)


def test_loads_the_six_practices_published(reference_data):
    output = load()

    assert set(Practice.objects.published().values_list("name_fi", flat=True)) == (
        EXPECTED_PRACTICES
    )
    assert "Demo data: 6 practices, 10 organisations, 5 contacts, 2 collections" in output
    assert "23 created, 0 updated, 0 unchanged" in output
    assert not Practice.objects.filter(published_at__isnull=True).exists()


def test_lohja_card_is_split_into_its_sections(reference_data):
    load()
    card = practice("lasten-nuorten-ja-perheiden-alueellinen-hyvinvointityo")

    assert card.need_and_goals.startswith("Alueellista hyvinvointityötä lähdettiin kehittämään")
    assert "Tuotekehittämisen erikoisammattitutkinto" in card.solution
    assert card.solution.endswith("Kustannukset ovat hyvin minimaaliset.")
    assert card.results.startswith("Avoimuus kuntalaisten suuntaan")
    assert card.results.endswith("Työtä riittää!")
    assert "Tuotekehittämisen" not in card.results
    assert card.stage.slug == "valmis"
    assert card.start_year == 2016
    assert card.source_created == datetime.date(2020, 12, 10)
    assert [m.code for m in card.municipalities.all()] == ["444"]
    assert [r.code for r in card.regions.all()] == ["01"]


def test_lohja_card_has_its_contact_attachment_and_partners(reference_data):
    load()
    card = practice("lasten-nuorten-ja-perheiden-alueellinen-hyvinvointityo")

    (role,) = card.public_contact_roles
    assert role.contact.name == "Taru Rahkama"
    assert role.contact.email == "taru.rahkama@lohja.fi"
    assert role.contact.title == "Asiakkuuspäällikkö"
    assert role.contact.organisation.name == "Lohjan kaupunki"
    (attachment,) = card.attachments.all()
    assert attachment.original_filename == "Aluejohtamisen aloitus 2016 .pdf"
    assert not attachment.file
    roles = [(r.organisation.name, r.role, r.unit) for r in card.organisation_roles.all()]
    assert roles == [
        ("Lohjan kaupunki", "owner", "Lasten, nuorten ja heidän perheidensä palvelualue"),
        ("Luksia", "partner", ""),
        ("Lohjan kansalaistoiminnan keskus", "partner", ""),
    ]


def test_vake_card_keeps_its_funding_bullets_and_contact(reference_data):
    load()
    card = practice("jarjestoinfot-ammattilaisille-vantaan-ja-keravan-hyvinvointialueella")

    assert card.funding_programme == "RRP, P4, I1"
    assert "RRP" not in card.name
    assert [f.slug for f in card.funders.all()] == ["eu-rrp"]
    assert card.need_and_goals.startswith("Järjestötoimijat ovat yksi osa")
    assert card.target_change.startswith("Järjestöinfojen avulla tavoitellaan")
    assert "- lisätä ja helpottaa yhteistyötä järjestöjen kanssa\n" in card.solution
    assert card.adoption_conditions.startswith("Virtuaalisesti toteutettavat infot")
    assert "sanna.kostamo@vakehyva.fi" in card.tips_for_adopters
    assert "\u00a0" not in card.solution
    assert [c.contact.email for c in card.public_contact_roles] == ["sanna.kostamo@vakehyva.fi"]
    assert sorted(m.code for m in card.municipalities.all()) == ["092", "245"]


def test_jarvenpaa_card_keeps_its_source_details(reference_data):
    load()
    card = practice("puheeksiottava-kunta-hyvinvoivat-perheet")

    assert card.stage.slug == "kehitteilla"
    assert [f.slug for f in card.funders.all()] == ["stm"]
    assert card.source_author == "Leena Korhonen"
    assert card.source_created == datetime.date(2023, 9, 28)
    assert card.source_modified == datetime.date(2023, 10, 10)
    assert card.location_note == "Järvenpään kaupunki"
    assert [c.slug for c in card.wellbeing_counties.all()] == ["keski-uudenmaan-hyvinvointialue"]
    assert "\n\n- Henkilöstölle teetätettiin syksyllä 2023 alkukartoituskysely" in (
        card.target_group_description
    )
    assert not card.cover_image
    assert card.cover_image_caption == ""


def test_competition_practices_have_recognitions_and_contacts(reference_data):
    load()
    competition = Collection.objects.get(slug="tarkeissa-toissa")

    assert competition.kind == Collection.Kind.COMPETITION
    assert competition.coordinator.name == "Kunta- ja hyvinvointialuetyönantajat KT"
    assert set(competition.practices.values_list("slug", flat=True)) == {
        "tyontekijalahettilaskonsepti",
        "seudulliset-vanhempainillat",
    }
    for card in competition.practices.all():
        (recognition,) = card.recognitions.all()
        assert recognition.year == 2025
        assert recognition.award == "Tärkeissä töissä -kilpailun palkinto"

    ambassadors = practice("tyontekijalahettilaskonsepti")
    assert [(r.contact.name, r.contact.phone) for r in ambassadors.public_contact_roles] == [
        ("Katja Patronen", "044 482 8282")
    ]
    evenings = practice("seudulliset-vanhempainillat")
    assert [(r.contact.name, r.contact.phone) for r in evenings.public_contact_roles] == [
        ("Heli Pätiälä", "044 482 6888"),
        ("Johanna Toivonen", "044 018 7175"),
    ]
    heli = evenings.public_contact_roles[0].contact
    assert (heli.organisation.name, heli.unit) == (
        "Lahden kaupunki",
        "Sivistyspalvelujen seudullinen kehittäminen",
    )
    assert [(r.organisation.name, r.role) for r in evenings.organisation_roles.all()] == [
        ("Lahden kaupunki", "developer"),
        ("Päijät-Hämeen hyvinvointialue", "developer"),
    ]


def test_network_project_is_a_collection_with_the_seminar_practice(reference_data):
    load()
    network = Collection.objects.get(slug="kunta-hyvinvoinnin-edistajana-verkostoprojekti")

    assert network.kind == Collection.Kind.NETWORK
    (card,) = network.practices.all()
    assert card.name == "Hyvinvointisuunnitelman ja strategian vuoropuhelu"
    assert card.solution.startswith("Raumalla hyvinvoinnin edistäminen")
    assert "\n\nHollolassa hyvinvointijohtamista" in card.solution
    assert sorted(m.name for m in card.municipalities.all()) == ["Hollola", "Rauma"]
    assert sorted(r.organisation.name for r in card.organisation_roles.all()) == [
        "Hollolan kunta",
        "Rauman kaupunki",
    ]
    assert card.source_created is None


def test_loading_again_changes_nothing(reference_data):
    load()
    before = written_rows()
    modified = dict(Practice.objects.values_list("slug", "modified_at"))

    output = load()

    assert written_rows() == before
    assert "0 created, 0 updated, 23 unchanged" in output
    assert dict(Practice.objects.values_list("slug", "modified_at")) == modified


def test_loading_again_puts_edited_cards_back(reference_data):
    load()
    before = written_rows()
    card = Practice.objects.get(slug="seudulliset-vanhempainillat")
    card.summary_fi = "Muokattu."
    card.save()
    card.themes.add(Theme.objects.exclude(practices=card).first())
    card.contact_roles.first().delete()
    card.recognitions.all().update(year=2024)

    output = load()

    card.refresh_from_db()
    assert card.summary.startswith("Seudullisia vanhempainiltoja suunnittelee")
    assert written_rows() == before
    assert card.recognitions.get().year == 2025
    assert "0 created, 1 updated, 22 unchanged" in output


@pytest.mark.parametrize(
    "broken, message",
    [
        ("{", "is not valid JSON"),
        ('{"practices": []}', 'has no list "practices"'),
        ('{"practices": [{"slug": "x", "name_fi": "X", "source": "s"}]}', "summary_fi is required"),
        (
            '{"practices": [{"slug": "x", "name_fi": "X", "summary": "S", "source": "s"}]}',
            "unknown field(s) summary",
        ),
    ],
)
def test_malformed_file_is_refused(reference_data, tmp_path, broken, message):
    path = tmp_path / "demo.json"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(CommandError, match="Nothing was written") as error:
        load(file=path)

    assert message in str(error.value)
    assert not Practice.objects.exists()


def test_error_late_in_the_file_leaves_nothing_written(reference_data, tmp_path):
    # The last practice has a bad e-mail address on a contact: by then organisations,
    # collections and other contacts have been saved, and must be rolled back.
    data = json.loads(DEMO_DATA_FILE.read_text(encoding="utf-8"))
    data["contacts"][-1]["email"] = "not an address"
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match="email"):
        load(file=path)

    assert not Organisation.objects.exists()
    assert not Collection.objects.exists()
    assert not Contact.objects.exists()
    assert not Practice.objects.exists()


def test_without_reference_data_names_what_is_missing(db):
    with pytest.raises(CommandError) as error:
        load()

    message = str(error.value)
    assert "load_reference_data" in message
    assert "valmis" in message
    assert "444" in message
    assert not Organisation.objects.exists()
    assert not Practice.objects.exists()


def test_refers_to_reference_data_by_natural_key(reference_data):
    load()

    assert Municipality.objects.get(code="444").practices.get().slug == (
        "lasten-nuorten-ja-perheiden-alueellinen-hyvinvointityo"
    )
    assert Region.objects.get(code="07").practices.count() == 3
    assert (
        WellbeingServicesCounty.objects.get(slug="paijat-hameen-hyvinvointialue").practices.count()
        == 3
    )
