"""A background import reports that it is alive while its transaction writes (PostgreSQL): the
job's updated_at, as another connection sees it, moves on during the writing, so a long import
is not shown as stopped (PracticeImport.is_stalled)."""

import io
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from practices.models import Practice, PracticeImport
from practices.spreadsheets import jobs
from practices.spreadsheets.export import example_row, write_xlsx
from practices.spreadsheets.reading import HEADINGS

# Committed for real: the heartbeat is read from another connection.
pytestmark = pytest.mark.django_db(transaction=True)


def _xlsx(count):
    rows = []
    for number in range(count):
        row = dict(zip(HEADINGS, example_row(), strict=True))
        row.update({"identifier": "", "name": f"Sykkeellinen malli {number}"})
        rows.append([row[key] for key in HEADINGS])
    buffer = io.BytesIO()
    write_xlsx(rows, buffer)
    return buffer.getvalue()


def _seen_by_another_connection(pk):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f'SELECT updated_at FROM "{PracticeImport._meta.db_table}" WHERE id = %s', [pk]
            )
            return cursor.fetchone()[0]
    finally:
        other.close()


def test_a_long_import_reports_that_it_is_alive_while_it_writes(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one connection write at a time: no heartbeat there")
    call_command("load_reference_data", stdout=StringIO())
    user = get_user_model().objects.create_superuser("tuoja", "t@example.fi", "a-long-password-1")
    job = PracticeImport.objects.create(
        created_by=user, filename="iso.xlsx", content=_xlsx(3), language="fi"
    )
    jobs.check(job)
    assert job.status == PracticeImport.Status.CHECKED, job.message
    assert jobs.start_applying(job)
    # As if the checking had been long ago: the job would be shown as stopped.
    long_ago = timezone.now() - timedelta(hours=1)
    PracticeImport.objects.filter(pk=job.pk).update(updated_at=long_ago)
    assert PracticeImport.objects.get(pk=job.pk).is_stalled

    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0)
    seen = []
    write = jobs.apply_import

    def writing(plan, *, user, progress):
        def reported(done, total):
            progress(done, total)
            # The practices written so far are not committed yet; the heartbeat is.
            seen.append(_seen_by_another_connection(job.pk))

        return write(plan, user=user, progress=reported)

    monkeypatch.setattr(jobs, "apply_import", writing)
    started = timezone.now()
    jobs.apply(job)

    assert job.status == PracticeImport.Status.APPLIED, job.message
    assert Practice.objects.filter(name_fi__startswith="Sykkeellinen malli").count() == 3
    assert seen, "the import reported no progress"
    # Another connection saw the job alive while the import's transaction was still open.
    assert all(updated_at >= started for updated_at in seen)
