"""Keeping the search index in step with the practices and everything their cards show.

A change marks the practices it touches; when the transaction commits, they are re-indexed
once each, however many signals named them (saving a card in the admin sends a dozen). Writes
that bypass signals (bulk_create, queryset.update) call practices.search.index_practices()
themselves.
"""

import sys

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver
from django.utils.translation import ngettext

from organisations.models import Municipality, Organisation, Region, WellbeingServicesCounty

from .models import (
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeOrganisation,
    PracticeSearchDocument,
    Recognition,
    TargetGroup,
    Theme,
)

# The many-to-many relations of Practice whose changes show in the index.
_MANY_TO_MANY = (
    "themes",
    "target_groups",
    "funders",
    "municipalities",
    "regions",
    "wellbeing_counties",
)

# Objects whose names the index holds: model → (indexed fields, lookup from Practice).
_NAMED = {
    Theme: (("name_fi", "name_sv", "name_en"), "themes"),
    TargetGroup: (("name_fi", "name_sv", "name_en"), "target_groups"),
    Funder: (("name_fi", "name_sv", "name_en", "abbreviation"), "funders"),
    DevelopmentStage: (("name_fi", "name_sv", "name_en"), "stage"),
    Collection: (("name_fi", "name_sv", "name_en"), "collection"),
    Organisation: (("name_fi", "name_sv", "name_en"), "organisation_roles__organisation"),
    Municipality: (("name_fi", "name_sv"), "municipalities"),
    Region: (("name_fi", "name_sv"), "regions"),
    WellbeingServicesCounty: (("name_fi", "name_sv"), "wellbeing_counties"),
}


def _pending(using):
    """Ids of practices whose re-indexing is waiting for a commit on this connection."""
    connection = connections[using]
    pending = getattr(connection, "search_pending_practices", None)
    if pending is None:
        pending = connection.search_pending_practices = set()
    return pending


def reindex_on_commit(practice_ids, using=DEFAULT_DB_ALIAS):
    """Re-index these practices when the current transaction commits (at once outside one)."""
    from .search import index_practices

    practice_ids = {pk for pk in practice_ids if pk is not None}
    if not practice_ids:
        return
    pending = _pending(using)
    pending.update(practice_ids)

    def flush():
        # The first callback of a transaction to name a practice re-indexes it; the others
        # find it done. Each call has its own callback, so that one dropped with a savepoint
        # that rolled back does not take the others' work with it.
        due = practice_ids & pending
        pending.difference_update(due)
        if due:
            index_practices(sorted(due), using=using)

    transaction.on_commit(flush, using=using, robust=True)


def _practices_of(model, obj, using):
    _fields, lookup = _NAMED[model]
    return set(
        Practice.objects.using(using)
        .filter(**{lookup: obj})
        .order_by()
        .values_list("pk", flat=True)
    )


@receiver(post_save, sender=Practice)
def _practice_saved(sender, instance, using, **kwargs):
    reindex_on_commit([instance.pk], using)


@receiver(post_delete, sender=PracticeSearchDocument)
def _document_deleted(sender, instance, using, **kwargs):
    """A practice is gone (or left the index): its words leave the vocabulary."""
    from .search.indexing import bump_revision, update_vocabulary

    update_vocabulary(dict.fromkeys(instance.words.split(), -1), using)
    bump_revision(using)


@receiver(post_save, sender=PracticeOrganisation)
@receiver(post_delete, sender=PracticeOrganisation)
@receiver(post_save, sender=Recognition)
@receiver(post_delete, sender=Recognition)
def _card_part_changed(sender, instance, using, **kwargs):
    reindex_on_commit([instance.practice_id], using)


def _m2m_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            reindex_on_commit([instance.pk], using)
    elif action == "pre_clear":
        # theme.practices.clear(): the practices are known only before the clear.
        links = sender.objects.using(using).filter(
            **{_reverse_column(sender, instance): instance.pk}
        )
        reindex_on_commit(links.values_list("practice_id", flat=True), using)
    elif action != "post_clear":
        reindex_on_commit(pk_set or (), using)


def _reverse_column(through, instance):
    """The through model's field pointing at `instance`'s model."""
    for field in through._meta.get_fields():
        if getattr(field, "related_model", None) is type(instance):
            return field.attname
    raise LookupError(f"{through} has no field for {type(instance)}")


for _field in _MANY_TO_MANY:
    m2m_changed.connect(
        _m2m_changed,
        sender=getattr(Practice, _field).through,
        dispatch_uid=f"search-index-{_field}",
    )


def _named_pre_save(sender, instance, raw, using, **kwargs):
    """Note whether a save renames the object, so that post_save re-indexes its practices."""
    fields, _lookup = _NAMED[sender]
    instance._search_renamed = False
    if raw or instance._state.adding or instance.pk is None:
        return
    old = sender._default_manager.using(using).filter(pk=instance.pk).values(*fields).first()
    instance._search_renamed = old is not None and any(
        old[field] != getattr(instance, field) for field in fields
    )


def _named_post_save(sender, instance, using, **kwargs):
    if getattr(instance, "_search_renamed", False):
        instance._search_renamed = False
        reindex_on_commit(_practices_of(sender, instance, using), using)


def _named_pre_delete(sender, instance, using, **kwargs):
    # The links go with the object (or are set to null) without signals: note them now.
    instance._search_practices = _practices_of(sender, instance, using)


def _named_post_delete(sender, instance, using, **kwargs):
    reindex_on_commit(getattr(instance, "_search_practices", ()), using)


for _model in _NAMED:
    _uid = f"search-index-{_model._meta.label_lower}"
    pre_save.connect(_named_pre_save, sender=_model, dispatch_uid=_uid)
    post_save.connect(_named_post_save, sender=_model, dispatch_uid=_uid)
    pre_delete.connect(_named_pre_delete, sender=_model, dispatch_uid=_uid)
    post_delete.connect(_named_post_delete, sender=_model, dispatch_uid=_uid)


def index_unindexed_practices(
    sender, using=DEFAULT_DB_ALIAS, apps=None, verbosity=1, stdout=None, **kwargs
):
    """After migrate: index the practices that have no search document yet (those that
    existed before the index did, or were written in bulk without indexing)."""
    if apps is not None:
        try:
            apps.get_model("practices", "PracticeSearchDocument")
        except LookupError:  # Migrated back to before the index.
            return
    from .search import index_practices

    missing = Practice.objects.using(using).filter(search_document__isnull=True)
    if missing.exists():
        count = index_practices(missing, using=using)
        if verbosity >= 1:
            message = ngettext(
                "Indexed %(count)d practice for search.",
                "Indexed %(count)d practices for search.",
                count,
            )
            (stdout or sys.stdout).write(message % {"count": count} + "\n")
