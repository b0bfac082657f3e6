"""load_reference_data: the starting lookup lists (stages, themes, target groups, funders)."""

import io
import json

import pytest
from django.core.management import CommandError
from django.core.management import call_command as django_call_command
from django.utils import translation

from organisations.models import Municipality, Region
from organisations.reference import LOOKUPS_FIXTURE
from practices.models import DevelopmentStage, Funder, TargetGroup, Theme

pytestmark = pytest.mark.django_db

THEME_SLUGS = {
    "hyvinvoinnin-edistaminen",
    "lapsiperheet",
    "lasten-ja-nuorten-hyvinvointi",
    "mielenterveys",
    "paihteet-ja-riippuvuudet",
    "ikaantyneet",
    "osallisuus",
    "jarjestoyhteistyo",
    "tyohyvinvointi",
    "viestinta",
    "johtaminen",
    "palveluohjaus",
    "ehkaiseva-tyo",
    "liikunta-ja-terveys",
    "opetus-ja-kasvatus",
    "yhdenvertaisuus",
    "digitaaliset-palvelut",
}
TARGET_GROUP_SLUGS = {
    "lapset",
    "nuoret",
    "lapsiperheet",
    "vanhemmat",
    "ikaantyneet",
    "tyoikaiset",
    "ammattilaiset",
    "johto-ja-esihenkilot",
    "jarjestot",
    "kuntalaiset",
    "maahan-muuttaneet",
    "vammaiset-henkilot",
}


def call_command(*args, **kwargs):
    """Run a command with its messages in English, the language of the msgids."""
    with translation.override("en"):
        return django_call_command(*args, **kwargs)


def load(*args):
    out = io.StringIO()
    call_command("load_reference_data", "--lookups-only", *args, stdout=out)
    return out.getvalue()


def lookup_counts():
    return tuple(m.objects.count() for m in (DevelopmentStage, Theme, TargetGroup, Funder))


def test_stages_are_listed_in_the_order_a_practice_goes_through_them():
    load()

    assert list(DevelopmentStage.objects.values_list("slug", "name_fi")) == [
        ("idea", "Idea"),
        ("kehitteilla", "Kehitteillä"),
        ("kokeilussa", "Kokeilussa"),
        ("valmis", "Valmis"),
        ("vakiintunut", "Vakiintunut käytäntö"),
        ("paattynyt", "Päättynyt"),
    ]
    with translation.override("sv"):
        assert [s.name for s in DevelopmentStage.objects.all()][1:3] == [
            "Under utveckling",
            "Pilotering",
        ]
    with translation.override("en"):
        assert DevelopmentStage.objects.get(slug="vakiintunut").name == "Established practice"


def test_themes_and_target_groups_have_the_slugs_demo_data_refers_to():
    load()

    assert set(Theme.objects.values_list("slug", flat=True)) == THEME_SLUGS
    assert set(TargetGroup.objects.values_list("slug", flat=True)) == TARGET_GROUP_SLUGS


def test_every_item_is_named_in_finnish_swedish_and_english():
    load()

    for model in (DevelopmentStage, Theme, TargetGroup, Funder):
        for item in model.objects.all():
            assert item.name_fi and item.name_sv and item.name_en, (model.__name__, item.slug)
    with translation.override("sv"):
        assert Theme.objects.get(slug="mielenterveys").name == "Psykisk hälsa"
        assert TargetGroup.objects.get(slug="vammaiset-henkilot").name == (
            "Personer med funktionsnedsättning"
        )


def test_funders_show_their_abbreviation():
    load()

    stm = Funder.objects.get(slug="stm")
    assert str(stm) == "Sosiaali- ja terveysministeriö (STM)"
    assert stm.website == "https://stm.fi"
    with translation.override("en"):
        assert str(Funder.objects.get(slug="eu-rrp")) == "EU Recovery and Resilience Facility (RRP)"
    assert Funder.objects.get(slug="veikkaus-stea").abbreviation == "STEA"
    assert Funder.objects.get(slug="kunta").name_fi.startswith("Kunnan oma rahoitus")
    assert Funder.objects.filter(slug__in=["hyvinvointialue", "okm", "tem", "eu-esr"]).count() == 4


def test_lookups_only_leaves_areas_alone():
    load()

    assert not Region.objects.exists()
    assert not Municipality.objects.exists()


def test_second_run_creates_nothing():
    load()
    before = lookup_counts()

    output = load()

    assert lookup_counts() == before
    assert "Themes: 0 created, 17 already present and left as they are." in output
    assert "No changes" in output


def test_reload_keeps_a_theme_name_an_editor_changed():
    load()
    theme = Theme.objects.get(slug="mielenterveys")
    theme.name_fi = "Mielen hyvinvointi"
    theme.order = 1
    theme.save()

    load()

    theme.refresh_from_db()
    assert theme.name_fi == "Mielen hyvinvointi"
    assert theme.order == 1


def test_reload_recreates_a_deleted_item_and_keeps_editor_additions():
    load()
    Theme.objects.filter(slug="viestinta").delete()
    Theme.objects.create(slug="kulttuuri", name_fi="Kulttuuri")

    output = load()

    assert Theme.objects.get(slug="viestinta").name_fi == "Viestintä"
    assert Theme.objects.filter(slug="kulttuuri").exists()
    assert "Themes: 1 created, 16 already present and left as they are." in output


def test_missing_lookups_fixture_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        load("--lookups-file", str(tmp_path / "missing.json"))

    assert lookup_counts() == (0, 0, 0, 0)


def test_broken_lookups_fixture_stops_the_areas_from_loading_too(tmp_path):
    data = json.loads(LOOKUPS_FIXTURE.read_text(encoding="utf-8"))
    data["themes"][3]["name"] = {"sv": "Psykisk hälsa"}  # the required Finnish name is missing
    path = tmp_path / "lookups.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError, match=r"themes\[3\] \(slug 'mielenterveys'\): name_fi"):
        call_command("load_reference_data", "--lookups-file", str(path), stdout=io.StringIO())

    assert lookup_counts() == (0, 0, 0, 0)
    assert not Region.objects.exists()


def test_areas_only_and_lookups_only_cannot_be_combined():
    with pytest.raises(CommandError):
        call_command("load_reference_data", "--areas-only", "--lookups-only")
