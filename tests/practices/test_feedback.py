"""The public feedback form: a message is kept and e-mailed to the editors, the page it is
about is filled in from where the visitor came, robots and floods are turned away, and only
administrators read the messages in the admin."""

import re
import smtplib
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from practices.models import Feedback, Practice
from tests.factories import make_practice
from tests.personas import make_coordinator

pytestmark = pytest.mark.django_db

URL = "/palaute/"
EN_URL = "/en/palaute/"
THANKS_URL = "/palaute/kiitos/"


def _data(**overrides):
    data = {
        "topic": "content_error",
        "message": "Perhekahvilan yhteyshenkilön puhelinnumero on vanhentunut.",
        "page_url": "http://testserver/kaytannot/perhekahvila/",
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "homepage": "",
    }
    data.update(overrides)
    return data


def _field(html, name):
    """The <input> or <textarea> of a field (the first one, for radio buttons)."""
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


def _value(html, name):
    found = re.search(r'value="([^"]*)"', _field(html, name))
    return unescape(found.group(1)) if found else ""


# The form


def test_every_field_has_a_label_and_the_robot_trap_is_hidden(client):
    html = client.get(EN_URL).content.decode()

    for name in ("message", "page_url", "name", "email"):
        field_id = re.search(r'id="([^"]+)"', _field(html, name)).group(1)
        assert f'<label for="{field_id}"' in html, name
    # The topics are a group of radio buttons with a legend.
    assert re.search(r"<fieldset[^>]*>\s*<legend>What is your feedback about\?", html)
    for label in ("Accessibility", "An error in the content", "Something else"):
        assert re.search(rf'<input type="radio" name="topic"[^>]*>\s*{label}</label>', html)
    assert 'maxlength="5000"' in _field(html, "message")
    assert '<div class="form-honeypot" aria-hidden="true">' in html


def test_the_form_takes_no_queries(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(URL).status_code == 200


def test_the_page_is_filled_in_from_the_address(client):
    html = client.get(URL, {"sivu": "/kaytannot/perhekahvila/?q=kahvila"}).content.decode()

    assert _value(html, "page_url") == "http://testserver/kaytannot/perhekahvila/?q=kahvila"


def test_the_page_is_filled_in_from_the_page_the_visitor_came_from(client):
    html = client.get(
        URL, HTTP_REFERER="http://testserver/sv/kaytannot/perhekahvila/"
    ).content.decode()

    assert _value(html, "page_url") == "http://testserver/sv/kaytannot/perhekahvila/"


@pytest.mark.parametrize(
    ("query", "referer"),
    [
        ({"sivu": "https://elsewhere.example/kaytannot/"}, ""),
        ({"sivu": "javascript:alert(1)"}, ""),
        ({}, "https://elsewhere.example/"),
        # The form itself is no page to give feedback on, in any language.
        ({}, "http://testserver/palaute/"),
        ({}, "http://testserver/sv/palaute/kiitos/"),
        ({"sivu": "/" + "a" * 600}, ""),
        ({"sivu": "kaytannot/perhekahvila/"}, ""),
    ],
)
def test_other_sites_and_the_form_itself_are_not_filled_in(client, query, referer):
    headers = {"HTTP_REFERER": referer} if referer else {}

    html = client.get(URL, query, **headers).content.decode()

    assert _value(html, "page_url") == ""


def test_a_link_can_choose_the_topic(client):
    html = client.get(URL, {"aihe": "accessibility"}).content.decode()

    assert re.search(r'<input type="radio" name="topic" value="accessibility"[^>]*checked', html)
    assert not re.search(r'value="other"[^>]*checked', html)


def test_unpublished_practices_are_not_shown(client):
    for status in (Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED):
        make_practice(name_fi=f"Salainen {status}", status=status)

    html = client.get(URL).content.decode()

    assert "Salainen" not in html


# Sending


def test_feedback_is_kept_and_mailed_to_the_editors_after_the_commit(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_CONTACT_EMAIL = "toimitus@example.fi"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(EN_URL, _data())
    assert not mail.outbox  # nothing is sent before the message is stored
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert response["Location"] == "/en/palaute/kiitos/"
    feedback = Feedback.objects.get()
    assert (
        feedback.topic,
        feedback.message,
        feedback.page_url,
        feedback.name,
        feedback.email,
        feedback.language,
    ) == (
        "content_error",
        "Perhekahvilan yhteyshenkilön puhelinnumero on vanhentunut.",
        "http://testserver/kaytannot/perhekahvila/",
        "Maija Meikäläinen",
        "maija@example.fi",
        "en",
    )
    assert "127.0.0.1" not in feedback.client  # a keyed hash, not the address
    [message] = mail.outbox
    assert message.to == ["toimitus@example.fi"]
    assert message.reply_to == ["maija@example.fi"]
    assert "Perhekahvilan yhteyshenkilön puhelinnumero on vanhentunut." in message.body
    assert "http://testserver/kaytannot/perhekahvila/" in message.body
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback" in thanks
    assert "we will reply to the e-mail address you gave" in thanks


def test_anonymous_feedback_needs_only_a_message(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"topic": "other", "message": "Hyvä palvelu!", "page_url": "", "homepage": ""}
        )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.name, feedback.email, feedback.page_url) == ("", "", "")
    [message] = mail.outbox
    assert message.reply_to == []
    thanks = Client().get(THANKS_URL).content.decode()
    assert "reply to the e-mail address" not in thanks


