import sys

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.models import Organisation
from practices.backups import (
    BackupError,
    check_restorable,
    describe_database,
    media_storage,
    missing_migrations,
    read_manifest,
    restore_backup,
)
from practices.models import Practice
from practices.search.indexing import bump_revision


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Restore a backup written by `backup_site`: replaces the database and the uploaded "
            "files with the archive's. Every file of the archive is checked against its "
            "checksum first; a damaged archive, or one made by a newer version of the site, "
            "is refused before anything is changed. Stop the site's web servers and workers "
            "first."
        )

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("The archive (.tar) to restore."))
        parser.add_argument(
            "--yes",
            action="store_true",
            help=_("Replace the database and the uploaded files without asking."),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("Database to restore into (default: %(default)s)."),
        )

    def handle(self, *args, archive, yes, database, **options):
        verbosity = options["verbosity"]
        connection = connections[database]
        try:
            manifest = read_manifest(archive)
            check_restorable(archive, manifest, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

        created = parse_datetime(manifest.get("created") or "")
        counts = manifest.get("counts", {})
        storage = media_storage()
        self.stdout.write(
            _(
                "Archive made %(created)s. Practices: %(practices)d, organisations: "
                "%(organisations)d, uploaded files: %(files)d."
            )
            % {
                "created": f"{localtime(created):%Y-%m-%d %H:%M}" if created else "?",
                "practices": counts.get("practices", 0),
                "organisations": counts.get("organisations", 0),
                "files": sum(entry["path"].startswith("media/") for entry in manifest["files"]),
            }
        )
        pending = missing_migrations(manifest)
        if pending:
            self.stdout.write(
                ngettext(
                    "The archive is older than this version of the site; the database will be "
                    "migrated after the restore (%(count)d migration).",
                    "The archive is older than this version of the site; the database will be "
                    "migrated after the restore (%(count)d migrations).",
                    len(pending),
                )
                % {"count": len(pending)}
            )
        if manifest["media"]["included"]:
            target = _(
                "This replaces the database %(database)s and every uploaded file in "
                "%(media)s with the archive's."
            ) % {"database": describe_database(connection), "media": storage.location}
        else:
            target = _(
                "This replaces the database %(database)s with the archive's (it holds no "
                "uploaded files; those are left as they are)."
            ) % {"database": describe_database(connection)}
        self.stdout.write(target)
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(_("Pass --yes to confirm. Nothing was changed."))
            self.stdout.flush()
            # Translators: the answer is the English word "yes" in every language.
            answer = input(_("Type 'yes' to continue: "))
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled. Nothing was changed."))

        def progress(message):
            if verbosity >= 1:
                self.stdout.write(message)

        try:
            restore_backup(archive, manifest, using=database, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

        # Content types may have other ids in the restored database.
        ContentType.objects.clear_cache()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            progress(_("Migrating the restored database…"))
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
        # Every process rebuilds what it keeps in memory about the practices, and cached pages
        # keyed by the old revision are no longer used.
        bump_revision(using=database)
        self.stdout.write(
            self.style.SUCCESS(
                _("Restore complete. Practices: %(practices)d, organisations: %(organisations)d.")
                % {
                    "practices": Practice._base_manager.using(database).count(),
                    "organisations": Organisation._base_manager.using(database).count(),
                }
            )
        )
