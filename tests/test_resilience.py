"""While the database cannot be reached, visitors get a 503 page in their language (Finnish,
/sv/ Swedish, /en/ English) that looks like the site, the API answers JSON, and both say when
to try again; the health check still answers. When the database is back, the same server
process serves pages again at once.

The first tests force the database errors inside the test process. The last one runs the site
as in production, gunicorn with config/gunicorn.conf.py, against a PostgreSQL cluster of its
own that it stops and starts again (whichever database the rest of the suite uses).
"""

import json
import logging
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from config.resilience import RETRY_AFTER

ROOT = Path(__file__).resolve().parent.parent

HEADING = "The service is temporarily unavailable"
API_MESSAGE = "The service is temporarily unavailable. Try again shortly."


def translated(text, language):
    with translation.override(language):
        return gettext(text)


def unreachable_database(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def assert_unavailable_page(response_status, headers, html, language):
    assert response_status == 503
    assert headers["Retry-After"] == str(RETRY_AFTER)
    assert "no-store" in headers["Cache-Control"]
    assert headers["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in html
    assert translated(HEADING, language) in html
    # The site's own header, navigation and stylesheet, in the same language.
    assert translated("Skip to main content", language) in html
    assert 'class="site-header"' in html
    assert re.search(r'<link rel="stylesheet" href="/static/css/site[.\w]*\.css"', html)
    assert html.count("<h1") == 1
    assert '<main id="main-content"' in html


# --- Forced in the test process --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, language", [("/", "fi"), ("/kaytannot/", "fi"), ("/sv/", "sv"), ("/en/kaytannot/", "en")]
)
def test_pages_answer_503_in_the_language_of_the_address(client, path, language):
    with connection.execute_wrapper(unreachable_database):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    # Every query fails, so the page itself was rendered without one.
    assert_unavailable_page(response.status_code, response, response.content.decode(), language)
    assert response["Content-Language"] == language


def test_finnish_swedish_and_english_pages_differ():
    """The assertions above tell the languages apart (the site's texts are translated)."""
    texts = {
        language: translated("Skip to main content", language) for language in ("fi", "sv", "en")
    }
    assert len(set(texts.values())) == 3


@pytest.mark.django_db
def test_the_page_offers_to_try_the_same_address_again(client):
    with connection.execute_wrapper(unreachable_database):
        html = client.get("/kaytannot/?q=perhe&theme=x").content.decode()

    assert 'href="/kaytannot/?q=perhe&amp;theme=x"' in html


@pytest.mark.django_db
def test_a_form_sent_while_the_database_is_down_gets_the_page_too(client):
    with connection.execute_wrapper(unreachable_database):
        response = client.post("/palaute/", {"topic": "other", "message": "Hei"})

    assert response.status_code == 503
    assert translated(HEADING, "fi") in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, headers, language",
    [("", {}, "fi"), ("?lang=sv", {}, "sv"), ("", {"HTTP_ACCEPT_LANGUAGE": "en"}, "en")],
)
def test_the_api_answers_503_json(client, query, headers, language):
    with connection.execute_wrapper(unreachable_database):
        response = client.get(f"/api/practices/{query}", **headers)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert json.loads(response.content) == {"detail": translated(API_MESSAGE, language)}


@pytest.mark.django_db
def test_an_interface_error_gets_the_page_too(client):
    def closed_connection(execute, sql, params, many, context):
        raise InterfaceError("connection already closed")

    with connection.execute_wrapper(closed_connection):
        response = client.get("/")

    assert response.status_code == 503


@pytest.mark.django_db
def test_each_failure_is_logged_once_as_an_error(client, caplog):
    with connection.execute_wrapper(unreachable_database), caplog.at_level(logging.WARNING):
        client.get("/kaytannot/")

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [(record.name, record.getMessage()) for record in errors] == [
        (
            "config.resilience",
            "Database unavailable: OperationalError: connection to server at 127.0.0.1 failed: "
            "Connection refused",
        )
    ]
    assert errors[0].exc_info


class FailingSessionMiddleware:
    """Stands for a middleware that uses the database after the view (a session saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_a_failure_in_another_middleware_gets_the_page_too(settings, caplog):
    session = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: session + 1],
        f"{__name__}.FailingSessionMiddleware",
        *settings.MIDDLEWARE[session + 1 :],
    ]
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.WARNING):
        response = client.get("/sv/")

    assert_unavailable_page(response.status_code, response, response.content.decode(), "sv")
    # Django's own "Internal Server Error" record is left out: one line per failure.
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.name for record in errors] == ["config.resilience"]


@pytest.mark.django_db
def test_other_errors_still_get_the_server_error_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("practices.pages.render", broken)
    response = Client(raise_request_exception=False).get("/tietoa/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_page_template_does_not_use_the_database():
    from django.template import loader
    from django.test import RequestFactory

    request = RequestFactory().get("/sv/kaytannot/")
    # Outside a database test, any query would fail the test.
    with translation.override("sv"):
        html = loader.get_template("503.html").render(
            {"request": request, "contact_email": "toimitus@example.fi"}
        )

    assert translated(HEADING, "sv") in html
    assert "toimitus@example.fi" in html


# --- A real PostgreSQL server stopped and started under a running gunicorn --------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bindir():
    """PostgreSQL's server programs, as scripts/with-postgres finds them."""
    found = shutil.which("pg_config")
    if found:
        bindir = subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout
        if Path(bindir.strip(), "initdb").exists():
            return Path(bindir.strip())
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        pytest.fail("PostgreSQL server programs (initdb) not found: install postgresql.")
    return candidates[-1].parent


