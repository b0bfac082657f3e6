from io import StringIO

import pytest
from django.core.management import call_command as django_call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import translation

from organisations.models import Municipality, Organisation
from practices.management.commands.generate_practices import municipal_organisation_name
from practices.models import Practice, PracticeOrganisation
from tests.practices.test_demo_data import reference_data  # noqa: F401 - a fixture


def call_command(*args, **kwargs):
    """Run a command with its messages in English, the language of the msgids."""
    with translation.override("en"):
        return django_call_command(*args, **kwargs)


def generate(count, **options):
    out = StringIO()
    call_command("generate_practices", count, stdout=out, **options)
    return out.getvalue()


@pytest.mark.usefixtures("reference_data")
def test_creates_exactly_n_published_practices_with_themes_places_and_owners():
    output = generate(50, seed=1)

    practices = Practice.objects.all()
    assert practices.count() == 50
    assert Practice.objects.published().count() == 50
    assert "Created 50 practices" in output
    for practice in practices.prefetch_related(
        "themes", "target_groups", "municipalities", "wellbeing_counties", "organisation_roles"
    ):
        assert practice.published_at is not None
        assert practice.published_at >= practice.created_at
        assert practice.themes.all()
        assert practice.target_groups.all()
        assert practice.municipalities.all() or practice.wellbeing_counties.all()
        assert practice.stage_id is not None
        assert practice.organisation_roles.all()
        assert practice.summary and practice.solution and practice.results
        assert practice.location_note


@pytest.mark.usefixtures("reference_data")
def test_places_and_owners_fit_together():
    generate(50, seed=2)

    for practice in Practice.objects.prefetch_related(
        "municipalities", "regions", "wellbeing_counties"
    ):
        regions = {region.pk for region in practice.regions.all()}
        counties = {county.pk for county in practice.wellbeing_counties.all()}
        for municipality in practice.municipalities.all():
            assert municipality.region_id in regions
            # Åland's municipalities belong to no county.
            assert municipality.wellbeing_county_id in counties | {None}
        owner = practice.organisation_roles.select_related("organisation").first().organisation
        assert owner.municipality_id in {m.pk for m in practice.municipalities.all()} or (
            owner.wellbeing_county_id in counties
        )


@pytest.mark.usefixtures("reference_data")
def test_the_same_seed_gives_the_same_practices_with_new_slugs():
    generate(30, seed=7)
    first = list(Practice.objects.order_by("pk").values_list("name_fi", "summary_fi", "slug"))

    generate(30, seed=7)

    second = list(Practice.objects.order_by("pk").values_list("name_fi", "summary_fi", "slug"))[30:]
    assert [row[:2] for row in second] == [row[:2] for row in first]
    slugs = list(Practice.objects.values_list("slug", flat=True))
    assert len(slugs) == 60
    assert len(set(slugs)) == 60


@pytest.mark.usefixtures("reference_data")
def test_different_seeds_give_different_practices():
    generate(20, seed=1)
    generate(20, seed=2)

    names = list(Practice.objects.order_by("pk").values_list("name_fi", flat=True))
    assert names[:20] != names[20:]


@pytest.mark.usefixtures("reference_data")
def test_text_varies_between_practices():
    generate(50, seed=3)

    names = set(Practice.objects.values_list("name_fi", flat=True))
    solutions = set(Practice.objects.values_list("solution_fi", flat=True))
    words = {
        word.strip(".,:-").lower()
        for text in Practice.objects.values_list("need_and_goals_fi", flat=True)
        for word in text.split()
    }
    assert len(names) >= 45
    assert len(solutions) == 50
    assert len(words) > 150


@pytest.mark.usefixtures("reference_data")
def test_municipal_organisations_are_reused_across_runs():
    generate(40, seed=4)
    generate(40, seed=5)

    per_municipality = (
        Organisation.objects.filter(type=Organisation.Type.MUNICIPALITY)
        .values("municipality")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not per_municipality.exists()


@pytest.mark.usefixtures("reference_data")
def test_existing_municipal_organisations_are_used():
    Organisation.objects.bulk_create(
        Organisation(
            name_fi=f"Kunnan {m.code} organisaatio",
            slug=f"kunta-{m.code}",
            type=Organisation.Type.MUNICIPALITY,
            municipality=m,
        )
        for m in Municipality.objects.all()
    )
    existing = set(Organisation.objects.values_list("pk", flat=True))

    generate(30, seed=6)

    used = set(
        PracticeOrganisation.objects.filter(
            organisation__type=Organisation.Type.MUNICIPALITY
        ).values_list("organisation_id", flat=True)
    )
    assert used
    assert used <= existing
    # The card's text names the organisation that developed it.
    for role in PracticeOrganisation.objects.filter(role="owner").select_related(
        "practice", "organisation"
    ):
        assert f"Toimintamallia on kehittänyt {role.organisation.name}." in role.practice.solution


@pytest.mark.usefixtures("reference_data")
def test_status_option_creates_unpublished_practices():
    generate(10, seed=1, status=Practice.Status.DRAFT)

    assert Practice.objects.filter(status=Practice.Status.DRAFT).count() == 10
    assert not Practice.objects.published().exists()
    assert not Practice.objects.filter(published_at__isnull=False).exists()


def test_without_reference_data_it_says_what_to_run(db):
    with pytest.raises(CommandError, match="load_reference_data"):
        generate(5)
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    "municipality, organisation",
    [
        ("Lahti", "Lahden kaupunki"),
        ("Hollola", "Hollolan kunta"),
        ("Järvenpää", "Järvenpään kaupunki"),
        ("Helsinki", "Helsingin kaupunki"),
        ("Seinäjoki", "Seinäjoen kaupunki"),
        ("Kauniainen", "Kauniaisten kaupunki"),
        ("Lappeenranta", "Lappeenrannan kaupunki"),
        ("Tampere", "Tampereen kaupunki"),
        ("Mänttä-Vilppula", "Mänttä-Vilppulan kaupunki"),
        ("Koski Tl", "Kosken Tl kunta"),
        ("Hammarland", "Hammarlandin kunta"),
        ("Pedersören kunta", "Pedersören kunta"),
    ],
)
def test_municipal_organisation_names(municipality, organisation):
    assert municipal_organisation_name(municipality) == organisation
