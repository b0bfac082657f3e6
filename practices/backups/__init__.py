"""Backups of the whole site: the database and the uploaded files in one tar archive.

An archive holds

- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite: a copy made with SQLite's online backup API);
- ``media/…``: every file under MEDIA_ROOT (when uploads are kept on the file system);
- ``manifest.json``, written last: the format version, when and from which database vendor
  the archive was made, the applied migrations of every app, counts of the main records, and
  the size and SHA-256 checksum of every other file in the archive.

A restore reads the manifest, refuses an archive that this code cannot take (a newer format,
another database vendor, migrations this code does not have), then unpacks every file and
checks it against the manifest before anything is changed. Only then are the uploaded files
swapped in (the old ones are kept aside until the database is restored) and the database
replaced in one transaction; if that fails, the old files are put back. Finally the database
is migrated if the archive is older than the code, and every process is told to rebuild what
it keeps in memory about the practices.

The database is copied consistently: on PostgreSQL, the counts in the manifest are read in
the snapshot that pg_dump dumps (``pg_export_snapshot``); on SQLite, from the copy itself.
"""

from .archive import (
    BackupResult,
    check_restorable,
    create_backup,
    default_archive_name,
    describe_database,
    media_storage,
    missing_migrations,
    read_manifest,
    restore_backup,
)
from .common import BackupError

__all__ = [
    "BackupError",
    "BackupResult",
    "check_restorable",
    "create_backup",
    "default_archive_name",
    "describe_database",
    "media_storage",
    "missing_migrations",
    "read_manifest",
    "restore_backup",
]
