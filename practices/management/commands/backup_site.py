from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from practices.backups import BackupError, create_backup, default_archive_name, describe_database


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Write a backup of the site into one tar archive: a dump of the database (pg_dump "
            "on PostgreSQL, SQLite's online backup otherwise), the uploaded files, and a "
            "manifest with the applied migrations, counts and a checksum of every file. "
            "`restore_site` restores it."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default="backups",
            help=_(
                "Folder to write the archive into, as kaytantopankki-YYYYMMDD-HHMMSS.tar "
                "(default: %(default)s)."
            ),
        )
        parser.add_argument(
            "--output",
            help=_("Path of the archive to write, instead of a name in --output-dir."),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("Database to back up (default: %(default)s)."),
        )

    def handle(self, *args, output_dir, output, database, **options):
        destination = Path(output) if output else Path(output_dir) / default_archive_name()
        try:
            result = create_backup(destination, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.media_included:
            self.stderr.write(
                _(
                    "The uploaded files are not kept in a folder of this server, so the archive "
                    "holds the database only: back the uploads up with their storage's own "
                    "tools."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup of %(database)s written to %(path)s (%(size).1f MB). Practices: "
                    "%(practices)d, organisations: %(organisations)d, uploaded files: %(files)d."
                )
                % {
                    "database": describe_database(connections[database]),
                    "path": result.path,
                    "size": result.size / 1024 / 1024,
                    "practices": result.counts.get("practices", 0),
                    "organisations": result.counts.get("organisations", 0),
                    "files": result.media_files,
                }
            )
        )
