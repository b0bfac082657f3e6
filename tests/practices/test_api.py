"""The read-only JSON API."""

import pytest
from django.utils import translation

from practices.models import Practice
from tests.factories import (
    make_municipality,
    make_organisation,
    make_practice,
    make_stage,
    make_theme,
)
from tests.practices.test_views import make_full_practice

pytestmark = pytest.mark.django_db

LIST_URL = "/api/practices/"


@pytest.fixture(autouse=True)
def _finnish():
    """Each test starts in Finnish; a request leaves its language active in the thread."""
    with translation.override("fi"):
        yield


def detail_url(slug):
    return f"/api/practices/{slug}/"


def test_list_item_shape(client):
    owner = make_organisation(name_fi="Tampereen kaupunki", slug="tampere")
    practice = make_practice(
        name_fi="Perheillat",
        slug="perheillat",
        summary_fi="Vertaistukea perheille.",
        stage=make_stage(name_fi="Valmis", slug="valmis"),
        organisation=owner,
    )
    practice.themes.add(make_theme(name_fi="Osallisuus", slug="osallisuus"))
    practice.municipalities.add(make_municipality(name_fi="Tampere", code="837"))

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 1
    assert data["next"] is None
    assert data["previous"] is None
    [item] = data["results"]
    assert item["slug"] == "perheillat"
    assert item["name"] == "Perheillat"
    assert item["summary"] == "Vertaistukea perheille."
    assert item["url"] == "http://testserver/kaytannot/perheillat/"
    assert item["api_url"] == "http://testserver/api/practices/perheillat/"
    assert item["stage"] == {"slug": "valmis", "name": "Valmis"}
    assert item["themes"] == [{"slug": "osallisuus", "name": "Osallisuus"}]
    assert item["organisations"] == [
        {"slug": "tampere", "name": "Tampereen kaupunki", "role": "owner"}
    ]
    assert item["municipalities"] == [{"code": "837", "name": "Tampere"}]
    assert item["modified"].startswith(str(practice.modified_at.year))


def test_list_api_url_leads_to_detail(client):
    make_practice(slug="perheillat")

    item = client.get(LIST_URL).json()["results"][0]
    detail = client.get(item["api_url"])

    assert detail.status_code == 200
    assert detail.json()["slug"] == "perheillat"


def test_list_shows_only_published(client):
    make_practice(slug="julkinen")
    for status in ("draft", "in_review", "archived"):
        make_practice(slug=f"piilotettu-{status}", status=status)

    data = client.get(LIST_URL).json()

    assert data["count"] == 1
    assert [item["slug"] for item in data["results"]] == ["julkinen"]


def test_list_is_paginated(client):
    for _ in range(25):
        make_practice()

    first = client.get(LIST_URL).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert second["previous"] is not None
    assert {i["slug"] for i in first["results"]}.isdisjoint(i["slug"] for i in second["results"])


def test_page_size_is_capped_at_100(client):
    Practice.objects.bulk_create(
        Practice(name_fi=f"Malli {n}", slug=f"malli-{n}", summary_fi="Kuvaus.", status="published")
        for n in range(105)
    )

    data = client.get(LIST_URL, {"page_size": 500}).json()

    assert data["count"] == 105
    assert len(data["results"]) == 100


