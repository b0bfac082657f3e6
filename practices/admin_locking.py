"""No lost updates in the practice admin: optimistic locking with the practice's version.

The change form carries the version the editor opened. Saving checks it against the stored
version (locking the row on PostgreSQL until the save commits): if someone else saved in
between, the save is refused, the form comes back with everything the editor typed, and the
message lists what the other person changed, so that neither edit is lost.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from modeltranslation.translator import translator

VERSION_FIELD = "seen_version"


def _changes_since(practice, seen_version):
    """(label, value now) of each field someone changed after `seen_version`, newest state."""
    history = getattr(practice, "history", None)
    if history is None:
        return []
    then = history.filter(version=seen_version).order_by("-history_date").first()
    now = history.order_by("-history_date").first()
    if then is None or now is None:
        return []
    changes = []
    # A translated field's own column repeats its Finnish one ("summary" and "summary_fi"):
    # only the language columns are listed.
    translated = translator.get_options_for_model(type(practice)).all_fields
    for change in now.diff_against(then).changes:
        field = practice._meta.get_field(change.field)
        if field.name == "version" or not getattr(field, "editable", True):
            continue
        if field.name in translated:
            continue
        value = change.new
        if isinstance(value, list):  # many-to-many values
            value = ", ".join(str(item) for item in value)
        changes.append((str(field.verbose_name).capitalize(), str(value or "–")[:300]))
    return changes


def _conflict_message(practice, seen_version, current):
    changes = _changes_since(practice, seen_version)
    user = getattr(current, "history_user", None)
    who = _("Someone else") if user is None else str(user)
    intro = _(
        "%(who)s saved this practice after you opened it, so your changes were not saved. "
        "They are still in the form below: compare them with the other changes, then save "
        "again."
    ) % {"who": who}
    if not changes:
        return intro
    return format_html(
        "{}<br>{}<ul>{}</ul>",
        intro,
        _("The other person changed:"),
        format_html_join("", "<li>{}: {}</li>", changes),
    )


class OptimisticLockingMixin:
    """For a ModelAdmin of a model with an integer `version` that each save increases."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Declared on the base form, so that the admin accepts the field in its fieldsets.
        base = kwargs.get("form") or self.form

        class LockedForm(base):
            seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if self.instance.pk:
                    self.fields[VERSION_FIELD].initial = self.instance.version

            def clean(self):
                cleaned = super().clean()
                instance = self.instance
                if instance.pk:
                    seen = self.cleaned_data.get(VERSION_FIELD)
                    manager = type(instance)._default_manager
                    current = (
                        manager.select_for_update()
                        .filter(pk=instance.pk)
                        .values_list("version", flat=True)
                        .first()
                    )
                    if seen is None or current != seen:
                        # The form comes back carrying the version now stored: saving it
                        # again, after looking at the other changes, is then accepted.
                        self.data = self.data.copy()
                        self.data[self.add_prefix(VERSION_FIELD)] = current
                        last = None
                        history = getattr(instance, "history", None)
                        if history is not None:
                            last = history.order_by("-history_date").first()
                        raise ValidationError(
                            _conflict_message(instance, seen, last), code="conflict"
                        )
                return cleaned

        kwargs["form"] = LockedForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": (*options["fields"], VERSION_FIELD)})
        return [first, *rest]
