"""SQLite: copies with SQLite's online backup API, in both directions."""

import sqlite3

from django.utils.translation import gettext as _

from .common import MIGRATIONS_TABLE, BackupError, count_records, migration_state


def dump(connection, destination):
    """Copy the database into destination with SQLite's online backup API."""
    connection.ensure_connection()
    copy = sqlite3.connect(destination)
    try:
        connection.connection.backup(copy)

        def count_table(table):
            quoted = connection.ops.quote_name(table)
            return copy.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]

        counts = count_records(count_table)
        migrations = migration_state(copy.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE}"))
    finally:
        copy.close()
    return counts, migrations, {"sqlite_version": sqlite3.sqlite_version}


def restore(connection, unpacked, work_dir):
    """Replace the database with the unpacked archive's copy, in one step."""
    source = sqlite3.connect(unpacked.dump)
    try:
        problems = source.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(
                _("The archive's database is damaged (%(problem)s). Nothing was changed.")
                % {"problem": problems[0][0]}
            )
        connection.ensure_connection()
        # Replaces the whole database in one step, through the site's own connection.
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            _("Restoring the database failed, and it was left as it was: %(error)s")
            % {"error": exc}
        ) from exc
    finally:
        source.close()
    connection.close()
