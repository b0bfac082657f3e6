"""The public "propose a practice" form: a proposal waits for review and is never public by
itself; the proposer is thanked on the page and by e-mail; robots and floods are turned away."""

import re

import pytest
from django.core import mail
from django.test import Client

from practices.models import Practice, PracticeProposal

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "name": "Kylätalon perhekahvila",
        "summary": "Vanhemmat ja lapset tapaavat kylätalolla kerran viikossa.",
        "need_and_goals": "Haja-asutusalueen perheet ovat yksinäisiä.",
        "solution": "Vapaaehtoiset järjestävät kahvilan, neuvola käy kerran kuussa.",
        "results": "",
        "link": "https://example.fi/perhekahvila",
        "proposer_name": "Maija Meikäläinen",
        "proposer_email": "maija@example.fi",
        "proposer_organisation": "Kyläyhdistys",
        "message": "Voin kertoa lisää.",
        "consent": "on",
        "homepage": "",
    }
    data.update(overrides)
    return data


def test_the_form_is_linked_from_every_page_and_labels_its_fields(client):
    assert "/ehdota/" in client.get("/").content.decode()

    page = client.get("/ehdota/").content.decode()

    assert '<label for="id_name"' in page
    assert '<label for="id_proposer_email"' in page
    assert 'aria-hidden="true"' in page  # the robot trap is hidden from people


def test_a_proposal_waits_for_review_with_the_proposers_details(client):
    response = client.post("/ehdota/", _data())

    assert response.status_code == 302
    assert response["Location"] == "/ehdota/kiitos/"
    practice = Practice.objects.get()
    assert practice.status == Practice.Status.IN_REVIEW
    assert practice.name_fi == "Kylätalon perhekahvila"
    assert practice.solution_fi.startswith("Vapaaehtoiset")
    assert practice.source_url == "https://example.fi/perhekahvila"
    proposal = PracticeProposal.objects.get()
    assert (proposal.practice, proposal.name, proposal.email, proposal.organisation) == (
        practice,
        "Maija Meikäläinen",
        "maija@example.fi",
        "Kyläyhdistys",
    )
    [step] = practice.transitions.all()
    assert (step.from_status, step.to_status, step.user) == ("", "in_review", None)
    thanks = client.get(response["Location"]).content.decode()
    assert "Kylätalon perhekahvila" in thanks


def test_a_proposal_is_not_public(client):
    client.post("/ehdota/", _data())
    practice = Practice.objects.get()

    assert "Kylätalon perhekahvila" not in Client().get("/kaytannot/").content.decode()
    assert Client().get(f"/kaytannot/{practice.slug}/").status_code == 404
    assert practice.slug not in Client().get("/api/practices/").content.decode()


def test_the_proposer_gets_a_confirmation_in_the_forms_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sv/ehdota/", _data(proposer_email="anna@example.fi"))

    [message] = mail.outbox
    assert message.to == ["anna@example.fi"]
    assert "Kylätalon perhekahvila" in message.body
    assert "Tack" in message.subject
    assert Practice.objects.get().content_language == "sv"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"proposer_email": "maija(at)example.fi"}, "proposer_email"),
        ({"consent": ""}, "consent"),
        ({"link": "ei osoite"}, "link"),
    ],
)
def test_an_incomplete_proposal_is_shown_again_with_its_errors(client, overrides, field):
    response = client.post("/ehdota/", _data(**overrides))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    field_html = re.search(rf'<(?:input|textarea)[^>]*name="{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field_html
    assert "Kylätalon perhekahvila" in page or field == "name"  # what was typed is kept
    assert not Practice.objects.exists()


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_kept(client):
    response = client.post("/ehdota/", _data(homepage="http://spam.example"))

    assert response.status_code == 302
    assert not Practice.objects.exists()
    assert not mail.outbox


def test_one_sender_can_propose_only_a_few_practices_an_hour(client, settings):
    settings.PRACTICE_PROPOSALS_PER_HOUR = 2
    for number in range(2):
        assert client.post("/ehdota/", _data(name=f"Malli {number}")).status_code == 302

    response = client.post("/ehdota/", _data(name="Kolmas"))

    assert response.status_code == 429
    assert "Yritä myöhemmin uudelleen" in response.content.decode()
    assert Practice.objects.count() == 2
    # Another sender is not affected.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post("/ehdota/", _data(name="Toinen lähettäjä")).status_code == 302


def test_a_failing_mail_server_loses_no_proposal(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            # Nothing listens there.
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ehdota/", _data())

    assert response.status_code == 302
    assert PracticeProposal.objects.count() == 1


def test_each_field_of_the_form_is_on_the_page_once(client):
    html = client.get("/ehdota/").content.decode()

    for name in ("name", "summary", "proposer_name", "proposer_email", "message", "consent"):
        assert html.count(f'name="{name}"') == 1, name
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
