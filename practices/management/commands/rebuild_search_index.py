import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from practices.search.analysis import voikko_enabled
from practices.search.indexing import BATCH_SIZE, rebuild_index


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Rebuild the search index of all practices and the vocabulary of spelling "
            "suggestions from scratch, in one transaction. Searches keep using the old index "
            "until the new one is complete. Needed after installing or removing Voikko, or "
            "after changing how text is analysed."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=_("Practices analysed and written per batch (default: %(default)s)."),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("Database to rebuild the index in (default: %(default)s)."),
        )

    def handle(self, *args, batch_size, database, **options):
        verbosity = options["verbosity"]
        if batch_size < 1:
            batch_size = BATCH_SIZE
        if verbosity >= 1 and not voikko_enabled():
            self.stderr.write(
                _(
                    "Voikko is not available: Finnish words are indexed with Snowball stems "
                    "only, without base forms or compound parts."
                )
            )
        started = time.perf_counter()

        def progress(done, total):
            if verbosity >= 1:
                self.stdout.write(
                    _("Indexed %(done)d of %(total)d practices (%(seconds).0f s).")
                    % {"done": done, "total": total, "seconds": time.perf_counter() - started}
                )

        practices, terms = rebuild_index(batch_size=batch_size, progress=progress, using=database)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Search index rebuilt: %(practices)d practices, %(terms)d words in the "
                    "vocabulary, in %(seconds).1f s."
                )
                % {"practices": practices, "terms": terms, "seconds": seconds}
            )
        )
