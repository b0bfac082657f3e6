import pytest

from tests.factories import make_practice


@pytest.mark.django_db
def test_published_practice_is_listed(client):
    practice = make_practice(name_fi="Seudulliset vanhempainillat")
    response = client.get("/kaytannot/")
    assert practice in response.context["practices"]
