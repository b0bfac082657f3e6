"""Configuration from the environment: production refuses to start on a missing or malformed
value, naming the variable; development needs nothing; `check --deploy` is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "kaytantopankki.example.fi",
    "DATABASE_URL": "postgres://kp:secret@db.example.fi:5432/kaytantopankki",
}

# Prints a few settings as the process sees them.
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
    "'engine': s.DATABASES['default']['ENGINE'], 'hsts': s.SECURE_HSTS_SECONDS, "
    "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'secure_cookies': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'proxy_header': s.SECURE_PROXY_SSL_HEADER, "
    "'cache': s.CACHES['default']['BACKEND'], 'storage': s.STORAGES['default'], "
    "'pages': s.CACHES['pages'], 'page_seconds': s.PAGE_CACHE_SECONDS, "
    "'databases': {k: v['ENGINE'] + ' ' + v['HOST'] for k, v in s.DATABASES.items()}, "
    "'routers': s.DATABASE_ROUTERS}))"
)


def run_python(code, environment, *args):
    """Run `code` in a fresh interpreter with only `environment` (plus PATH) set."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update(environment)
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(environment):
    import json

    result = run_python(SHOW, environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_development_needs_nothing():
    values = settings_of({"DEBUG": "true"})
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert "127.0.0.1" in values["hosts"]
    # No HTTPS on the development server.
    assert values["ssl_redirect"] is False and values["hsts"] == 0


def test_production_is_https_only():
    values = settings_of(PRODUCTION)
    assert values["debug"] is False
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["hosts"] == ["kaytantopankki.example.fi"]
    assert values["ssl_redirect"] is True
    assert values["hsts"] == 365 * 24 * 60 * 60
    assert values["secure_cookies"] is True and values["csrf_secure"] is True
    # Only behind a trusted proxy is its X-Forwarded-Proto believed.
    assert values["proxy_header"] is None
    behind_proxy = settings_of({**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"})
    assert behind_proxy["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(name):
    environment = {key: value for key, value in PRODUCTION.items() if key != name}
    result = run_python(SHOW, environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short", "SECRET_KEY must be a long random value"),
        ("DEBUG", "perhaps", "DEBUG must be a boolean"),
        ("HTTPS", "2", "HTTPS must be a boolean"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be an integer"),
        ("DATABASE_URL", "mysterydb://x", "DATABASE_URL could not be parsed"),
        ("CSRF_TRUSTED_ORIGINS", "kaytantopankki.example.fi", "CSRF_TRUSTED_ORIGINS must list"),
        ("CACHE_URL", "filesystem:///tmp/x", "CACHE_URL must be"),
        ("PAGE_CACHE_URL", "file://relative/folder", "PAGE_CACHE_URL must be"),
        ("PAGE_CACHE_SECONDS", "five minutes", "PAGE_CACHE_SECONDS must be an integer"),
        ("DATABASE_REPLICA_URL", "mysterydb://x", "DATABASE_REPLICA_URL could not be parsed"),
        ("CACHE_URL", "memcached://cache:11211", "needs the Python package 'pymemcache'"),
        ("MEDIA_STORAGE_BACKEND", "storages.backends.nowhere.Storage", "MEDIA_STORAGE_BACKEND"),
        ("MEDIA_STORAGE_OPTIONS", "[1, 2]", "MEDIA_STORAGE_OPTIONS must be a JSON object"),
        ("MEDIA_STORAGE_OPTIONS", "{bucket: x}", "MEDIA_STORAGE_OPTIONS must be a JSON object"),
    ],
)
def test_a_malformed_value_stops_the_start_up_naming_it(name, value, message):
    result = run_python(SHOW, {**PRODUCTION, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_cache_and_media_storage_come_from_the_environment():
    values = settings_of(
        {
            **PRODUCTION,
            "CACHE_URL": "db://kp_cache",
            "MEDIA_STORAGE_OPTIONS": '{"location": "/srv/media", "file_permissions_mode": 420}',
        }
    )
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["storage"]["OPTIONS"] == {
        "location": "/srv/media",
        "file_permissions_mode": 420,
    }
    assert settings_of(PRODUCTION)["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_page_cache_comes_from_the_environment():
    default = settings_of(PRODUCTION)
    assert default["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert default["pages"]["OPTIONS"] == {"MAX_ENTRIES": 1000}
    assert default["page_seconds"] == 300

    shared = settings_of(
        {
            **PRODUCTION,
            "PAGE_CACHE_URL": "file:///var/cache/kaytantopankki",
            "PAGE_CACHE_SECONDS": "60",
            "PAGE_CACHE_MAX_ENTRIES": "5000",
        }
    )
    assert shared["pages"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/var/cache/kaytantopankki",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
    assert shared["page_seconds"] == 60
    off = settings_of({**PRODUCTION, "PAGE_CACHE_URL": "dummy://"})
    assert off["pages"] == {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def test_a_read_replica_comes_from_the_environment():
    assert settings_of(PRODUCTION)["databases"] == {
        "default": "django.db.backends.postgresql db.example.fi"
    }
    assert settings_of(PRODUCTION)["routers"] == []

    values = settings_of(
        {
            **PRODUCTION,
            "DATABASE_REPLICA_URL": "postgres://reader:secret@replica.example.fi/kaytantopankki",
        }
    )
    assert values["databases"] == {
        "default": "django.db.backends.postgresql db.example.fi",
        "replica": "django.db.backends.postgresql replica.example.fi",
    }
    assert values["routers"] == ["config.replica.ReplicaRouter"]


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    environment = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}"}
    result = run_python(
        None, environment, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
