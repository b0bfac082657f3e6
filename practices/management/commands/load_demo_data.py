from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from practices import demo


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Load the demo practices, organisations, contacts and collections from "
            "fixtures/demo/practices.json in one transaction. Needs the reference data "
            "(python manage.py load_reference_data). Records are matched by slug, code or name: "
            "missing ones are created and changed ones are set back to the file's values, so "
            "running the command again changes nothing. A malformed file, or one that refers "
            "to reference data that is not loaded, stops the command before anything is written."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=demo.DEMO_DATA_FILE,
            help=_("Demo data file to read instead of %(default)s."),
        )

    def handle(self, *args, **options):
        try:
            summary = demo.load(demo.read_file(options["file"]))
        except demo.DemoDataError as exc:
            raise CommandError(_("%(error)s Nothing was written.") % {"error": exc}) from exc

        if options["verbosity"] >= 2:
            for model, tally in summary.tallies.items():
                self.stdout.write(
                    _(
                        "%(model)s: %(created)d created, %(updated)d updated, %(unchanged)d "
                        "unchanged."
                    )
                    % {
                        "model": capfirst(model._meta.verbose_name_plural),
                        "created": tally.created,
                        "updated": tally.updated,
                        "unchanged": tally.unchanged,
                    }
                )
        counts = {model._meta.model_name: tally.total for model, tally in summary.tallies.items()}
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data: %(practice)d practices, %(organisation)d organisations, "
                    "%(contact)d contacts, %(collection)d collections (%(created)d created, "
                    "%(updated)d updated, %(unchanged)d unchanged)."
                )
                % {
                    **counts,
                    "created": summary.sum("created"),
                    "updated": summary.sum("updated"),
                    "unchanged": summary.sum("unchanged"),
                }
            )
        )