def test_page_size_can_be_chosen(client):
    for _ in range(5):
        make_practice()

    data = client.get(LIST_URL, {"page_size": 2}).json()

    assert len(data["results"]) == 2
    assert "page_size=2" in data["next"]


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", ""])
def test_bad_page_size_falls_back_to_default(client, page_size):
    for _ in range(25):
        make_practice()

    response = client.get(LIST_URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99"])
def test_bad_page_is_json_404(client, page):
    make_practice()

    # Read in English: the message is asserted by its msgid.
    response = client.get(LIST_URL, {"page": page, "lang": "en"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "Invalid page" in response.json()["detail"]


def test_detail_has_sections_and_relations(client):
    practice = make_full_practice(slug="perheillat")

    response = client.get(detail_url("perheillat"))

    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Perheillat"
    assert data["url"] == "http://testserver/kaytannot/perheillat/"
    assert data["need_and_goals"] == "Perheet kaipaavat vertaistukea."
    assert data["solution"] == practice.solution_fi
    assert data["results"] == "Sata perhettä osallistui."
    assert data["evaluation"] == ""
    assert data["stage"]["name"] == "Valmis"
    assert [t["name"] for t in data["themes"]] == ["Lapset ja perheet", "Osallisuus"]
    assert [g["name"] for g in data["target_groups"]] == ["Lapsiperheet"]
    owner, adopter = data["organisations"]
    assert (owner["name"], owner["role"], owner["unit"], owner["year"]) == (
        "Tampereen kaupunki",
        "owner",
        "",
        None,
    )
    assert (adopter["name"], adopter["role"], adopter["unit"], adopter["year"]) == (
        "Oriveden kaupunki",
        "adopter",
        "Perhepalvelut",
        2023,
    )
    assert adopter["role_label"]
    assert [m["name"] for m in data["municipalities"]] == ["Tampere"]
    assert [r["name"] for r in data["regions"]] == ["Pirkanmaa"]
    assert [c["name"] for c in data["wellbeing_counties"]] == ["Pirkanmaan hyvinvointialue"]
    assert data["is_national"] is False
    assert data["collection"]["name"] == "Perhekeskushanke"
    assert data["collection"]["description"] == "Hanke kehitti perhekeskuksia."
    assert data["funders"][0]["abbreviation"] == "STM"
    assert data["funding_programme"] == "RRP, P4, I1"
    assert data["recognitions"][0]["award"] == "Vuoden teko"
    assert data["recognitions"][0]["year"] == 2023
    assert data["recognitions"][0]["awarding_body"] == "Kuntaliitto"
    assert data["assessments"][0]["assessor"] == "Kasvun tuki"
    assert data["assessments"][0]["rating"] == "4"
    assert data["links"] == [
        {"title": "Hankkeen sivut", "url": "https://example.fi/hanke", "kind": "website"}
    ]
    with_file, without_file = data["attachments"]
    assert with_file["title"] == "Ohjaajan opas"
    assert with_file["url"].startswith("http://testserver/media/attachments/")
    assert without_file == {"title": "Vanha esite", "description": "", "url": None}
    assert data["cover_image"]["alt"] == "Perheitä pöydän ääressä"
    assert data["cover_image"]["url"].startswith("http://testserver/media/covers/")
    assert data["source"] == {
        "name": "Innokylä",
        "url": "https://innokyla.fi/fi/toimintamalli/perheillat",
        "author": "Maija Mallikas",
        "created": "2022-01-10",
        "modified": "2023-06-01",
    }
    assert data["start_year"] == 2021
    assert data["last_reviewed"] == "2024-03-05"
    assert data["created"]
    assert data["published"]


def test_detail_shows_public_contacts_only(client):
    make_full_practice(slug="perheillat")

    data = client.get(detail_url("perheillat")).json()

    assert len(data["contacts"]) == 1
    contact = data["contacts"][0]
    assert contact["name"] == "Julkinen Henkilö"
    assert contact["title"] == "Kehittäjä"
    assert contact["email"] == "julkinen@example.fi"
    assert contact["phone"] == "040 123 4567"
    assert contact["organisation"]["name"] == "Tampereen kaupunki"
    body = client.get(detail_url("perheillat")).content.decode()
    assert "Salainen" not in body
    assert "salainen@example.fi" not in body


def test_detail_404_for_unknown(client):
    response = client.get(detail_url("ei-ole"))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_detail_404_for_unpublished(client, status):
    make_practice(slug="piilossa", status=status)

    response = client.get(detail_url("piilossa"))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_finnish_by_default(client):
    make_practice(name_fi="Perheillat", name_sv="Familjekvällar")

    item = client.get(LIST_URL).json()["results"][0]

    assert item["name"] == "Perheillat"


def test_lang_parameter_chooses_swedish(client):
    make_practice(slug="perheillat", name_fi="Perheillat", name_sv="Familjekvällar")

    response = client.get(LIST_URL, {"lang": "sv"})
    detail = client.get(detail_url("perheillat"), {"lang": "sv"}).json()

    item = response.json()["results"][0]
    assert item["name"] == "Familjekvällar"
    assert item["url"] == "http://testserver/sv/kaytannot/perheillat/"
    assert item["api_url"] == "http://testserver/api/practices/perheillat/?lang=sv"
    assert response["Content-Language"] == "sv"
    assert detail["name"] == "Familjekvällar"


def test_accept_language_chooses_swedish(client):
    make_practice(name_fi="Perheillat", name_sv="Familjekvällar")

    response = client.get(LIST_URL, headers={"accept-language": "sv"})

    assert response.json()["results"][0]["name"] == "Familjekvällar"
    assert "Accept-Language" in response["Vary"]


def test_swedish_falls_back_to_finnish(client):
    make_practice(name_fi="Perheillat", summary_fi="Vertaistukea perheille.")

    item = client.get(LIST_URL, {"lang": "sv"}).json()["results"][0]

    assert item["name"] == "Perheillat"
    assert item["summary"] == "Vertaistukea perheille."


def test_lang_parameter_wins_over_accept_language(client):
    make_practice(name_fi="Perheillat", name_sv="Familjekvällar")

    response = client.get(LIST_URL, {"lang": "fi"}, headers={"accept-language": "sv"})

    assert response.json()["results"][0]["name"] == "Perheillat"


def test_unknown_lang_parameter_is_ignored(client):
    make_practice(name_fi="Perheillat", name_sv="Familjekvällar")

    response = client.get(LIST_URL, {"lang": "xx"})

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Perheillat"


def test_list_query_count_does_not_grow(
    client, no_page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def add_practices(count):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                practice = make_practice(organisation=make_organisation())
                practice.themes.add(make_theme(), make_theme())
                practice.municipalities.add(make_municipality())

    for count, total in ((2, 2), (20, 22)):
        add_practices(count)
        client.get(LIST_URL)  # the first request after a change builds the index
        # Once the list's in-memory index is built: its revision, the page, then themes,
        # municipalities and organisation roles for the whole page.
        with django_assert_num_queries(5):
            response = client.get(LIST_URL)
        assert response.status_code == 200
        assert response.json()["count"] == total


def test_detail_query_count_does_not_grow(client, no_page_cache, django_assert_num_queries):
    make_full_practice(slug="perheillat")
    with django_assert_num_queries(13):
        client.get(detail_url("perheillat"))

    practice = Practice.objects.get(slug="perheillat")
    for _ in range(5):
        practice.themes.add(make_theme())
        practice.municipalities.add(make_municipality())
    with django_assert_num_queries(13):
        client.get(detail_url("perheillat"))


@pytest.mark.parametrize(
    "path", ["/api/practices/ei%20kelpaa/", "/api/kaytannot/", "/api/practices/a/b/", "/api/"]
)
def test_any_other_address_under_the_api_is_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Ei löydy."}
    swedish = client.get(path, headers={"accept-language": "sv"})
    assert swedish.json()["detail"] != "Ei löydy."
