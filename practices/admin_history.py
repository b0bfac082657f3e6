"""The practice admin's history: every version with who saved it, when and what changed (field,
old value, new value, the words that changed marked), and reverting to an earlier version.

Built on django-simple-history's admin (history page, version form whose saving reverts).
Only those who may edit a practice see its history; the history of a deleted practice only
those who edit every organisation's practices.

One saved change form is one version: the practice's own save records none, and the version
is recorded once the inlines and many-to-many values are saved too (with the admin log
entry). Reverting restores the card's own fields in every language and its themes, target
groups, funders and places; its status and the dates kept by the site stay as they are, and
organisations and contacts are edited on the change form (their old values are shown in the
history).
"""

import re
from difflib import SequenceMatcher

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from organisations.roles import edits_all_organisations

from .history import (
    CHANGED,
    CREATED,
    REASON_IMPORT,
    REASON_REVERT,
    RELATIONS,
    record_versions,
    snapshot_model,
    translated_field_names,
)
from .models import Practice

# Relations whose rows have more to show than the related object, and their order.
_ROW_DETAILS = {
    "organisations": ("organisation", ("role", "unit", "year")),
    "contacts": ("contact", ("role",)),
}
# Relations a revert restores: the form's many-to-many fields.
_REVERTED_RELATIONS = tuple(name for name in RELATIONS if name not in _ROW_DETAILS)


