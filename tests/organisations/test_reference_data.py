"""load_reference_data: the areas fixture (regions, wellbeing services counties, municipalities)."""

import io
import json

import pytest
from django.core.management import CommandError
from django.core.management import call_command as django_call_command
from django.db.models import F
from django.utils import translation

from organisations.models import Municipality, Region, WellbeingServicesCounty
from organisations.reference import AREAS_FIXTURE
from practices.models import Theme

pytestmark = pytest.mark.django_db

Kind = WellbeingServicesCounty.Kind


def call_command(*args, **kwargs):
    """Run a command with its messages in English, the language of the msgids."""
    with translation.override("en"):
        return django_call_command(*args, **kwargs)


def load(*args):
    out = io.StringIO()
    call_command("load_reference_data", "--areas-only", *args, stdout=out)
    return out.getvalue()


def area_counts():
    return (
        Region.objects.count(),
        WellbeingServicesCounty.objects.count(),
        Municipality.objects.count(),
    )


def write_areas(tmp_path, change):
    """Write a copy of the areas fixture, altered by change(data), and return its path."""
    data = json.loads(AREAS_FIXTURE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "areas.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_loads_every_region_county_and_municipality():
    output = load()

    assert Region.objects.count() == 19
    assert WellbeingServicesCounty.objects.filter(kind=Kind.COUNTY).count() == 21
    assert list(WellbeingServicesCounty.objects.filter(kind=Kind.CITY).values_list("slug")) == [
        ("helsingin-kaupunki",)
    ]
    assert list(
        WellbeingServicesCounty.objects.filter(kind=Kind.JOINT_AUTHORITY).values_list("slug")
    ) == [("hus-yhtyma",)]
    assert Municipality.objects.count() == 308
    assert "Municipalities: 308 created, 0 updated, 0 unchanged." in output


def test_municipalities_follow_the_2025_division():
    load()

    # Pertunmaa (588) was joined to Mäntyharju (507) on 1 January 2025.
    assert not Municipality.objects.filter(code="588").exists()
    mantyharju = Municipality.objects.get(code="507")
    assert mantyharju.name_fi == "Mäntyharju"
    assert mantyharju.wellbeing_county.slug == "etela-savon-hyvinvointialue"


def test_areas_only_leaves_lookup_lists_alone():
    load()

    assert not Theme.objects.exists()


def test_aland_municipalities_belong_to_no_county():
    load()

    aland = Municipality.objects.filter(region__code="21")
    assert aland.count() == 16
    assert not aland.exclude(wellbeing_county=None).exists()
    # Åland's are the only municipalities without a county.
    assert Municipality.objects.filter(wellbeing_county=None).count() == 16


def test_every_county_lies_within_its_region():
    load()

    outside = Municipality.objects.exclude(wellbeing_county=None).exclude(
        region=F("wellbeing_county__region")
    )
    assert list(outside) == []
    # Every county and Helsinki organises services for at least one municipality; HUS for none.
    without_municipalities = WellbeingServicesCounty.objects.filter(municipalities=None)
    assert list(without_municipalities.values_list("slug", flat=True)) == ["hus-yhtyma"]


def test_uusimaa_holds_four_counties_and_helsinki():
    load()

    uusimaa = WellbeingServicesCounty.objects.filter(region__code="01")
    assert set(uusimaa.filter(kind=Kind.COUNTY).values_list("slug", flat=True)) == {
        "ita-uudenmaan-hyvinvointialue",
        "keski-uudenmaan-hyvinvointialue",
        "lansi-uudenmaan-hyvinvointialue",
        "vantaan-ja-keravan-hyvinvointialue",
    }
    assert set(uusimaa.exclude(kind=Kind.COUNTY).values_list("slug", flat=True)) == {
        "helsingin-kaupunki",
        "hus-yhtyma",
    }
    helsinki = Municipality.objects.get(code="091")
    assert helsinki.wellbeing_county.slug == "helsingin-kaupunki"


def test_spot_checks():
    load()

    jarvenpaa = Municipality.objects.get(code="186")
    assert jarvenpaa.name == "Järvenpää"
    assert jarvenpaa.wellbeing_county.name == "Keski-Uudenmaan hyvinvointialue"
    assert jarvenpaa.region.name == "Uusimaa"

    lahti = Municipality.objects.get(code="398")
    assert lahti.wellbeing_county.slug == "paijat-hameen-hyvinvointialue"
    assert lahti.wellbeing_county.name == "Päijät-Hämeen hyvinvointialue"
    assert lahti.region.name_sv == "Päijänne-Tavastland"

    vantaa = Municipality.objects.get(code="092")
    vantaa_kerava = WellbeingServicesCounty.objects.get(slug="vantaan-ja-keravan-hyvinvointialue")
    assert vantaa.wellbeing_county == vantaa_kerava
    with translation.override("sv"):
        assert vantaa.name == "Vanda"
        assert vantaa_kerava.name == "Vanda och Kervo välfärdsområde"
        assert str(Region.objects.get(code="21")) == "Åland"
    with translation.override("en"):
        assert vantaa_kerava.name == "Wellbeing services county of Vantaa and Kerava"
        # Municipalities have no English names: the Finnish one is shown.
        assert vantaa.name == "Vantaa"


def test_counties_carry_statistics_finland_codes():
    load()

    codes = dict(WellbeingServicesCounty.objects.values_list("slug", "code"))
    assert codes["ita-uudenmaan-hyvinvointialue"] == "01"
    assert codes["paijat-hameen-hyvinvointialue"] == "09"
    assert codes["lapin-hyvinvointialue"] == "21"
    assert codes["helsingin-kaupunki"] == "90"
    assert codes["hus-yhtyma"] is None
    county_codes = WellbeingServicesCounty.objects.filter(kind=Kind.COUNTY).values_list(
        "code", flat=True
    )
    assert sorted(county_codes) == [f"{n:02d}" for n in range(1, 22)]


def test_second_run_changes_nothing():
    load()
    before = area_counts()

    output = load()

    assert area_counts() == before
    assert "Regions: 0 created, 0 updated, 19 unchanged." in output
    assert "Wellbeing services counties: 0 created, 0 updated, 23 unchanged." in output
    assert "Municipalities: 0 created, 0 updated, 308 unchanged." in output
    assert "No changes" in output


def test_reload_restores_rows_edited_by_hand():
    load()
    other_region = Region.objects.get(code="19")
    Municipality.objects.filter(code="398").update(
        name_fi="Lahtis", population=1, region=other_region, wellbeing_county=None
    )
    WellbeingServicesCounty.objects.filter(slug="vantaan-ja-keravan-hyvinvointialue").update(
        name_sv="Vanda välfärdsområde"
    )

    output = load()

    lahti = Municipality.objects.get(code="398")
    assert lahti.name_fi == "Lahti"
    assert lahti.population == 119984
    assert lahti.region.code == "07"
    assert lahti.wellbeing_county.slug == "paijat-hameen-hyvinvointialue"
    county = WellbeingServicesCounty.objects.get(slug="vantaan-ja-keravan-hyvinvointialue")
    assert county.name_sv == "Vanda och Kervo välfärdsområde"
    assert "Municipalities: 0 created, 1 updated, 307 unchanged." in output
    assert "Wellbeing services counties: 0 created, 1 updated, 22 unchanged." in output
    assert "Reference data loaded." in output


def test_reload_recreates_a_deleted_municipality():
    load()
    Municipality.objects.filter(code="186").delete()

    output = load()

    assert Municipality.objects.filter(code="186", slug="jarvenpaa").exists()
    assert "Municipalities: 1 created, 0 updated, 307 unchanged." in output


def test_missing_fixture_is_an_error_and_writes_nothing(tmp_path):
    missing = tmp_path / "nowhere.json"

    with pytest.raises(CommandError, match="does not exist"):
        load("--areas-file", str(missing))

    assert area_counts() == (0, 0, 0)


def test_fixture_that_is_not_json_is_an_error_and_writes_nothing(tmp_path):
    path = tmp_path / "areas.json"
    path.write_text('{"regions": [', encoding="utf-8")

    with pytest.raises(CommandError, match="not valid JSON"):
        load("--areas-file", str(path))

    assert area_counts() == (0, 0, 0)


def test_fixture_with_a_bad_row_is_an_error_and_writes_nothing(tmp_path):
    def break_last_municipality(data):
        data["municipalities"][-1]["region"] = "99"

    path = write_areas(tmp_path, break_last_municipality)

    with pytest.raises(CommandError, match='region "99" is not among the regions'):
        load("--areas-file", str(path))

    assert area_counts() == (0, 0, 0)


def test_fixture_with_an_invalid_slug_names_the_row(tmp_path):
    def break_slug(data):
        data["municipalities"][0]["slug"] = "not a slug"

    path = write_areas(tmp_path, break_slug)

    with pytest.raises(CommandError, match=r"municipalities\[0\] \(code '005'\): slug"):
        load("--areas-file", str(path))

    assert area_counts() == (0, 0, 0)


def test_database_conflict_rolls_back_everything():
    # A municipality added by hand has taken Helsinki's slug: saving Helsinki fails after the
    # regions and counties have already been saved, and those must be rolled back too.
    testimaa = Region.objects.create(code="99", name_fi="Testimaa", slug="testimaa")
    Municipality.objects.create(code="999", name_fi="Testikunta", slug="helsinki", region=testimaa)

    with pytest.raises(CommandError, match="Nothing was written"):
        load()

    assert list(Region.objects.values_list("code", flat=True)) == ["99"]
    assert not WellbeingServicesCounty.objects.exists()
    assert list(Municipality.objects.values_list("code", flat=True)) == ["999"]


def test_fixture_names_its_source_and_date():
    meta = json.loads(AREAS_FIXTURE.read_text(encoding="utf-8"))["meta"]

    yle = next(s for s in meta["sources"] if s["repository"].endswith("Yleisradio/geodata"))
    assert yle["commit"] == "131fa8628120ceba5a5f0003d3dad241ef25e004"
    assert set(yle["files"]) == {
        "finland/finland-hva-2021.topo.json",
        "finland/finland-regions-2020.topo.json",
    }
    assert meta["data_date"]["population"] == "2020-12-31"
    assert "2021-01-01" in meta["data_date"]["municipalities_and_regions"]
    assert "2023-01-01" in meta["data_date"]["wellbeing_services_counties"]
    assert any("kunta_1_20250101" in caveat for caveat in meta["caveats"])
    assert meta["cross_checks"]
