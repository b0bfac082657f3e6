"""The API's OpenAPI description at /api/schema/, and that the API list takes every filter of
the list page, as documented."""

import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from organisations.models import Organisation
from practices.filters import FALSE_VALUES, TRUE_VALUES, PracticeFilterSet, Sort
from practices.models import Practice, PracticeOrganisation, Recognition
from tests.factories import (
    make_collection,
    make_county,
    make_funder,
    make_municipality,
    make_organisation,
    make_practice,
    make_region,
    make_stage,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/"
LIST_URL = "/api/practices/"
UNPUBLISHED = [Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED]
NON_FILTER_PARAMETERS = {"page", "page_size", "facets", "lang"}


@pytest.fixture
def schema(client):
    response = client.get(SCHEMA_URL, {"format": "json", "lang": "en"})
    assert response.status_code == 200
    return json.loads(response.content)


def list_parameters(schema):
    operation = schema["paths"]["/api/practices/"]["get"]
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def component(schema, name):
    return schema["components"]["schemas"][name]


# The schema itself


def test_generated_schema_is_valid_openapi_without_warnings(tmp_path):
    GENERATOR_STATS.reset()

    # Raises on any warning, and on a schema that does not validate against OpenAPI 3.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    generated = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    assert set(generated["paths"]) == {"/api/practices/", "/api/practices/{slug}/"}


def test_served_as_yaml_by_default_and_as_json_on_request(client):
    as_yaml = client.get(SCHEMA_URL)
    as_json = client.get(SCHEMA_URL, {"format": "json"})

    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["info"]["title"] == "Käytäntöpankki API"
    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content)["openapi"].startswith("3.")


def test_texts_follow_the_chosen_language(client):
    english = json.loads(client.get(SCHEMA_URL, {"format": "json", "lang": "en"}).content)
    by_header = client.get(SCHEMA_URL, {"format": "json"}, headers={"accept-language": "en"})
    unknown = client.get(SCHEMA_URL, {"format": "json", "lang": "xx"})

    assert english["info"]["description"].startswith("The published practice models")
    assert json.loads(by_header.content)["info"] == english["info"]
    assert unknown.status_code == 200
    assert "Accept-Language" in unknown["Vary"]


def test_no_documentation_ui_is_served(client):
    """Only the schema: a UI would load scripts and styles from elsewhere."""
    for path in ("/api/schema/swagger-ui/", "/api/schema/redoc/", "/api/docs/"):
        assert client.get(path).status_code == 404, path


# The list's parameters


def test_every_filter_of_the_list_page_is_documented(schema):
    parameters = list_parameters(schema)

    assert set(parameters) == set(PracticeFilterSet.base_filters) | NON_FILTER_PARAMETERS
    for name, parameter in parameters.items():
        assert parameter["in"] == "query"
        assert parameter.get("description"), name


@pytest.mark.parametrize("name", PracticeFilterSet.MULTI_VALUE)
def test_repeatable_parameters_are_arrays(schema, name):
    parameter = list_parameters(schema)[name]

    assert parameter["schema"]["type"] == "array"
    assert parameter["schema"]["items"]["type"] == "string"
    assert parameter["explode"] is True
    assert parameter["style"] == "form"


def test_fixed_values_are_listed(schema):
    parameters = list_parameters(schema)

    assert parameters["organisation_type"]["schema"]["items"]["enum"] == sorted(
        Organisation.Type.values
    )
    assert parameters["sort"]["schema"]["enum"] == sorted(Sort.values)
    flags = sorted((TRUE_VALUES | FALSE_VALUES) - {""})
    assert sorted(parameters["recognised"]["schema"]["enum"]) == flags
    assert sorted(parameters["facets"]["schema"]["enum"]) == flags
    assert parameters["lang"]["schema"]["enum"] == ["en", "fi", "sv"]
    for name in ("theme", "organisation", "collection"):
        assert "enum" not in parameters[name]["schema"]["items"], name


