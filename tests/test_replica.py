"""A read replica (DATABASE_REPLICA_URL, config/replica.py): the public pages of visitors who
are not signed in read from it, everything else from the primary.

Two SQLite files stand for the primary and its replica, the replica's copy of a practice named
differently, so that each answer shows which database it was read from. The site runs in a
process of its own with production settings (the test process's database settings are
fixed when it starts)."""

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from django.contrib.auth import get_user_model
from practices.models import Practice, Theme
from practices.search import index_practices
theme = Theme.objects.create(name_fi="Perheet", slug="perheet")
practice = Practice.objects.create(
    name_fi="Perhekahvila", slug="perhekahvila", summary_fi="Vertaistukea perheille.",
    status=Practice.Status.PUBLISHED,
)
practice.themes.add(theme)
index_practices([practice])
get_user_model().objects.create_superuser("paakayttaja", "p@example.fi", "a-long-password-1")
"""

VISIT = """
import json
from django.contrib.auth import get_user_model
from django.test import Client

visitor, editor = Client(), Client()
editor.force_login(get_user_model().objects.get(username="paakayttaja"))

def page(client, url):
    response = client.get(url)
    return {"status": response.status_code, "text": response.content.decode()}

print(json.dumps({
    "detail": page(visitor, "/kaytannot/perhekahvila/"),
    "detail again": page(visitor, "/kaytannot/perhekahvila/"),
    "list": page(visitor, "/kaytannot/?theme=perheet"),
    "home": page(visitor, "/"),
    "api": page(visitor, "/api/practices/perhekahvila/"),
    "feed": page(visitor, "/syote/"),
    "editor's detail": page(editor, "/kaytannot/perhekahvila/"),
    "editor's list": page(editor, "/kaytannot/?theme=perheet"),
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replica")
    primary, replica = folder / "primary.sqlite3", folder / "replica.sqlite3"
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{primary}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "CRITICAL",
    }

    def run(code, **extra):
        result = subprocess.run(
            [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
            cwd=ROOT,
            env={**environment, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("from django.core.management import call_command\ncall_command('migrate', verbosity=0)")
    run(SETUP)
    shutil.copy(primary, replica)
    # The replica's copy differs: what a page shows tells where it was read from.
    with sqlite3.connect(replica) as connection:
        connection.execute(
            "UPDATE practices_practice SET name = 'Perhekahvila (replika)', "
            "name_fi = 'Perhekahvila (replika)' WHERE slug = 'perhekahvila'"
        )
    connection.close()

    def visit(replica_url=f"sqlite:///{replica}"):
        return json.loads(run(VISIT, DATABASE_REPLICA_URL=replica_url).splitlines()[-1])

    return visit


def test_public_pages_of_visitors_are_read_from_the_replica(site):
    pages = site()

    for name in ("detail", "detail again", "list", "home", "feed"):
        assert pages[name]["status"] == 200, name
        assert "Perhekahvila (replika)" in pages[name]["text"], name
    assert json.loads(pages["api"]["text"])["name"] == "Perhekahvila (replika)"


def test_signed_in_users_read_the_primary(site):
    pages = site()

    for name in ("editor's detail", "editor's list"):
        assert pages[name]["status"] == 200, name
        assert "Perhekahvila" in pages[name]["text"], name
        assert "replika" not in pages[name]["text"], name


def test_an_unreachable_replica_gets_the_503_page_and_leaves_the_primary_alone(site, tmp_path):
    pages = site(replica_url=f"sqlite:///{tmp_path / 'ei-ole' / 'replica.sqlite3'}")

    assert pages["detail"]["status"] == 503
    assert pages["api"]["status"] == 503
    assert pages["editor's detail"]["status"] == 200
    assert "Perhekahvila" in pages["editor's detail"]["text"]
