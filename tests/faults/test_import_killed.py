"""An import killed while it writes (SIGKILL: no exception handler, no rollback by the process
itself) leaves the database exactly as it was, and the same file imports completely afterwards.

Two ways of importing are killed: the import_practices command, and the background worker
(`manage.py db_worker`) writing an import confirmed in the admin. Each runs as a process of
its own against the test database. A process is killed only once it has reported that it is
well into writing (past the practices, their relations and history, into the search index),
and after it has been frozen (SIGSTOP) to show that its write transaction is open at that
moment. The database is compared by a fingerprint: the row count and a hash of the rows of
every table of the practices, organisations and contacts apps (edit history and search
index included) and of the admin's log.

The test database of SQLite lives in memory, out of another process's reach: there it is
copied to a file for the other process and copied back afterwards (SharedDatabase).
PostgreSQL's test database is used as it is.
"""

import hashlib
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from practices.models import Practice, PracticeImport
from practices.spreadsheets.export import practice_rows, write_xlsx
from practices.spreadsheets.reading import HEADINGS

pytestmark = pytest.mark.django_db(transaction=True)

USERNAME = "tuoja"
# Practices in the database before the import; the file updates every one of them.
EXISTING = 150
# Practices the file adds.
NEW = 1800
# The import is killed once it reports this share of its writing done: the practices (the
# first third), their relations and edit history (the second) are written, and the search
# index (the last third) is being written.
KILL_AT_PERCENT = 67
# The longest wait for a process to reach a point.
TIMEOUT = 300
FINGERPRINTED_APPS = ("practices", "organisations", "contacts")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The worker as `manage.py db_worker` runs it, reporting the import's writing progress on
# stderr ("writing 1950/5850"); otherwise unchanged.
REPORTING_WORKER = """
import sys

import django

django.setup()

from django.core.management import execute_from_command_line

from practices.spreadsheets import jobs

apply_import = jobs.apply_import


def reporting_apply_import(plan, *, user, progress=None):
    def reporting(done, total):
        if progress is not None:
            progress(done, total)  # the job's own heartbeat
        sys.stderr.write(f"writing {done}/{total}\\n")
        sys.stderr.flush()

    return apply_import(plan, user=user, progress=reporting)


jobs.apply_import = reporting_apply_import
execute_from_command_line(["manage.py", "db_worker", *sys.argv[1:]])
"""


# --- The database as another process sees it ------------------------------------------------


