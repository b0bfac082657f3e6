"""What the backup modules share: the error they raise and what they record of a database."""

from django.apps import apps
from django.db.migrations.recorder import MigrationRecorder

# The records counted in the manifest, by model label.
COUNTED_MODELS = {
    "practices": "practices.Practice",
    "practice_versions": "practices.HistoricalPractice",
    "attachments": "practices.Attachment",
    "organisations": "organisations.Organisation",
    "contacts": "contacts.Contact",
    "users": "auth.User",
}
MIGRATIONS_TABLE = MigrationRecorder.Migration._meta.db_table


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


def migration_state(rows):
    """{app label: [applied migration names, sorted]} of (app label, name) rows."""
    applied = {}
    for app_label, name in rows:
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def count_records(count_table):
    """{name: count} of COUNTED_MODELS, each table counted by count_table(table name)."""
    counts = {}
    for key, label in COUNTED_MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        counts[key] = count_table(model._meta.db_table)
    return counts
