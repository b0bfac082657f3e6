from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from organisations import reference


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse needs a plain str, in the active language.
        return _(
            "Load Finland's regions, wellbeing services counties and municipalities from "
            "fixtures/reference/areas.json, and the starting lookup lists (development stages, "
            "themes, target groups, funders) from fixtures/reference/lookups.json, in one "
            "transaction. Areas are matched by code (counties by slug): missing ones are created "
            "and changed ones are set back to the file's values, so running the command again "
            "changes nothing. Lookup items are matched by slug and only created when missing: an "
            "item that already exists is never overwritten, so changes made by editors are kept. "
            "A missing or broken file stops the command before anything is written."
        )

    def add_arguments(self, parser):
        only = parser.add_mutually_exclusive_group()
        only.add_argument(
            "--areas-only",
            action="store_true",
            help=_("Load only regions, wellbeing services counties and municipalities."),
        )
        only.add_argument(
            "--lookups-only",
            action="store_true",
            help=_("Load only the lookup lists."),
        )
        parser.add_argument(
            "--areas-file",
            default=reference.AREAS_FIXTURE,
            help=_("Areas fixture to read instead of %(default)s."),
        )
        parser.add_argument(
            "--lookups-file",
            default=reference.LOOKUPS_FIXTURE,
            help=_("Lookups fixture to read instead of %(default)s."),
        )

    def handle(self, *args, **options):
        load_areas = not options["lookups_only"]
        load_lookups = not options["areas_only"]

        # Read and check everything first: a broken file must not leave half of the data loaded.
        try:
            areas = lookups = None
            if load_areas:
                path = options["areas_file"]
                areas = reference.parse_areas(reference.read_fixture(path), path)
            if load_lookups:
                path = options["lookups_file"]
                lookups = reference.parse_lookups(reference.read_fixture(path), path)
        except reference.FixtureError as exc:
            raise CommandError(_("%(error)s Nothing was written.") % {"error": exc}) from exc

        area_tallies, lookup_tallies = {}, {}
        try:
            with (
                transaction.atomic(),
                translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE),
            ):
                if areas is not None:
                    area_tallies = reference.load_areas(areas)
                if lookups is not None:
                    lookup_tallies = reference.load_lookups(lookups)
        except DatabaseError as exc:
            raise CommandError(
                _("The reference data could not be saved: %(error)s. Nothing was written.")
                % {"error": exc}
            ) from exc

        for model, tally in area_tallies.items():
            self.stdout.write(
                _("%(model)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "model": capfirst(model._meta.verbose_name_plural),
                    "created": tally.created,
                    "updated": tally.updated,
                    "unchanged": tally.unchanged,
                }
            )
        for model, tally in lookup_tallies.items():
            self.stdout.write(
                _("%(model)s: %(created)d created, %(kept)d already present and left as they are.")
                % {
                    "model": capfirst(model._meta.verbose_name_plural),
                    "created": tally.created,
                    "kept": tally.kept,
                }
            )

        changes = sum(t.created + t.updated for t in area_tallies.values()) + sum(
            t.created for t in lookup_tallies.values()
        )
        if changes:
            self.stdout.write(self.style.SUCCESS(_("Reference data loaded.")))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("No changes: the database already holds this reference data."))
            )