class SharedDatabase:
    """The test database for a process of its own. PostgreSQL: the test database itself.
    SQLite: its in-memory test database copied to a file (share()) and back (take_back())."""

    def __init__(self, directory):
        self.sqlite = connection.vendor == "sqlite"
        self.file = directory / "shared.sqlite3"

    @property
    def url(self):
        if self.sqlite:
            return f"sqlite:///{self.file}"
        database = connection.settings_dict
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = quote(database["HOST"] or "localhost", safe="")
        port = f":{database['PORT']}" if database["PORT"] else ""
        return f"postgres://{credentials}@{host}{port}/{quote(database['NAME'], safe='')}"

    def share(self):
        """Let another process see the test database as it is now."""
        if self.sqlite:
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def take_back(self):
        """Make the test database what the other process left behind. Opening the file
        recovers it as SQLite does after a crash: a hot journal is rolled back."""
        if self.sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def environment(self):
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "PYTHONPATH": str(settings.BASE_DIR),
        }

    def assert_writing(self, pid):
        """The frozen process `pid` holds an open write transaction that has written
        practices."""
        if self.sqlite:
            probe = sqlite3.connect(self.file, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    probe.execute("BEGIN IMMEDIATE")
            finally:
                probe.close()
            return
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT DISTINCT c.relname
                FROM pg_locks l
                JOIN pg_class c ON c.oid = l.relation
                JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                  AND a.xact_start IS NOT NULL AND l.mode = 'RowExclusiveLock' AND l.granted
                """
            )
            locked = {name for (name,) in cursor.fetchall()}
        assert {"practices_practice", "practices_practicesearchdocument"} <= locked, locked

    def wait_for_disconnection(self):
        """PostgreSQL: wait until the killed process's server backend has gone (its
        transaction rolled back)."""
        if self.sqlite:
            return
        deadline = time.monotonic() + TIMEOUT
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                (others,) = cursor.fetchone()
            if not others:
                return
            assert time.monotonic() < deadline, "the killed import's connection stayed open"
            time.sleep(0.1)


@pytest.fixture
def shared_database(tmp_path):
    return SharedDatabase(tmp_path)


def fingerprint(exclude=()):
    """{table: (row count, hash of its rows)} for every table of FINGERPRINTED_APPS (those
    without a model too, such as SQLite's full-text index) and the admin's log."""
    wanted = {LogEntry._meta.db_table}
    for label in FINGERPRINTED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            wanted.add(model._meta.db_table)
    prefixes = tuple(f"{label}_" for label in FINGERPRINTED_APPS)
    with connection.cursor() as cursor:
        tables = {
            name
            for name in connection.introspection.table_names(cursor)
            if name in wanted or name.startswith(prefixes)
        }
        result = {}
        for table in sorted(tables - set(exclude)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                for row in cursor.fetchall()
            )
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


# --- The data and the file ------------------------------------------------------------------


@pytest.fixture
def importer():
    call_command("load_reference_data", stdout=StringIO())
    call_command("generate_practices", str(EXISTING), "--seed", "7", stdout=StringIO())
    # A few versions in the edit history, which must survive too.
    for practice in Practice.objects.order_by("pk")[:5]:
        practice.summary_fi += " Tarkistettu."
        practice.save()
    return get_user_model().objects.create_superuser(USERNAME, "tuoja@example.fi")


@pytest.fixture
def workbook(importer, tmp_path):
    """An Excel workbook that updates every existing practice (a new short description) and
    adds NEW practices, copies of the existing ones under new names and identifiers."""
    columns = list(HEADINGS)
    identifier, name, summary = (columns.index(key) for key in ("identifier", "name", "summary"))
    existing = list(practice_rows(Practice.objects.order_by("pk")))
    rows = []
    for row in existing:
        row[summary] = f"Päivitetty kuvaus: {row[summary]}"
        rows.append(row)
    for number in range(1, NEW + 1):
        row = list(existing[number % len(existing)])
        row[identifier] = f"{row[identifier][:80]}-versio-{number}"
        row[name] = f"{row[name]} – versio {number}"
        rows.append(row)
    path = tmp_path / "kaytannot.xlsx"
    write_xlsx(rows, str(path))
    return path


def assert_imported_completely(existing_ids):
    assert Practice.objects.count() == EXISTING + NEW
    assert Practice.objects.filter(name_fi__contains=" – versio ").count() == NEW
    updated = Practice.objects.filter(pk__in=existing_ids)
    assert all(p.summary_fi.startswith("Päivitetty kuvaus: ") for p in updated)


# --- Processes ------------------------------------------------------------------------------


class Output:
    """What a child process writes to a file descriptor (a pipe or a terminal), read as it
    comes."""

    def __init__(self, fd):
        self.fd = fd
        self.data = b""

    @property
    def text(self):
        return self.data.decode(errors="replace")

    def wait_for(self, pattern, process, accept):
        """Read until the latest match of `pattern` is one that `accept` takes; return it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            matches = list(regex.finditer(self.text))
            if matches and accept(matches[-1]):
                return matches[-1]
            ready, _w, _x = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # a terminal whose process has ended
                    chunk = b""
                self.data += chunk
                if chunk:
                    continue
            if process.poll() is not None:
                break
        pytest.fail(
            f"The process did not report {pattern!r} (exit status {process.poll()}):\n{self.text}"
        )


def freeze_and_kill(process, shared_database):
    """Stop the process where it is, show that its write transaction is open, kill it."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        shared_database.assert_writing(process.pid)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL
    shared_database.wait_for_disconnection()


@pytest.fixture
def processes():
    """Every process a test starts is killed at its end, whatever happens."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- The import_practices command -----------------------------------------------------------


def test_a_killed_import_command_leaves_the_database_as_it_was(
    workbook, shared_database, processes, tmp_path
):
    before = fingerprint()
    existing_ids = list(Practice.objects.values_list("pk", flat=True))
    shared_database.share()

    # Standard error on a terminal, where the command shows its progress bars.
    terminal, terminal_end = pty.openpty()
    with (tmp_path / "stdout.txt").open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_practices", str(workbook), "--user", USERNAME],
            cwd=settings.BASE_DIR,
            env=shared_database.environment(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=terminal_end,
        )
    processes.append(process)
    os.close(terminal_end)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            writing = re.escape(gettext("Writing"))
        reached = Output(terminal).wait_for(
            writing + r" \[[█░]+\]\s*(\d+) %",
            process,
            accept=lambda match: KILL_AT_PERCENT <= int(match[1]) < 100,
        )
        freeze_and_kill(process, shared_database)
    finally:
        os.close(terminal)

    assert KILL_AT_PERCENT <= int(reached[1]) < 100
    shared_database.take_back()
    assert fingerprint() == before
    assert Practice.objects.count() == EXISTING

    again = subprocess.run(
        [sys.executable, "manage.py", "import_practices", str(workbook), "--user", USERNAME],
        cwd=settings.BASE_DIR,
        env=shared_database.environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert again.returncode == 0, again.stderr
    shared_database.take_back()
    assert_imported_completely(existing_ids)


# --- The admin's background import (db_worker) ----------------------------------------------


def _url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:practices_practice_{name}", args=args)


def _run_worker_here():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


def _upload(client, workbook):
    upload = SimpleUploadedFile(workbook.name, workbook.read_bytes(), content_type=XLSX_TYPE)
    response = client.post(_url("import"), {"import_file": upload})
    assert response.status_code == 302
    job = PracticeImport.objects.get()
    # Checked (a dry run) in the background too.
    _run_worker_here()
    job.refresh_from_db()
    assert job.status == PracticeImport.Status.CHECKED, job.message
    return job


def test_a_killed_import_worker_leaves_the_database_as_it_was_and_the_admin_says_so(
    workbook, importer, shared_database, processes, client, settings
):
    settings.PRACTICE_IMPORT_INLINE_BYTES = 0
    client.force_login(importer)
    existing_ids = list(Practice.objects.values_list("pk", flat=True))
    job = _upload(client, workbook)
    client.post(_url("import_apply", job.pk))
    job.refresh_from_db()
    assert job.status == PracticeImport.Status.APPLYING
    # The job's own row records its progress outside the import's transaction.
    before = fingerprint(exclude=[PracticeImport._meta.db_table])
    shared_database.share()

    process = subprocess.Popen(
        [sys.executable, "-c", REPORTING_WORKER, "--batch", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=shared_database.environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    processes.append(process)
    reached = Output(process.stderr.fileno()).wait_for(
        r"writing (\d+)/(\d+)\n",
        process,
        accept=lambda match: KILL_AT_PERCENT <= 100 * int(match[1]) // int(match[2]) < 100,
    )
    freeze_and_kill(process, shared_database)
    process.stderr.close()

    assert int(reached[1]) < int(reached[2])
    shared_database.take_back()
    assert fingerprint(exclude=[PracticeImport._meta.db_table]) == before
    assert Practice.objects.count() == EXISTING
    job.refresh_from_db()
    assert job.status == PracticeImport.Status.APPLYING

    # Nothing reports on the job any more: once PRACTICE_IMPORT_STALL_MINUTES have passed,
    # the admin shows it as stopped.
    stalled = timezone.now() - timedelta(minutes=settings.PRACTICE_IMPORT_STALL_MINUTES + 1)
    PracticeImport.objects.filter(pk=job.pk).update(updated_at=stalled)
    page = client.get(_url("import_job", job.pk), HTTP_ACCEPT_LANGUAGE="en").text
    assert (
        "The import has stopped responding. Nothing was written; discard it and upload the "
        "file again." in page
    )
    assert '<meta http-equiv="refresh"' not in page
    assert client.post(_url("import_discard", job.pk)).status_code == 302
    assert not PracticeImport.objects.exists()

    job = _upload(client, workbook)
    client.post(_url("import_apply", job.pk))
    _run_worker_here()
    job.refresh_from_db()
    assert job.status == PracticeImport.Status.APPLIED, job.message
    assert_imported_completely(existing_ids)
    page = client.get(_url("import_job", job.pk)).text
    assert f"Imported: {NEW} new, {EXISTING} updated and 0 unchanged practices." in page
