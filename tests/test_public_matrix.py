"""What each persona of tests/roles.py gets from the public side of the site for a practice
that is not published: logging in to the admin never makes a draft public. Only the editors'
preview shows it, and only to the editors of its organisations."""

import pytest
from django.test import Client

from practices.models import Practice
from tests.factories import make_organisation, make_practice, make_theme
from tests.roles import PERSONAS, make_persona

pytestmark = pytest.mark.django_db

Status = Practice.Status
LOGIN = "login page"


@pytest.fixture(params=[Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED])
def world(request):
    a = make_organisation(name_fi="Alfan kaupunki")
    b = make_organisation(name_fi="Beetan hyvinvointialue")
    theme = make_theme(name_fi="Vertaistuki")
    hidden = make_practice(
        name_fi="Salainen perhekahvila",
        summary_fi="Keskeneräinen kuvaus perhekahvilasta.",
        organisation=a,
        status=request.param,
    )
    hidden.themes.add(theme)
    make_practice(name_fi="Julkinen neuvola", organisation=a).themes.add(theme)
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        user = make_persona(persona, a, b)
        if user is not None:
            clients[persona].force_login(user)
    return {"hidden": hidden, "theme": theme, "clients": clients}


def _answer(response):
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return LOGIN
    return response.status_code


EVERYONE_404 = dict.fromkeys(PERSONAS, 404)
EDITORS_OF_A = {
    "anonymous": LOGIN,
    "coordinator_a": 200,
    "coordinator_b": 404,
    "publisher": 200,
    "importer": 200,
    "administrator": 200,
}
URLS = {
    "detail": (lambda w: f"/kaytannot/{w['hidden'].slug}/", EVERYONE_404),
    "api_detail": (lambda w: f"/api/practices/{w['hidden'].slug}/", EVERYONE_404),
    "preview": (lambda w: f"/esikatselu/{w['hidden'].pk}/", EDITORS_OF_A),
}


@pytest.mark.parametrize("name", URLS)
def test_each_persona_gets_exactly_its_response(world, name):
    url_of, expected = URLS[name]

    got = {persona: _answer(world["clients"][persona].get(url_of(world))) for persona in PERSONAS}

    assert got == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_searches_counts_and_downloads_leave_it_out(world, persona):
    client = world["clients"][persona]

    listing = client.get("/kaytannot/", {"q": "perhekahvila"})
    everything = client.get("/kaytannot/")
    by_theme = client.get("/kaytannot/", {"theme": world["theme"].slug})
    api = client.get("/api/practices/", {"q": "perhekahvila"}).json()
    download = client.get("/kaytannot/lataa.csv").content.decode("utf-8-sig")

    assert listing.context["paginator"].count == 0
    assert everything.context["paginator"].count == 1
    assert "Salainen perhekahvila" not in everything.content.decode()
    assert by_theme.context["paginator"].count == 1
    assert api["count"] == 0
    assert "Julkinen neuvola" in download and "Salainen perhekahvila" not in download