def test_years_and_pages_are_integers(schema):
    parameters = list_parameters(schema)

    for name in ("start_year_min", "start_year_max"):
        assert parameters[name]["schema"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert parameters["page"]["schema"]["type"] == "integer"
    assert parameters["page_size"]["schema"]["type"] == "integer"


def test_every_documented_value_is_accepted(client, schema):
    make_practice()
    parameters = list_parameters(schema)

    for name, parameter in parameters.items():
        values = parameter["schema"].get("enum") or parameter["schema"].get("items", {}).get(
            "enum", []
        )
        for value in values:
            response = client.get(LIST_URL, {name: value})
            assert response.status_code == 200, (name, value, response.content)


# The responses


def test_documented_list_and_detail_shapes_are_what_the_api_returns(
    client, schema, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = make_practice(organisation=make_organisation())
        practice.themes.add(make_theme())

    page = client.get(LIST_URL, {"facets": "1"}).json()
    detail = client.get(f"{LIST_URL}{practice.slug}/").json()

    assert set(component(schema, "PracticePage")["properties"]) == set(page)
    assert set(component(schema, "Facets")["properties"]) == set(page["facets"])
    assert set(component(schema, "PracticeList")["properties"]) == set(page["results"][0])
    assert set(component(schema, "PracticeDetail")["properties"]) == set(detail)
    assert "facets" not in component(schema, "PracticePage").get("required", [])


def test_errors_are_documented(schema):
    list_responses = schema["paths"]["/api/practices/"]["get"]["responses"]
    detail_responses = schema["paths"]["/api/practices/{slug}/"]["get"]["responses"]

    assert set(list_responses) == {"200", "400", "404"}
    assert set(detail_responses) == {"200", "404"}
    assert list_responses["400"]["content"]["application/json"]["schema"]["type"] == "object"


# Every filter of the list page works in the API, as on the page


@pytest.fixture
def catalogue(django_capture_on_commit_callbacks):
    """ "Osuva" matches one value of every filter, "Ohi" another; unpublished copies of
    "Osuva" match everything "Osuva" does."""
    wanted = {
        "theme": make_theme(slug="perheet"),
        "target_group": make_target_group(slug="lapsiperheet"),
        "stage": make_stage(slug="valmis"),
        "county": make_county(slug="pirha"),
        "region": make_region(slug="pirkanmaa"),
        "municipality": make_municipality(slug="tampere"),
        "organisation": make_organisation(slug="jarjesto", type=Organisation.Type.NGO),
        "funder": make_funder(slug="stm"),
        "collection": make_collection(slug="hanke"),
    }
    other = {
        "theme": make_theme(),
        "target_group": make_target_group(),
        "stage": make_stage(),
        "county": make_county(),
        "region": make_region(),
        "municipality": make_municipality(),
        "organisation": make_organisation(type=Organisation.Type.MUNICIPALITY),
        "funder": make_funder(),
        "collection": make_collection(),
    }

    def add(name, values, status=Practice.Status.PUBLISHED, **kwargs):
        practice = make_practice(
            name_fi=name,
            status=status,
            stage=values["stage"],
            collection=values["collection"],
            **kwargs,
        )
        practice.themes.add(values["theme"])
        practice.target_groups.add(values["target_group"])
        practice.wellbeing_counties.add(values["county"])
        practice.regions.add(values["region"])
        practice.municipalities.add(values["municipality"])
        practice.funders.add(values["funder"])
        PracticeOrganisation.objects.create(practice=practice, organisation=values["organisation"])
        return practice

    with django_capture_on_commit_callbacks(execute=True):
        for index, status in enumerate([Practice.Status.PUBLISHED, *UNPUBLISHED]):
            name = "Osuva" if status == Practice.Status.PUBLISHED else f"Osuva piilossa {index}"
            found = add(name, wanted, status, funding_programme="RRP P4", start_year=2015)
            Recognition.objects.create(practice=found, award_fi="Palkinto", year=2020)
        add("Ohi", other, funding_programme="Muu", start_year=2022)


FILTER_CASES = {
    "q": ({"q": "osuva"}, ["Osuva"]),
    "theme": ({"theme": "perheet"}, ["Osuva"]),
    "target_group": ({"target_group": "lapsiperheet"}, ["Osuva"]),
    "stage": ({"stage": "valmis"}, ["Osuva"]),
    "county": ({"county": "pirha"}, ["Osuva"]),
    "region": ({"region": "pirkanmaa"}, ["Osuva"]),
    "municipality": ({"municipality": "tampere"}, ["Osuva"]),
    "organisation": ({"organisation": "jarjesto"}, ["Osuva"]),
    "organisation_type": ({"organisation_type": "ngo"}, ["Osuva"]),
    "funder": ({"funder": "stm"}, ["Osuva"]),
    "funding_programme": ({"funding_programme": "rrp p4"}, ["Osuva"]),
    "collection": ({"collection": "hanke"}, ["Osuva"]),
    "start_year_min": ({"start_year_min": 2020}, ["Ohi"]),
    "start_year_max": ({"start_year_max": 2016}, ["Osuva"]),
    "recognised": ({"recognised": "1"}, ["Osuva"]),
    "sort": ({"sort": "name"}, ["Ohi", "Osuva"]),
}


def test_a_case_for_every_filter():
    assert set(FILTER_CASES) == set(PracticeFilterSet.base_filters)


@pytest.mark.parametrize("name", sorted(FILTER_CASES))
def test_api_filters_as_the_list_page_does(client, catalogue, name):
    params, expected = FILTER_CASES[name]

    api = client.get(LIST_URL, params)
    page = client.get("/kaytannot/", params)

    assert api.status_code == 200, api.content
    assert [item["name"] for item in api.json()["results"]] == expected
    assert api.json()["count"] == len(expected)
    assert [practice.name for practice in page.context["practices"]] == expected
