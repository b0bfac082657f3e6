"""The import_practices command: its progress bar, its exit status, and that a failure
while writing leaves the database as it was."""

import inspect
import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from organisations.models import Organisation
from practices.management.commands import import_practices
from practices.management.commands.import_practices import ProgressBar
from practices.models import Practice, PracticeSearchDocument
from practices.spreadsheets.importing import apply_import as real_apply_import

USERNAME = "tuoja"
BAR = "█"
EMPTY = "░"


class Terminal(StringIO):
    """Standard error as a terminal."""

    def isatty(self):
        return True


@pytest.fixture
def importer(db):
    return get_user_model().objects.create_superuser(USERNAME, "tuoja@example.fi")


def workbook(path, count, *, bad_row=None):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nimi", "Lyhyt kuvaus", "Organisaatiot"])
    for number in range(1, count + 1):
        # A row without its short description is an error.
        summary = "" if number == bad_row else f"Kuvaus {number}."
        sheet.append([f"Malli {number}", summary, "Uusi ry"])
    book.save(path)
    return path


def run(path, *args, stderr=None):
    stdout = StringIO()
    stderr = stderr if stderr is not None else StringIO()
    with translation.override("en"):
        call_command(
            "import_practices", str(path), "--user", USERNAME, *args, stdout=stdout, stderr=stderr
        )
    return stdout.getvalue(), stderr.getvalue()


def state():
    return (
        Practice.objects.count(),
        Organisation.objects.count(),
        LogEntry.objects.count(),
        PracticeSearchDocument.objects.count(),
    )


# -- The progress bar ------------------------------------------------------------------------


def test_the_bar_fills_in_place_and_redraws_once_per_percent():
    terminal = Terminal()
    bar = ProgressBar(terminal, "Checking")

    with translation.override("en"):
        for done in range(1, 10_001):
            bar(done, 10_000)
            if done == 6000:
                at_sixty = terminal.getvalue().rsplit("\r", 1)[-1]

    output = terminal.getvalue()
    assert at_sixty == f"Checking [{BAR * 18}{EMPTY * 12}]  60 %  6000/10000 rows"
    # The first row, then each whole percentage.
    assert output.count("\r") == 101
    assert output.endswith(f"\rChecking [{BAR * 30}] 100 %  10000/10000 rows\n")
    assert output.count("\n") == 1


def test_an_unfinished_bar_ends_its_line():
    terminal = Terminal()
    bar = ProgressBar(terminal, "Checking")
    with translation.override("en"):
        bar(3, 10)
    bar.finish()
    bar.finish()

    assert terminal.getvalue() == f"\r{bar.label} [{BAR * 9}{EMPTY * 21}]  30 %  3/10 rows\n"


def test_a_terminal_shows_the_progress_of_checking_and_the_summary(importer, tmp_path):
    path = workbook(tmp_path / "practices.xlsx", 250)

    stdout, stderr = run(path, stderr=Terminal())

    assert f"\rChecking [{BAR * 30}] 100 %  250/250 rows\n" in stderr
    assert f"\rChecking [{BAR * 3}{EMPTY * 27}]  10 %  25/250 rows" in stderr
    assert "New: 250, updated: 0, unchanged: 0, errors: 0, new organisations: 1" in stdout
    assert "The import was applied." in stdout
    assert Practice.objects.count() == 250
    if "progress" in inspect.signature(real_apply_import).parameters:
        assert f"\rWriting [{BAR * 30}] 100 %\n" in stderr


def test_nothing_but_errors_goes_to_stderr_when_it_is_not_a_terminal(importer, tmp_path):
    path = workbook(tmp_path / "practices.xlsx", 20)

    stdout, stderr = run(path)

    assert stderr == ""
    assert "New: 20" in stdout


def test_writing_shows_progress_when_apply_import_reports_it(importer, tmp_path, monkeypatch):
    def reporting_apply_import(plan, *, user, progress=None):
        result = real_apply_import(plan, user=user)
        for done in range(1, 6):
            progress(done, 5)
        return result

    monkeypatch.setattr(import_practices, "apply_import", reporting_apply_import)

    _stdout, stderr = run(workbook(tmp_path / "practices.xlsx", 5), stderr=Terminal())

    assert f"\rWriting [{BAR * 12}{EMPTY * 18}]  40 %\r" in stderr
    assert f"\rWriting [{BAR * 30}] 100 %\n" in stderr


def test_writing_shows_no_progress_when_apply_import_cannot_report_it(
    importer, tmp_path, monkeypatch
):
    calls = []

    def quiet_apply_import(plan, *, user):
        calls.append(user)
        return real_apply_import(plan, user=user)

    monkeypatch.setattr(import_practices, "apply_import", quiet_apply_import)

    _stdout, stderr = run(workbook(tmp_path / "practices.xlsx", 5), stderr=Terminal())

    assert calls == [importer]
    assert "Checking [" in stderr
    assert "Writing" not in stderr
    assert Practice.objects.count() == 5


