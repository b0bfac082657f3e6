"""Admin imports as jobs: a stored upload is checked (a dry run whose preview is kept) and,
once staff confirm, written — within the request for small files, as background tasks
(practices.tasks) for large ones.

Confirming writes only what the preview showed: the file is planned again and written only
if the plan is the same as the one checked. If the practices changed in between, the job
goes back to "ready" with a fresh preview.
"""

import contextlib
import hashlib
import io
import json
import logging
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from practices.models import PracticeImport

from .importing import apply_import, plan_import
from .reading import read_table

logger = logging.getLogger(__name__)

# The preview lists at most this many rows of each kind (and errors); counts are exact.
PREVIEW_LIMIT = 1000
# A change's old and new text are shown up to this many characters.
TEXT_LIMIT = 3000
# The checking progress is written to the database every this many rows.
PROGRESS_EVERY = 200
# While the practices are written, the job reports that it is alive at most this often.
HEARTBEAT_SECONDS = 30

Status = PracticeImport.Status


def _shorten(text):
    text = str(text)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _error(error):
    return {"row": error.row, "column": error.column or "", "message": str(error.message)}


def _row(row, **extra):
    item = {"row": row.number, "name": row.name}
    if row.practice is not None and row.practice.pk:
        item["id"] = row.practice.pk
    item.update(extra)
    return item


def preview_of(plan):
    """The plan as the preview page shows it: plain JSON, its text in the active language."""
    new, updated, unchanged = plan.new, plan.updated, plan.unchanged
    return {
        "counts": {
            "new": len(new),
            "updated": len(updated),
            "unchanged": len(unchanged),
            "errors": len(plan.errors),
        },
        "errors": [_error(error) for error in plan.errors[:PREVIEW_LIMIT]],
        "new": [_row(row) for row in new[:PREVIEW_LIMIT]],
        "updated": [
            _row(
                row,
                changes=[
                    {
                        "label": change.label,
                        "old": _shorten(change.old),
                        "new": _shorten(change.new),
                    }
                    for change in row.changes
                ],
            )
            for row in updated[:PREVIEW_LIMIT]
        ],
        "unchanged": [_row(row) for row in unchanged[:PREVIEW_LIMIT]],
        "new_organisations": list(plan.new_organisations),
        "new_collections": list(plan.new_collections),
    }


def digest_of(plan):
    """A fingerprint of everything the plan would write."""
    content = [
        [
            row.number,
            row.action,
            row.practice.pk if row.practice is not None else None,
            [[change.field, change.old, change.new] for change in row.changes],
        ]
        for row in plan.rows
    ]
    content.append(sorted(plan.new_organisations))
    content.append(sorted(plan.new_collections))
    return hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()


def _plan(job):
    table = read_table(
        io.BytesIO(bytes(job.content)), filename=job.filename, sheet=job.sheet or None
    )
    total = len(table.rows)
    PracticeImport.objects.filter(pk=job.pk).update(
        rows_total=total, rows_done=0, updated_at=timezone.now()
    )

    def progress(done, total):
        if done % PROGRESS_EVERY == 0:
            PracticeImport.objects.filter(pk=job.pk).update(
                rows_done=done, updated_at=timezone.now()
            )

    # The rows are held to what the uploader may do: their organisations' practices only.
    plan = plan_import(table, progress=progress, user=job.created_by)
    return plan, total


def check(job):
    """Read and plan the job's file; keep the preview. Writes no practices."""
    with translation.override(job.language):
        try:
            plan, total = _plan(job)
        except Exception:
            logger.exception("Checking the import %s failed", job.pk)
            _fail(job, _("The file could not be checked because of an unexpected error."))
            return job
        job.rows_total = total
        job.rows_done = total
        job.preview = preview_of(plan)
        job.digest = digest_of(plan)
        job.status = Status.CHECKED if plan.is_valid else Status.INVALID
        job.message = ""
        if not plan.is_valid:
            job.content = b""
            job.finished_at = timezone.now()
        job.save()
    return job


def start_applying(job):
    """Claim a checked job for writing; False if it is not (or no longer) ready, e.g. when
    it was confirmed twice."""
    claimed = PracticeImport.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.APPLYING, rows_done=0, updated_at=timezone.now()
    )
    if claimed:
        job.status = Status.APPLYING
    return bool(claimed)


def apply(job):
    """Write a job claimed by start_applying(), if its plan is still the one checked."""
    with translation.override(job.language):
        try:
            plan, total = _plan(job)
            if digest_of(plan) != job.digest or not plan.is_valid:
                job.preview = preview_of(plan)
                job.digest = digest_of(plan)
                job.rows_total = job.rows_done = total
                job.status = Status.CHECKED if plan.is_valid else Status.INVALID
                job.message = _(
                    "The practices changed after the file was checked, so nothing was "
                    "imported. Look at the changes below again."
                )
                job.save()
                return job
            with _heartbeat(job) as progress, transaction.atomic():
                result = apply_import(plan, user=job.created_by, progress=progress)
        except Exception:
            logger.exception("Applying the import %s failed", job.pk)
            _fail(
                job,
                _(
                    "The import stopped because of an unexpected error. Nothing was "
                    "imported; the practices are as they were."
                ),
            )
            return job
        job.preview["applied"] = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        job.rows_done = total
        job.status = Status.APPLIED
        job.content = b""
        job.message = ""
        job.finished_at = timezone.now()
        job.save()
    return job


@contextlib.contextmanager
def _heartbeat(job):
    """A progress(done, total) for apply_import() that keeps the job's updated_at current
    while its transaction writes, so that a long import is not taken for a stopped one
    (PracticeImport.is_stalled). The import's own transaction shows nothing to others before
    it commits, so the heartbeat is written on a connection of its own, and never waits for a
    lock. PostgreSQL only: SQLite lets one connection write at a time (there, a job writing
    for longer than PRACTICE_IMPORT_STALL_MINUTES would be shown as stopped)."""
    alias = job._state.db or DEFAULT_DB_ALIAS
    if connections[alias].vendor != "postgresql":
        yield None
        return
    own = connections.create_connection(alias)
    table = PracticeImport._meta.db_table
    last = time.monotonic()

    def progress(done, total):
        nonlocal last
        if time.monotonic() - last < HEARTBEAT_SECONDS:
            return
        last = time.monotonic()
        try:
            with own.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    f'UPDATE "{table}" SET updated_at = %s WHERE id = %s', [timezone.now(), job.pk]
                )
        except DatabaseError:
            # Only a sign of life: the import goes on without it.
            logger.warning("Could not report that the import %s is running", job.pk)

    try:
        yield progress
    finally:
        own.close()


def _fail(job, message):
    job.status = Status.FAILED
    job.message = message
    job.content = b""
    job.finished_at = timezone.now()
    job.save()
