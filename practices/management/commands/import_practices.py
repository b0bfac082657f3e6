import inspect
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practices.spreadsheets.importing import apply_import, plan_import
from practices.spreadsheets.reading import read_table


def error_line(error):
    """One error as staff read it: with its row and column when it has them."""
    if error.row is not None and error.column:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": error.row,
            "column": error.column,
            "message": error.message,
        }
    if error.row is not None:
        return _("Row %(row)s: %(message)s") % {"row": error.row, "message": error.message}
    return str(error.message)


class ProgressBar:
    """A progress bar redrawn in place on a terminal:
    ``Checking [██████████░░░░░░]  60 %  6000/10000 rows``.

    Called as ``bar(done, total)``; it redraws only when the whole percentage changes, so
    that a large file does not flood the terminal."""

    WIDTH = 30

    def __init__(self, stream, label, *, rows=True):
        self.stream = stream
        self.label = label
        # Whether done and total count rows (and are shown), or only measure progress.
        self.rows = rows
        self.shown = None
        self.open = False

    def __call__(self, done, total):
        if total <= 0:
            return
        done = min(max(done, 0), total)
        percent = done * 100 // total
        if (percent, done == total) == self.shown:
            return
        self.shown = (percent, done == total)
        filled = done * self.WIDTH // total
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        values = {
            "label": self.label,
            "bar": bar,
            "percent": percent,
            "done": done,
            "total": total,
        }
        if self.rows:
            line = _("%(label)s [%(bar)s] %(percent)3d %%  %(done)d/%(total)d rows") % values
        else:
            line = _("%(label)s [%(bar)s] %(percent)3d %%") % values
        self.stream.write("\r" + line)
        self.open = done < total
        if done == total:
            self.stream.write("\n")
        self.stream.flush()

    def finish(self):
        """End a bar left unfinished (by an error) so that later output starts on its own
        line."""
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def _accepts_progress(function):
    try:
        return "progress" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Import practices from an Excel workbook (.xlsx) or a CSV file (.csv) written "
            "under the import template's headings. Rows update the practice with the same "
            "identifier (Tunniste), else the one with the same name in the same organisation, "
            "and create the rest. If any row has an error, nothing is written. On a terminal "
            "a progress bar is shown. Exit status: 0 when the import was applied, or when a "
            "dry run found no errors; 1 when the file has errors or the import failed, and "
            "then nothing was written."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The file to import."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would change, without writing anything."),
        )
        parser.add_argument(
            "--sheet", help=_("The worksheet to read (default: the workbook's first sheet).")
        )
        parser.add_argument(
            "--user",
            help=_(
                "Username of the person importing; the edit history shows the changes as "
                "theirs, and rows are held to what they may do (only their organisations' "
                "practices, unless they edit every organisation's). Required unless "
                "--dry-run is given."
            ),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("Database to import into (default: %(default)s)."),
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        using = options["database"]
        user = None
        if options["user"]:
            user_model = get_user_model()
            try:
                user = user_model._default_manager.db_manager(using).get_by_natural_key(
                    options["user"]
                )
            except user_model.DoesNotExist as error:
                raise CommandError(
                    _("There is no user “%(user)s”.") % {"user": options["user"]}
                ) from error
        elif not dry_run:
            raise CommandError(
                _("Give the importing user with --user USERNAME (not needed with --dry-run).")
            )

        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                table = read_table(file, filename=path.name, sheet=options["sheet"])
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
            ) from error

        checking = self._progress_bar(_("Checking"))
        try:
            plan = plan_import(table, using=using, progress=checking, user=user)
        except Exception as error:
            raise self._failure(
                _("The file could not be checked (%(error)s). Nothing was written."), error
            ) from error
        finally:
            if checking:
                checking.finish()

        for error in plan.errors:
            self.stdout.write(error_line(error))
        self._summary(plan)

        if not plan.is_valid:
            raise CommandError(
                ngettext(
                    "The file has %(count)d error. Nothing was imported; correct the file and "
                    "import it again.",
                    "The file has %(count)d errors. Nothing was imported; correct the file and "
                    "import it again.",
                    len(plan.errors),
                )
                % {"count": len(plan.errors)}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        self._apply(plan, user, using)
        self.stdout.write(self.style.SUCCESS(_("The import was applied.")))

    def _apply(self, plan, user, using):
        """Write the plan; on any failure roll everything back, the search index included,
        and say that nothing was written."""
        kwargs = {}
        writing = None
        if _accepts_progress(apply_import):
            # apply_import() counts its own steps (rows, relations, search index), not rows.
            writing = self._progress_bar(_("Writing"), rows=False)
            if writing:
                kwargs["progress"] = writing
        try:
            with transaction.atomic(using=using):
                result = apply_import(plan, user=user, **kwargs)
        except KeyboardInterrupt as error:
            raise CommandError(
                _("The import was interrupted. Nothing was written."), returncode=130
            ) from error
        except Exception as error:
            raise self._failure(
                _("The import failed (%(error)s). Nothing was written."), error
            ) from error
        finally:
            if writing:
                writing.finish()
        if not result.applied:
            raise CommandError(_("The import was not applied. Nothing was written."))
        return result

    @staticmethod
    def _failure(message, error):
        """A CommandError for an unexpected exception: one line, without the traceback
        (which --traceback shows)."""
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return CommandError(message % {"error": detail})

    def _summary(self, plan):
        for row in plan.updated:
            for change in row.changes:
                self.stdout.write(
                    _("Row %(row)s, “%(name)s”: %(field)s changes")
                    % {
                        "row": row.number,
                        "name": row.name,
                        "field": change.label,
                    }
                )
        self.stdout.write(
            _(
                "New: %(new)d, updated: %(updated)d, unchanged: %(unchanged)d, "
                "errors: %(errors)d, new organisations: %(organisations)d, "
                "new collections: %(collections)d."
            )
            % {
                "new": len(plan.new),
                "updated": len(plan.updated),
                "unchanged": len(plan.unchanged),
                "errors": len(plan.errors),
                "organisations": len(plan.new_organisations),
                "collections": len(plan.new_collections),
            }
        )
        for name in plan.new_organisations:
            self.stdout.write(_("New organisation: %(name)s") % {"name": name})
        for name in plan.new_collections:
            self.stdout.write(_("New collection: %(name)s") % {"name": name})

    def _progress_bar(self, label, *, rows=True):
        """A progress bar on a terminal; None when stderr is a file or a pipe."""
        stream = getattr(self.stderr, "_out", self.stderr)
        if not getattr(stream, "isatty", lambda: False)():
            return None
        return ProgressBar(stream, label, rows=rows)
