"""The admin for organisations and areas. Areas are reference data: staff may browse them,
only superusers change them."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from tests.factories import make_county, make_municipality, make_organisation, make_region
from tests.personas import PASSWORD


def result_names(response):
    return [str(obj) for obj in response.context["cl"].result_list]


def test_change_lists_open_for_editors(editor_client):
    region = make_region(name_fi="Pohjois-Savo")
    county = make_county(name_fi="Pohjois-Savon hyvinvointialue", region=region)
    make_municipality(name_fi="Kuopio", region=region, wellbeing_county=county)
    make_organisation(name_fi="Kuopion kaupunki")

    pages = {
        "organisation": "Kuopion kaupunki",
        "region": "Pohjois-Savo",
        "wellbeingservicescounty": "Pohjois-Savon hyvinvointialue",
        "municipality": "Kuopio",
    }
    for model_name, shown in pages.items():
        response = editor_client.get(reverse(f"admin:organisations_{model_name}_changelist"))
        assert response.status_code == 200, model_name
        assert shown in response.text, model_name


def test_municipality_search_by_finnish_or_swedish_name_or_code(coordinator_client):
    make_municipality(name_fi="Porvoo", name_sv="Borgå", code="638")
    make_municipality(name_fi="Kuopio", name_sv="Kuopio", code="297")
    url = reverse("admin:organisations_municipality_changelist")

    for term in ("porvoo", "borgå", "638"):
        response = coordinator_client.get(url, {"q": term})
        assert result_names(response) == ["Porvoo"], term


def test_municipality_list_filters_by_region_and_county(admin_client):
    region = make_region(name_fi="Lappi")
    county = make_county(name_fi="Lapin hyvinvointialue", region=region)
    make_municipality(name_fi="Rovaniemi", region=region, wellbeing_county=county)
    make_municipality(name_fi="Turku")
    url = reverse("admin:organisations_municipality_changelist")

    assert result_names(admin_client.get(url, {"region__id__exact": region.pk})) == ["Rovaniemi"]
    response = admin_client.get(url, {"wellbeing_county__id__exact": county.pk})
    assert result_names(response) == ["Rovaniemi"]


def test_organisation_search_by_name_or_business_id(coordinator_client):
    make_organisation(name_fi="Tampereen kaupunki", business_id="0211675-2")
    make_organisation(name_fi="Espoon kaupunki")
    url = reverse("admin:organisations_organisation_changelist")

    assert result_names(coordinator_client.get(url, {"q": "tampere"})) == ["Tampereen kaupunki"]
    assert result_names(coordinator_client.get(url, {"q": "0211675"})) == ["Tampereen kaupunki"]


def test_organisation_list_filters_by_type(admin_client):
    make_organisation(name_fi="MLL Oulu ry", type=Organisation.Type.NGO)
    make_organisation(name_fi="Oulun kaupunki", type=Organisation.Type.MUNICIPALITY)

    response = admin_client.get(
        reverse("admin:organisations_organisation_changelist"), {"type__exact": "ngo"}
    )

    assert result_names(response) == ["MLL Oulu ry"]


def test_organisation_change_list_query_count_does_not_grow(admin_client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("admin:organisations_organisation_changelist"))
        return len(queries), len(response.context["cl"].result_list)

    for _n in range(3):
        make_organisation(municipality=make_municipality())
    few = count_queries()
    for _n in range(27):
        make_organisation(municipality=make_municipality())
    many = count_queries()

    assert (few[1], many[1]) == (3, 30)
    assert many[0] == few[0]


def test_coordinator_sees_municipality_but_cannot_change_it(coordinator_client):
    municipality = make_municipality(name_fi="Kajaani")
    url = reverse("admin:organisations_municipality_change", args=[municipality.pk])

    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert "Kajaani" in response.text
    assert 'name="_save"' not in response.text

    response = coordinator_client.post(
        url,
        {
            "name_fi": "Muutettu",
            "code": municipality.code,
            "slug": municipality.slug,
            "region": municipality.region_id,
        },
    )
    assert response.status_code == 403
    municipality.refresh_from_db()
    assert municipality.name_fi == "Kajaani"
    assert (
        coordinator_client.get(reverse("admin:organisations_municipality_add")).status_code == 403
    )


def test_superuser_changes_municipality(admin_client):
    municipality = make_municipality(name_fi="Kajaani")
    url = reverse("admin:organisations_municipality_change", args=[municipality.pk])

    response = admin_client.post(
        url,
        {
            "name_fi": "Kajaani",
            "name_sv": "Kajana",
            "code": municipality.code,
            "slug": municipality.slug,
            "region": municipality.region_id,
            "population": "36000",
        },
    )

    assert response.status_code == 302
    municipality.refresh_from_db()
    assert municipality.name_sv == "Kajana"
    assert municipality.population == 36000


def test_organisation_municipality_autocomplete(coordinator_client):
    wanted = make_municipality(name_fi="Hämeenlinna", name_sv="Tavastehus")
    make_municipality(name_fi="Lahti", name_sv="Lahtis")
    params = {
        "app_label": "organisations",
        "model_name": "organisation",
        "field_name": "municipality",
    }

    for term in ("hämeen", "tavaste"):
        response = coordinator_client.get(reverse("admin:autocomplete"), {**params, "term": term})
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [str(wanted.pk)], term


def test_autocomplete_needs_view_permission(client, db):
    user = get_user_model().objects.create_user("ulkopuolinen", password=PASSWORD, is_staff=True)
    client.force_login(user)
    make_organisation(name_fi="Vantaan kaupunki")

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "practices",
            "model_name": "practiceorganisation",
            "field_name": "organisation",
            "term": "vantaa",
        },
    )

    assert response.status_code == 403
