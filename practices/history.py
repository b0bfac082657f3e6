"""Versions of practice cards (django-simple-history).

Each saved version of a practice is a row of ``practices.HistoricalPractice``: the card's own
columns in every language (name_fi, name_sv, name_en, …), who saved it, when, and why (an
import, a revert). With each version go its many-to-many values and its organisation and
contact rows as they were (RELATIONS), so that editors see who changed which themes, places
or organisations.

A version is recorded

- by django-simple-history whenever a practice is saved (``HistoryRequestMiddleware``
  names the signed-in user) or its many-to-many values change, from either side;
- by the admin once per saved change form, after the inlines and many-to-many values are
  saved (practices.admin_history), so that one edit is one version;
- by the spreadsheet import in bulk, as the importing user (practices.spreadsheets).
"""

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator
from simple_history import register
from simple_history.models import HistoricalRecords

from .models import Practice

# The relations stored with every version, in the order the history page lists them.
RELATIONS = (
    "themes",
    "target_groups",
    "funders",
    "municipalities",
    "regions",
    "wellbeing_counties",
    "organisations",
    "contacts",
)

# history_change_reason values; the history page shows them as sentences.
REASON_IMPORT = "import"
REASON_REVERT = "revert:"

CREATED, CHANGED, DELETED = "+", "~", "-"

# Ids in one "IN (…)", and rows in one INSERT.
_CHUNK_SIZE = 2000
_BATCH_SIZE = 500


def _chunks(items, size=_CHUNK_SIZE):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class PracticeHistoricalRecords(HistoricalRecords):
    """Also records a version of each practice whose many-to-many values change from the
    other side (``theme.practices.add(practice)``), which django-simple-history does not
    handle."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        through = kwargs["sender"]
        using = kwargs.get("using") or DEFAULT_DB_ALIAS
        if action == "pre_clear":
            # The practices are known only before the clear.
            column = Practice._meta.get_field(attr).m2m_reverse_name()
            instance._history_cleared_practices = list(
                through.objects.using(using)
                .filter(**{column: instance.pk})
                .values_list("practice_id", flat=True)
            )
            return
        if action == "post_clear":
            ids = getattr(instance, "_history_cleared_practices", [])
        elif action in ("post_add", "post_remove"):
            ids = pk_set or ()
        else:
            return
        if ids:
            record_versions(
                Practice.objects.using(using).filter(pk__in=ids),
                history_type=CHANGED,
                user=self.get_history_user(instance),
                using=using,
            )


def register_history():
    """Give Practice its history. Called after modeltranslation has added the translated
    columns (practices.translation), so that the history has them too."""
    register(
        Practice,
        app="practices",
        records_class=PracticeHistoricalRecords,
        m2m_fields=list(RELATIONS),
        verbose_name=_("practice version"),
        verbose_name_plural=_("practice versions"),
    )


def translated_field_names():
    """The fields modeltranslation translates (name, summary, …): their per-language
    columns are what a version's differences show."""
    return set(translator.get_options_for_model(Practice).fields)


def snapshot_model(name):
    """The model holding the rows of relation `name` stored with each version."""
    return HistoricalRecords.m2m_models[Practice._meta.get_field(name)]


def record_versions(
    practices, *, history_type, user=None, reason=None, date=None, using=DEFAULT_DB_ALIAS
):
    """Record a version of each of `practices` (saved, with all their columns loaded) as
    `user`'s, with their relations as the database has them now. The number of queries
    does not grow with the number of practices (up to a few thousand)."""
    practices = list(practices)
    if not practices:
        return []
    history = Practice.history.model
    date = date or timezone.now()
    user_id = getattr(user, "pk", None)
    versions = [
        history(
            history_date=date,
            history_type=history_type,
            history_user_id=user_id,
            history_change_reason=reason,
            **{field.attname: getattr(practice, field.attname) for field in history.tracked_fields},
        )
        for practice in practices
    ]
    history.objects.using(using).bulk_create(versions, batch_size=_BATCH_SIZE)
    version_ids = {version.id: version.history_id for version in versions}
    for name in RELATIONS:
        field = Practice._meta.get_field(name)
        through = field.remote_field.through
        columns = [column.attname for column in through._meta.concrete_fields]
        snapshot = snapshot_model(name)
        rows = []
        for chunk in _chunks(version_ids):
            rows.extend(
                snapshot(history_id=version_ids[values["practice_id"]], **values)
                for values in through.objects.using(using)
                .filter(practice_id__in=chunk)
                .values(*columns)
            )
        snapshot.objects.using(using).bulk_create(rows, batch_size=_BATCH_SIZE)
    return versions