def test_a_path_on_this_site_is_kept_as_its_full_address(client):
    client.post(URL, _data(page_url="/kaytannot/perhekahvila/"))

    assert Feedback.objects.get().page_url == "http://testserver/kaytannot/perhekahvila/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"email": "maija(at)example.fi"}, "email"),
        ({"page_url": "javascript:alert(1)"}, "page_url"),
        ({"page_url": "ei osoite"}, "page_url"),
        # Fits the field as typed, but not once made into a full address.
        ({"page_url": "/" + "a" * 495}, "page_url"),
        ({"topic": "kehu"}, "topic"),
    ],
)
def test_incomplete_feedback_is_shown_again_with_its_errors(client, overrides, field):
    response = client.post(EN_URL, _data(**overrides))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert html.count("<title>Error:") == 1
    field_html = _field(html, field)
    assert 'aria-invalid="true"' in field_html or field == "topic"
    error_id = re.search(rf'id="(id_{field}_error)"', html).group(1)
    described = re.search(r'aria-describedby="([^"]+)"', field_html) if field != "topic" else None
    assert described is None or error_id in described.group(1).split()
    assert "maija@example.fi" in html or field == "email"  # what was typed is kept
    assert not Feedback.objects.exists()
    assert not mail.outbox


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_kept(client):
    response = client.post(URL, _data(homepage="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    assert not Feedback.objects.exists()
    assert not mail.outbox


def test_one_sender_can_send_only_a_few_messages_an_hour(client, settings):
    settings.PRACTICE_PROPOSALS_PER_HOUR = 2
    for number in range(2):
        assert client.post(EN_URL, _data(message=f"Viesti {number}")).status_code == 302

    response = client.post(EN_URL, _data(message="Kolmas viesti"))

    assert response.status_code == 429
    html = " ".join(response.content.decode().split())
    assert "You have sent several messages within an hour." in html
    assert "Kolmas viesti" in html  # the message is not lost from the form
    assert Feedback.objects.count() == 2
    # Another sender is not affected, and an hour later this one may send again.
    assert Client(REMOTE_ADDR="192.0.2.7").post(URL, _data()).status_code == 302
    Feedback.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))
    assert client.post(URL, _data(message="Tunnin päästä")).status_code == 302


def test_a_failing_mail_server_loses_no_feedback(
    client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def fail(self, fail_silently=False):
        raise smtplib.SMTPException("The server is down")

    monkeypatch.setattr(EmailMessage, "send", fail)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data())

    assert response.status_code == 302
    assert Feedback.objects.count() == 1
    assert "could not be sent" in caplog.text


# Reading feedback in the admin


@pytest.fixture
def feedback():
    return Feedback.objects.create(
        topic=Feedback.Topic.ACCESSIBILITY,
        message="Hakukenttään ei pääse näppäimistöllä.",
        email="maija@example.fi",
        language="fi",
        client="x" * 64,
    )


def test_administrators_read_and_delete_feedback_but_cannot_change_it(client, feedback):
    administrator = get_user_model().objects.create_superuser("yllapitaja", "y@example.fi", "pw")
    client.force_login(administrator)

    listing = client.get("/en/admin/practices/feedback/")
    page = client.get(f"/en/admin/practices/feedback/{feedback.pk}/change/")

    assert listing.status_code == 200
    assert "Hakukenttään ei pääse näppäimistöllä." in listing.content.decode()
    assert "/admin/practices/feedback/add/" not in listing.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"/en/admin/practices/feedback/{feedback.pk}/change/").status_code == 403
    # A handled message, with the sender's details, can be deleted.
    delete_url = f"/en/admin/practices/feedback/{feedback.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Feedback.objects.filter(pk=feedback.pk).exists()


def test_editors_do_not_see_feedback(client, feedback):
    client.force_login(make_coordinator())

    assert client.get("/en/admin/practices/feedback/").status_code == 403
    assert "feedback" not in client.get("/en/admin/").content.decode().lower()
