"""The security headers of every kind of response: the Content-Security-Policy with no
'unsafe-inline' (public pages, which need no nonce and may be served from the page cache; the
admin and the import and export pages, with a fresh nonce per request; the API, uploaded
files), the markup that the policy lets run, Referrer-Policy, Permissions-Policy,
X-Content-Type-Options, X-Frame-Options, Cross-Origin-Opener-Policy, and HSTS and secure
cookies with the production HTTPS settings."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from practices.models import Attachment
from tests.factories import make_organisation, make_practice, make_theme

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NONCE = "<nonce>"
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", NONCE],
    "style-src": ["'self'", NONCE],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DENIED_FEATURES = (
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "browsing-topics",
    "interest-cohort",
)
# Script types a browser runs (anything else, such as application/ld+json, is data).
JAVASCRIPT_TYPES = ("", "text/javascript", "application/javascript", "module")


def policy_of(response):
    """The Content-Security-Policy as {directive: [values]}, the nonce value as NONCE, and
    the nonce (None when the policy has none)."""
    header = response["Content-Security-Policy"]
    policy, nonces = {}, set()
    for directive in header.split(";"):
        name, *values = directive.split()
        for value in values:
            if match := re.fullmatch(r"'nonce-([A-Za-z0-9_\-+/=]+)'", value):
                nonces.add(match.group(1))
        policy[name] = [NONCE if value.startswith("'nonce-") else value for value in values]
    assert len(nonces) <= 1, header
    return policy, (nonces.pop() if nonces else None)


class Markup(HTMLParser):
    """What in a page the policy governs: nonces, style and event handler attributes,
    javascript: URLs, and inline scripts and styles."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.nonces = []
        self.style_attributes = []
        self.event_handlers = []
        self.javascript_urls = []
        self.inline_without_nonce = []
        self._open = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "nonce" in attributes:
            self.nonces.append(attributes["nonce"])
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            elif name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}={value!r}>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        runs = tag == "script" and attributes.get("type", "").lower() in JAVASCRIPT_TYPES
        if (tag == "style" or (runs and "src" not in attributes)) and "nonce" not in attributes:
            self._open = tag
        else:
            self._open = None

    def handle_data(self, data):
        if self._open and data.strip():
            self.inline_without_nonce.append(f"<{self._open}>{data.strip()[:80]}")

    def handle_endtag(self, tag):
        self._open = None


def assert_other_security_headers(response):
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in DENIED_FEATURES:
        assert features[feature] == "()", feature


def assert_page_keeps_the_policy(response, with_nonce=True):
    """The page has the policy, with a nonce (or none when `with_nonce` is false), and nothing
    in it that the policy would block."""
    assert response.status_code == 200, response.status_code
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response
    policy, nonce = policy_of(response)
    markup = Markup(response.text)
    if with_nonce:
        assert policy == EXPECTED_POLICY
        assert markup.nonces, "the page uses no nonce"
        assert set(markup.nonces) == {nonce}
    else:
        assert policy == {
            name: [value for value in values if value != NONCE]
            for name, values in EXPECTED_POLICY.items()
        }
        assert markup.nonces == []
    assert markup.style_attributes == []
    assert markup.event_handlers == []
    assert markup.javascript_urls == []
    assert markup.inline_without_nonce == []
    assert_other_security_headers(response)
    return nonce


@pytest.fixture
def world():
    organisation = make_organisation(name_fi="Alfan kaupunki")
    practice = make_practice(
        name_fi="Perhekahvila", summary_fi="Vertaistukea perheille.", organisation=organisation
    )
    practice.themes.add(make_theme(name_fi="Vertaistuki"))
    Attachment.objects.create(
        practice=practice, title_fi="Ohje", file=ContentFile(b"%PDF-1.7\n", name="ohje.pdf")
    )
    return {"practice": practice, "organisation": organisation}