class PracticeHistoryMixin(SimpleHistoryAdmin):
    history_list_per_page = 50

    # --- Access ----------------------------------------------------------------------------

    def _check_history_access(self, request, object_id):
        """404 unless `request.user` may edit the practice (or, for a deleted practice,
        edits every organisation's practices)."""
        try:
            pk = int(unquote(object_id))
        except (TypeError, ValueError):
            raise Http404(_("No such practice.")) from None
        try:
            if self.get_queryset(request).filter(pk=pk).exists():
                return pk
        except ValidationError:
            raise Http404(_("No such practice.")) from None
        if not Practice.objects.filter(pk=pk).exists() and edits_all_organisations(request.user):
            return pk
        raise Http404(_("No such practice."))

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_access(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_access(request, object_id)
        # Saving the form reverts to this version; the version it records says so.
        request._practice_reverted_version = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- Recording -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # Neither this save nor the many-to-many values saved next record a version: the
        # version is recorded with the log entry, once everything is saved.
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def _record_version(self, request, obj, history_type):
        obj.__dict__.pop("skip_history_when_saving", None)
        reverted = getattr(request, "_practice_reverted_version", None)
        record_versions(
            [obj],
            history_type=history_type,
            user=request.user,
            reason=f"{REASON_REVERT}{reverted}" if reverted else None,
        )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._record_version(request, obj, CREATED)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._record_version(request, obj, CHANGED)
        return entry

    # --- Reverting -------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        version = to_historic(obj) if obj is not None else None
        if version is not None:
            # Reverting: the status and what the site keeps itself (created, modified,
            # published, created by) stay as they are now.
            current = Practice.objects.filter(pk=obj.pk).first()
            if current is not None:
                obj.status = current.status
                for field in Practice._meta.concrete_fields:
                    if not field.editable and not field.primary_key:
                        setattr(obj, field.attname, getattr(current, field.attname))
        form = super().get_form(request, obj, change=change, **kwargs)
        if version is None:
            return form
        initial = {}
        for name in _REVERTED_RELATIONS:
            if name in form.base_fields:
                target = Practice._meta.get_field(name).m2m_reverse_name()
                initial[name] = list(
                    snapshot_model(name)
                    .objects.filter(history_id=version.history_id)
                    .values_list(target, flat=True)
                )

        class VersionForm(form):
            """The form with the version's many-to-many values."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(initial)

        VersionForm.__name__ = form.__name__
        return VersionForm

    # --- Showing the differences -----------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        records = list(historical_records)
        if not records:
            return
        last = records[-1]
        history = Practice.history.model
        # The version before the oldest one shown, to show what that one changed.
        older = (
            Practice.history.filter(id=last.id)
            .filter(
                models.Q(history_date__lt=last.history_date)
                | models.Q(history_date=last.history_date, history_id__lt=last.history_id)
            )
            ._select_related_history_tracked_objs()
            .order_by("-history_date", "-history_id")
            .first()
        )
        pairs = list(zip(records, [*records[1:], older], strict=True))
        relations = _relation_rows([*records, *([older] if older else [])])
        fields = [
            field
            for field in history.tracked_fields
            if field.editable and field.name not in translated_field_names()
        ]
        reverted = {}
        for record in records:
            reason = record.history_change_reason or ""
            if reason.startswith(REASON_REVERT):
                reverted[record.history_id] = reason.removeprefix(REASON_REVERT)
        reverted_dates = dict(
            history.objects.filter(
                history_id__in=[pk for pk in reverted.values() if pk.isdigit()]
            ).values_list("history_id", "history_date")
        )
        for record, previous in pairs:
            record.history_reason_text = _reason_text(record, reverted, reverted_dates)
            if previous is None:
                record.history_delta_changes = []
                continue
            changes = [
                _field_change(field, getattr(previous, field.attname), record, previous)
                for field in fields
                if getattr(previous, field.attname) != getattr(record, field.attname)
            ]
            for name in RELATIONS:
                old = relations[name].get(previous.history_id, [])
                new = relations[name].get(record.history_id, [])
                if old != new:
                    changes.append(
                        {
                            "field": capfirst(Practice._meta.get_field(name).verbose_name),
                            "old": _list_display(old),
                            "new": _list_display(new),
                        }
                    )
            record.history_delta_changes = changes


def _reason_text(record, reverted, reverted_dates):
    if record.history_change_reason == REASON_IMPORT:
        return _("Spreadsheet import")
    if record.history_id in reverted:
        date = reverted_dates.get(int(reverted[record.history_id] or 0))
        if date is None:
            return _("Reverted to an earlier version")
        return _("Reverted to the version of %(date)s") % {
            "date": formats.date_format(date, "SHORT_DATETIME_FORMAT")
        }
    return record.history_change_reason or ""


def _relation_rows(records):
    """{relation: {version id: [display text, …]}} for `records`, one query per relation."""
    ids = [record.history_id for record in records]
    result = {}
    for name in RELATIONS:
        field = Practice._meta.get_field(name)
        snapshot = snapshot_model(name)
        target, details = _ROW_DETAILS.get(name, (field.m2m_reverse_field_name(), ()))
        rows = snapshot.objects.filter(history_id__in=ids).select_related(target)
        ordered = "order" in {f.name for f in snapshot._meta.fields}
        by_version = {}
        for row in rows:
            by_version.setdefault(row.history_id, []).append(row)
        texts = {}
        for history_id, version_rows in by_version.items():
            if ordered:
                version_rows.sort(key=lambda row: (row.order, row.id))
            shown = [_row_text(row, target, details) for row in version_rows]
            texts[history_id] = shown if ordered else sorted(shown, key=str.casefold)
        result[name] = texts
    return result


def _row_text(row, target, details):
    related = getattr(row, target)
    text = str(related) if related is not None else _("(deleted)")
    parts = []
    for name in details:
        value = getattr(row, name)
        if value in (None, ""):
            continue
        field = row._meta.get_field(name)
        parts.append(
            str(dict(field.flatchoices).get(value, value)) if field.choices else str(value)
        )
    return f"{text} ({', '.join(parts)})" if parts else text


def _list_display(items):
    if not items:
        return format_html('<span class="history-empty">{}</span>', _("(empty)"))
    return format_html(
        "<ul>{}</ul>", mark_safe("".join(format_html("<li>{}</li>", item) for item in items))
    )


def _field_change(field, old, record, previous):
    new = getattr(record, field.attname)
    label = capfirst(field.verbose_name)
    if isinstance(old, str) and isinstance(new, str) and not field.choices:
        old_html, new_html = _word_diff(old, new)
        return {"field": label, "old": old_html, "new": new_html}
    return {
        "field": label,
        "old": _value_display(field, old, previous),
        "new": _value_display(field, new, record),
    }


def _value_display(field, value, record):
    if value in (None, ""):
        return format_html('<span class="history-empty">{}</span>', _("(empty)"))
    if isinstance(field, models.ForeignKey):
        related = getattr(record, field.name, None)
        return str(related) if related is not None else _("(deleted)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return formats.localize(value)


_TOKENS = re.compile(r"\s+|[^\s]+")


def _word_diff(old, new):
    """The old and new text, with the words removed and added marked."""
    if not old:
        return _value_display(None, old, None), format_html("<ins>{}</ins>", new)
    if not new:
        return format_html("<del>{}</del>", old), _value_display(None, new, None)
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            old_parts.append(conditional_escape(removed))
            new_parts.append(conditional_escape(added))
            continue
        if removed:
            old_parts.append(format_html("<del>{}</del>", removed))
        if added:
            new_parts.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(old_parts)), mark_safe("".join(new_parts))