# -- Outcomes --------------------------------------------------------------------------------


def test_a_clean_dry_run_succeeds_and_writes_nothing(importer, tmp_path):
    stdout, _stderr = run(workbook(tmp_path / "practices.xlsx", 3), "--dry-run")

    assert "New: 3, updated: 0, unchanged: 0, errors: 0" in stdout
    assert stdout.rstrip().endswith("Dry run: nothing was written.")
    assert state() == (0, 0, 0, 0)


def test_a_dry_run_of_a_file_with_errors_fails(importer, tmp_path):
    path = workbook(tmp_path / "practices.xlsx", 3, bad_row=2)

    with pytest.raises(CommandError, match="1 error. Nothing was imported"):
        run(path, "--dry-run")


def test_help_documents_the_exit_status():
    with translation.override("en"):
        help_text = import_practices.Command().help

    assert "Exit status: 0 when the import was applied, or when a dry run found no" in help_text


@pytest.mark.parametrize(
    ("exception", "message", "returncode"),
    [
        (
            RuntimeError("disk full"),
            r"^The import failed \(RuntimeError: disk full\)\. Nothing was written\.$",
            1,
        ),
        (KeyboardInterrupt(), r"^The import was interrupted\. Nothing was written\.$", 130),
    ],
    ids=["error", "interrupt"],
)
def test_a_failure_after_writing_began_leaves_the_database_untouched(
    importer, tmp_path, monkeypatch, exception, message, returncode
):
    def failing_apply_import(plan, *, user):
        # Everything is written, the search index included, before the failure.
        real_apply_import(plan, user=user)
        assert Practice.objects.count() == 5
        raise exception

    monkeypatch.setattr(import_practices, "apply_import", failing_apply_import)
    before = state()

    with pytest.raises(CommandError, match=message) as caught:
        run(workbook(tmp_path / "practices.xlsx", 5))

    assert caught.value.returncode == returncode
    assert state() == before


# -- Exit status, as a shell sees it ---------------------------------------------------------

FAILING_RUN = """
import sys
import django

django.setup()
from django.core.management import execute_from_command_line
from practices.management.commands import import_practices
from practices.spreadsheets.importing import apply_import


def failing(plan, *, user):
    apply_import(plan, user=user)
    raise RuntimeError("disk full")


import_practices.apply_import = failing
execute_from_command_line(["manage.py", "import_practices", *sys.argv[1:]])
"""
CREATE_USER = """
import django

django.setup()
from django.contrib.auth import get_user_model

get_user_model().objects.create_superuser("tuoja")
"""


def _environment(database):
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    return environment


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A migrated SQLite database with the importing user, made once for these tests."""
    database = tmp_path_factory.mktemp("import-command") / "template.sqlite3"
    environment = _environment(database)
    base = Path(settings.BASE_DIR)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=base,
        env=environment,
        check=True,
        capture_output=True,
    )
    subprocess.run([sys.executable, "-c", CREATE_USER], cwd=base, env=environment, check=True)
    return database


@pytest.fixture
def database(migrated_database, tmp_path):
    copy = tmp_path / "db.sqlite3"
    shutil.copy(migrated_database, copy)
    return copy


def shell(database, *args, script=None):
    command = [sys.executable, "-c", script] if script else [sys.executable, "manage.py"]
    if not script:
        command.append("import_practices")
    return subprocess.run(
        [*command, *args],
        cwd=settings.BASE_DIR,
        env=_environment(database),
        capture_output=True,
        text=True,
        timeout=120,
    )


def practices_in(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM practices_practice").fetchone()[0]


def test_exit_status_is_zero_only_when_everything_was_applied(database, tmp_path):
    good = workbook(tmp_path / "good.xlsx", 3)
    bad = workbook(tmp_path / "bad.xlsx", 3, bad_row=2)

    dry_run = shell(database, str(good), "--dry-run")
    refused = shell(database, str(bad), "--user", USERNAME)
    assert practices_in(database) == 0
    applied = shell(database, str(good), "--user", USERNAME)

    assert dry_run.returncode == 0, dry_run.stderr
    assert refused.returncode == 1
    # One line, in the site's language, and no traceback.
    assert refused.stderr.startswith("CommandError: ")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert applied.returncode == 0, applied.stderr
    assert practices_in(database) == 3


def test_an_unexpected_failure_exits_non_zero_with_one_clear_line(database, tmp_path):
    path = str(workbook(tmp_path / "good.xlsx", 3))

    failed = shell(database, path, "--user", USERNAME, script=FAILING_RUN)
    traced = shell(database, path, "--user", USERNAME, "--traceback", script=FAILING_RUN)

    assert failed.returncode == 1
    assert failed.stderr.startswith("CommandError: ")
    assert "(RuntimeError: disk full)" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    assert traced.returncode == 1
    assert "Traceback" in traced.stderr and "RuntimeError: disk full" in traced.stderr
    assert practices_in(database) == 0
