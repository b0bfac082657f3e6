from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practices.filters import PracticeFilterSet
from practices.models import Practice
from practices.spreadsheets.export import practice_rows, write_csv, write_xlsx

FORMATS = ("csv", "xlsx")


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Write practices to an Excel workbook (.xlsx) or a CSV file (.csv) under the "
            "import template's headings, one row per practice. Choose practices with the "
            "browse page's filters (--filter theme=mielenterveys, repeatable) and with "
            "--status; without them every practice is written. --template writes the empty "
            "import template with an example row and instructions instead."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The file to write."))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("File format. By default taken from the file name's extension."),
        )
        parser.add_argument(
            "--template",
            action="store_true",
            help=_("Write the import template (XLSX) with an example row and instructions."),
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            dest="filters",
            help=_(
                "A filter of the browse page, e.g. theme=mielenterveys or start_year_min=2020. "
                "Repeat it for more values; values of one filter combine with OR."
            ),
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Practice.Status.values,
            dest="statuses",
            help=_("Only practices with this status; repeatable. By default every status."),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        file_format = options["format"] or self._format_from_name(path)

        if options["template"]:
            if options["filters"] or options["statuses"]:
                raise CommandError(_("--template cannot be combined with --filter or --status."))
            if file_format != "xlsx":
                raise CommandError(
                    _("The template is an Excel workbook: give a file name ending in .xlsx.")
                )
            self._write(path, lambda file: write_xlsx([], file, template=True))
            self.stdout.write(
                self.style.SUCCESS(_("Wrote the import template to %(file)s.") % {"file": path})
            )
            return

        queryset = self._practices(options["filters"], options["statuses"])
        rows = list(practice_rows(queryset))
        if file_format == "xlsx":
            self._write(path, lambda file: write_xlsx(rows, file))
        else:
            self._write(path, lambda file: write_csv(rows, file))
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Wrote %(count)d practice to %(file)s.",
                    "Wrote %(count)d practices to %(file)s.",
                    len(rows),
                )
                % {"count": len(rows), "file": path}
            )
        )

    @staticmethod
    def _format_from_name(path):
        extension = path.suffix.lower().lstrip(".")
        if extension in FORMATS:
            return extension
        raise CommandError(
            _(
                "Cannot tell the format from the file name “%(file)s”: end it in .xlsx or .csv, "
                "or give --format."
            )
            % {"file": path}
        )

    @staticmethod
    def _practices(filters, statuses):
        """The practices the browse page's filters select, whatever their status unless
        statuses are given. The FilterSet turns the parameters into filters as it does for the
        browse page; they are applied here to all practices, not only the published ones the
        page shows."""
        data = QueryDict(mutable=True)
        for item in filters:
            name, separator, value = item.partition("=")
            name = name.strip()
            if not separator or not name:
                raise CommandError(
                    _("Write each filter as NAME=VALUE, e.g. theme=mielenterveys; got “%(item)s”.")
                    % {"item": item}
                )
            data.appendlist(name, value)

        filterset = PracticeFilterSet(data)
        unknown = [name for name in data if name not in filterset.filters]
        if unknown:
            raise CommandError(
                _("Unknown filter: %(names)s. Known filters: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(filterset.filters)}
            )
        errors = filterset.errors_by_param()
        if errors:
            problems = "".join(
                f"\n  {name}: {' '.join(messages)}" for name, messages in errors.items()
            )
            raise CommandError(
                _("These filter values cannot be used; nothing was written:%(problems)s")
                % {"problems": problems}
            )

        queryset = Practice.objects.all()
        if statuses:
            queryset = queryset.filter(status__in=statuses)
        return filterset.filter_queryset(queryset)

    @staticmethod
    def _write(path, write):
        try:
            with path.open("wb") as file:
                write(file)
        except OSError as error:
            raise CommandError(
                _("Could not write %(file)s: %(error)s") % {"file": path, "error": error.strerror}
            ) from error
