"""The health checks: /healthz (the process answers) and /readyz (the database answers and is
migrated), for the load balancer. Neither sets a cookie or may be cached, and /healthz keeps
answering while the database is down."""

import json
import logging

import pytest
from django.db import OperationalError, connection

from config import health

pytestmark = pytest.mark.django_db


def unreachable_database(execute, sql, params, many, context):
    raise OperationalError("connection refused")


@pytest.fixture(autouse=True)
def _forget_migration_check():
    """Each test starts as a fresh process would, without the migrations checked."""
    health._migrated.clear()
    yield
    health._migrated.clear()


def assert_not_cacheable_and_cookieless(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert_not_cacheable_and_cookieless(response)


def test_healthz_answers_ok_while_the_database_is_unreachable(client):
    with connection.execute_wrapper(unreachable_database):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_is_ready_when_the_database_answers_and_is_migrated(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert_not_cacheable_and_cookieless(response)


def test_readyz_checks_the_migrations_once_then_only_asks_select_1(
    client, django_assert_num_queries
):
    client.get("/readyz")

    with django_assert_num_queries(1) as queries:
        response = client.get("/readyz")

    assert response.status_code == 200
    assert queries.captured_queries[0]["sql"] == "SELECT 1"


def test_readyz_is_not_ready_while_the_database_is_unreachable(client, caplog):
    with connection.execute_wrapper(unreachable_database), caplog.at_level(logging.WARNING):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "migrations": "unknown"},
    }
    assert_not_cacheable_and_cookieless(response)
    # One warning a probe, with the reason; not Django's "Service Unavailable" error besides.
    assert [(record.name, record.levelname, record.getMessage()) for record in caplog.records] == [
        ("config.health", "WARNING", "Not ready: connection refused")
    ]


def test_readyz_is_not_ready_while_a_migration_is_pending(client, monkeypatch):
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    missing = max(key for key in applied if key[0] == "practices")
    monkeypatch.setattr(
        MigrationRecorder,
        "applied_migrations",
        lambda self: {key: value for key, value in applied.items() if key != missing},
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {"database": "ok", "migrations": "pending"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_outside_the_language_prefixes(client, path):
    assert client.get(f"/sv{path}").status_code == 404


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_over_plain_http_when_https_is_required(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(path).status_code == 200
    assert client.get("/tietoa/").status_code == 301
