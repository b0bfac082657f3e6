"""Structured logs: one JSON object a line on standard output, from the application and from
gunicorn, with the request's id, method and path; never a cookie or an Authorization header."""

import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from config.logging import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
LEADING_FIELDS = ["timestamp", "level", "logger", "message"]


def json_lines(text):
    """Every line of the output, parsed (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def output():
    """What the LOGGING setting's handler writes (to standard output outside the tests)."""
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, JsonFormatter)
    ]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_warning_during_a_request_is_one_json_line_with_the_request_fields(client, output):
    response = client.get("/kaytannot/ei-tallaista/?q=x", HTTP_COOKIE="sessionid=secret-cookie")

    assert response.status_code == 404
    lines = json_lines(output.getvalue())
    assert len(lines) == 1
    line = lines[0]
    assert list(line)[:4] == LEADING_FIELDS
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert line["message"] == "Not Found: /kaytannot/ei-tallaista/"
    assert line["timestamp"].endswith("+00:00")
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"]) == ("GET", "/kaytannot/ei-tallaista/")
    assert line["status_code"] == 404
    assert "secret-cookie" not in json.dumps(line)


@pytest.mark.django_db
def test_an_error_carries_its_traceback_in_the_same_line(output, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the template is gone")

    monkeypatch.setattr("practices.pages.render", broken)
    response = Client(raise_request_exception=False).get("/tietoa/")

    assert response.status_code == 500
    (line,) = json_lines(output.getvalue())
    assert (line["level"], line["logger"]) == ("ERROR", "django.request")
    assert line["path"] == "/tietoa/"
    assert "Traceback" in line["exc_info"]
    assert "RuntimeError: the template is gone" in line["exc_info"]


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a9c1e-0001")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")

    assert kept["X-Request-ID"] == "lb-4f2a9c1e-0001"
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_text_format_for_a_terminal():
    from config.logging import TextFormatter

    record = logging.LogRecord("practices", logging.WARNING, __file__, 1, "Hello %s", ("x",), None)
    line = TextFormatter().format(record)

    assert line.endswith(" WARNING practices Hello x")


def test_an_unknown_log_format_stops_the_start_up():
    environment = {**os.environ, "DEBUG": "true", "LOG_FORMAT": "xml"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text, got 'xml'" in result.stderr


# --- gunicorn ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn with config/gunicorn.conf.py; /healthz needs no database, so an empty SQLite
    file will do."""
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'empty.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        # An existing (empty) folder: WhiteNoise warns on stderr about a missing one.
        "STATIC_ROOT": str(folder),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("LOG_FORMAT", None)
    log = folder / "gunicorn.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "Booting worker" not in log.read_text() or "index" not in log.read_text():
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield {"base": f"http://127.0.0.1:{port}", "log": log}
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_gunicorn_writes_one_json_line_per_request(gunicorn):
    request = urllib.request.Request(
        f"{gunicorn['base']}/healthz?probe=1",
        headers={
            "X-Request-ID": "lb-request-0042",
            "Cookie": "sessionid=secret-cookie",
            "Authorization": "Bearer secret-token",
            "User-Agent": 'probe "1.0"',
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    time.sleep(0.3)

    lines = json_lines(gunicorn["log"].read_text())
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) == 1
    line = access[0]
    assert list(line)[:4] == LEADING_FIELDS
    assert line["message"] == "GET /healthz 200"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["query"] == "probe=1"
    assert line["status"] == 200
    assert line["request_id"] == "lb-request-0042"
    assert line["user_agent"] == 'probe "1.0"'
    assert isinstance(line["duration_ms"], float)
    assert line["bytes"] == 3
    assert "secret" not in gunicorn["log"].read_text()


def test_gunicorn_messages_are_json_too(gunicorn):
    lines = json_lines(gunicorn["log"].read_text())
    messages = [(line["logger"], line["level"], line["message"]) for line in lines]

    assert ("gunicorn.error", "INFO", "Starting gunicorn") in [
        (logger, level, message.rsplit(" ", 1)[0]) for logger, level, message in messages
    ]
    # The database has no tables: the worker starts anyway, and says why the index waits.
    warnings = [message for logger, level, message in messages if level == "WARNING"]
    assert len(warnings) == 1
    assert warnings[0].startswith("The list's index was not built at start: no such table")