class Cluster:
    """A throwaway PostgreSQL cluster on a free port, which can be stopped and started."""

    def __init__(self):
        self.bindir = postgres_bindir()
        self.workdir = Path(tempfile.mkdtemp(prefix="kp-resilience-"))
        self.run_as = []
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root.
            shutil.chown(self.workdir, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data = self.workdir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/kaytantopankki"

    def run(self, program, *args):
        command = [*self.run_as, str(self.bindir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, f"{program} failed:\n{result.stdout}\n{result.stderr}"

    def create(self):
        self.run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("--locale=C.UTF-8", "--encoding=UTF8"),
        )
        self.start()
        self.run(
            "psql",
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"),
            *("-c", "CREATE DATABASE kaytantopankki", "postgres"),
        )

    def start(self):
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.workdir / "server.log")
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self):
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate"]
            + ["stop"],
            capture_output=True,
        )
        shutil.rmtree(self.workdir, ignore_errors=True)


def fetch(url, headers=None):
    """(status, headers, body text, seconds) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, head, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, body = error.code, error.headers, error.read()
    return status, head, body.decode(), time.monotonic() - started


PRACTICE_COUNT = 6


@pytest.fixture(scope="module")
def site():
    """gunicorn serving the site from its own PostgreSQL cluster with a few practices."""
    cluster = Cluster()
    workdir = cluster.workdir
    server = None
    try:
        cluster.create()
        port = free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "false",
            "STATIC_MANIFEST": "false",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "DATABASE_CONNECT_TIMEOUT": "2",
        }
        environment.pop("DJANGO_SETTINGS_MODULE", None)

        def manage(*args):
            result = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=environment,
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stdout + result.stderr

        manage("migrate", "--no-input", "-v", "0")
        manage(
            "shell",
            "-c",
            "from practices.models import Practice\n"
            f"for n in range({PRACTICE_COUNT}):\n"
            "    Practice.objects.create(name_fi=f'Kestävä toimintamalli {n}',"
            " slug=f'kestava-{n}', summary_fi='Kuvaus.', status=Practice.Status.PUBLISHED)\n",
        )
        log = open(workdir / "gunicorn.log", "w+")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (workdir / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield {"base": base, "cluster": cluster, "server": server, "log": workdir / "gunicorn.log"}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        cluster.remove()


def log_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def practice_count(base):
    status, _headers, body, _seconds = fetch(f"{base}/api/practices/")
    assert status == 200, body
    return json.loads(body)["count"]


def test_a_database_restart_gets_the_503_page_and_then_pages_again_without_a_restart(site):
    base, cluster, server = site["base"], site["cluster"], site["server"]
    assert fetch(f"{base}/")[0] == 200
    assert practice_count(base) == PRACTICE_COUNT

    cluster.stop()
    try:
        for path, language in [("/", "fi"), ("/kaytannot/", "fi"), ("/sv/", "sv"), ("/en/", "en")]:
            status, headers, html, seconds = fetch(f"{base}{path}")
            assert_unavailable_page(status, headers, html, language)
            assert seconds < 2, f"{path} took {seconds:.1f} s"

        status, headers, body, seconds = fetch(f"{base}/api/practices/")
        assert (status, json.loads(body)) == (503, {"detail": translated(API_MESSAGE, "fi")})
        assert headers["Retry-After"] == str(RETRY_AFTER)
        assert seconds < 2

        assert fetch(f"{base}/healthz")[:3:2] == (200, "ok\n")
        status, _headers, body, seconds = fetch(f"{base}/readyz")
        assert (status, json.loads(body)["checks"]["database"]) == (503, "unavailable")
        assert seconds < 2
    finally:
        cluster.start()

    # Back without restarting gunicorn: every thread's connection is a new one.
    deadline = time.monotonic() + 10
    while fetch(f"{base}/")[0] != 200:
        assert time.monotonic() < deadline, "the site did not recover within 10 seconds"
        time.sleep(0.2)
    for _ in range(8):
        assert fetch(f"{base}/kaytannot/")[0] == 200
    assert fetch(f"{base}/readyz")[0] == 200
    status, _headers, html, _seconds = fetch(f"{base}/kaytannot/")
    assert all(f"Kestävä toimintamalli {n}" in html for n in range(PRACTICE_COUNT))
    assert practice_count(base) == PRACTICE_COUNT

    assert server.poll() is None
    lines = log_lines(site["log"])
    assert sum("Booting worker" in line["message"] for line in lines) == 1, "a worker restarted"
    # One error line for each of the five requests answered 503, with the request's fields.
    failures = [line for line in lines if line["logger"] == "config.resilience"]
    assert len(failures) == 5
    assert {line["level"] for line in failures} == {"ERROR"}
    assert [line["path"] for line in failures] == [
        "/",
        "/kaytannot/",
        "/sv/",
        "/en/",
        "/api/practices/",
    ]
    assert all(line["request_id"] and line["exc_info"] for line in failures)
    (readiness,) = [line for line in lines if line["logger"] == "config.health"]
    assert (readiness["level"], readiness["path"]) == ("WARNING", "/readyz")
    assert not [line for line in lines if line["logger"] == "django.request"]