PUBLIC_PAGES = {
    "home": lambda w: reverse("practices:home"),
    "search": lambda w: reverse("practices:list") + "?q=perhekahvila",
    "detail": lambda w: w["practice"].get_absolute_url(),
    "organisation": lambda w: w["organisation"].get_absolute_url(),
    "statistics": lambda w: reverse("directory:statistics"),
    "feedback form": lambda w: reverse("practices:feedback"),
    "not found": lambda w: "/ei-tallaista-sivua/",
    "admin login": lambda w: reverse("admin:login"),
}
ADMIN_PAGES = {
    "index": lambda w: reverse("admin:index"),
    "change list": lambda w: reverse("admin:practices_practice_changelist"),
    "change form": lambda w: reverse("admin:practices_practice_change", args=[w["practice"].pk]),
    "add form": lambda w: reverse("admin:practices_practice_add"),
    "history": lambda w: reverse("admin:practices_practice_history", args=[w["practice"].pk]),
    "import": lambda w: reverse("admin:practices_practice_import"),
    "export": lambda w: reverse("admin:practices_practice_export"),
    "two-factor set-up": lambda w: reverse("admin:two_factor"),
    "authenticator devices": lambda w: reverse("admin:otp_totp_totpdevice_changelist"),
    "user change form": lambda w: reverse("admin:auth_user_change", args=[w["user"].pk]),
    "preview": lambda w: reverse("practices:preview", args=[w["practice"].pk]),
}


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_keep_the_policy_with_nothing_inline(client, world, page):
    # No nonce: a page the page cache keeps must not carry one (a nonce is for one response
    # only). The second request of a catalogue page is answered from the cache, with the same
    # headers.
    url = PUBLIC_PAGES[page](world)
    for _request in range(2):
        response = client.get(url)
        if page == "not found":
            assert response.status_code == 404
            response.status_code = 200
        # The admin's login page is the library's, with a nonce on its styles.
        assert_page_keeps_the_policy(response, with_nonce=page == "admin login")


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_keep_the_policy_with_a_new_nonce_each_time(
    admin_client, superuser, world, page
):
    TOTPDevice.objects.create(user=superuser, name="Puhelin")
    url = ADMIN_PAGES[page]({**world, "user": superuser})
    if page == "preview":
        # The practice page as the public will see it, which needs no nonce.
        assert_page_keeps_the_policy(admin_client.get(url), with_nonce=False)
        return
    nonce = assert_page_keeps_the_policy(admin_client.get(url))
    assert policy_of(admin_client.get(url))[1] not in (None, nonce)


def test_the_export_page_of_the_selectable_fields_form_keeps_the_policy(admin_client, world):
    # The library's default export form lists the fields as checkboxes with "Select all".
    from django.contrib import admin
    from import_export.forms import SelectableFieldsExportForm
    from import_export.resources import ModelResource

    from practices.models import Practice

    class Resource(ModelResource):
        class Meta:
            model = Practice
            fields = ("name_fi", "slug")

    model_admin = admin.site._registry[Practice]
    model_admin.export_form_class = SelectableFieldsExportForm
    model_admin.resource_classes = [Resource]
    try:
        response = admin_client.get(reverse("admin:practices_practice_export"))
    finally:
        del model_admin.export_form_class
        del model_admin.resource_classes

    assert_page_keeps_the_policy(response)
    assert 'class="select-toggle"' in response.text
    assert 'id="select-all-toggle"' in response.text


def test_the_api_has_the_policy_and_headers(client, world):
    response = client.get(reverse("api:practice-list"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    policy, _nonce = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert_other_security_headers(response)


def test_uploaded_files_have_a_policy_of_their_own(client, world):
    attachment = world["practice"].attachments.get()

    response = client.get(attachment.file.url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert_other_security_headers(response)


# HTTPS: the settings production has (tests/test_settings.py checks how they are read).

HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
)


@pytest.fixture(scope="module")
def production_https_settings():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {HTTPS_SETTINGS!r}}}))"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://kp:secret@db.example.fi:5432/kaytantopankki",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def https_client(settings, production_https_settings):
    for name, value in production_https_settings.items():
        setattr(settings, name, value)
    return Client()


def test_production_sends_hsts_and_redirects_plain_http(https_client, world):
    response = https_client.get(reverse("practices:home"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_page_keeps_the_policy(response, with_nonce=False)

    plain = https_client.get(reverse("practices:home"))
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/"


def test_production_cookies_are_secure(https_client, superuser):
    login = reverse("admin:login")
    page = https_client.get(login, secure=True)
    assert page.cookies["csrftoken"]["secure"] is True

    response = https_client.post(
        login,
        {"username": "admin", "password": "a-long-test-password-1", "next": "/admin/"},
        secure=True,
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
