"""What the benchmark scripts share: Django set up on a throwaway database, and the columns the
naive baselines search."""

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url, **environment):
    """Configure and set up Django for `database_url` with DEBUG off (in this process)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("HTTPS", "false")
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()


def text_columns():
    """The name, the short description and the sections, in every language."""
    from modeltranslation.settings import AVAILABLE_LANGUAGES

    from practices.models import Practice

    fields = ("name", "summary", *Practice.SECTION_FIELDS)
    return [f"{field}_{language}" for field in fields for language in AVAILABLE_LANGUAGES]


def server_version(connection):
    """The database server's version number, e.g. "3.40.1" or "15.18"."""
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]
