"""The editorial workflow in the practice admin: status changes recorded with who, when and an
optional message; a published card edited by someone who may not publish goes back to review
(so unapproved text is never public); the workflow history and the proposer of a card on its
form; "View on site" opening the editors' preview while a card is not public."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import workflow
from .access import may_publish
from .models import Practice, PracticeProposal

MESSAGE_FIELD = "workflow_message"
# The status field's name in a change message of the admin's history, which stores field
# names untranslated and translates them when it shows them.
STATUS_NAME = "status"


class PracticeProposalInline(admin.StackedInline):
    model = PracticeProposal
    fields = ("name", "email", "organisation", "message", "created_at")
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    verbose_name_plural = _("proposed through the website")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _bulk_step(model_admin, request, queryset, to_status):
    """Take the step to `to_status` for each selected practice the user may take it for
    (the selection is already of the practices the user may edit), recorded like a step
    taken on the card; the others are left as they are and counted."""
    moved = skipped = 0
    for practice in queryset.order_by("pk"):
        # The version is recorded once, with the log entry below (as for a save of the form).
        practice.skip_history_when_saving = True
        try:
            workflow.move(practice, to_status, request.user)
        except PermissionDenied:
            skipped += 1
            continue
        moved += 1
        model_admin.log_change(request, practice, [{"changed": {"fields": [STATUS_NAME]}}])
    label = Practice.Status(to_status).label
    if moved:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d practice is now “%(status)s”.",
                "%(count)d practices are now “%(status)s”.",
                moved,
            )
            % {"count": moved, "status": label},
            messages.SUCCESS,
        )
    if skipped:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d practice could not be made “%(status)s” from its current status.",
                "%(count)d practices could not be made “%(status)s” from their current status.",
                skipped,
            )
            % {"count": skipped, "status": label},
            messages.WARNING,
        )


@admin.action(description=_("Submit selected practices for review"), permissions=["change"])
def submit_for_review(model_admin, request, queryset):
    _bulk_step(model_admin, request, queryset, Practice.Status.IN_REVIEW)


@admin.action(description=_("Publish selected practices"), permissions=["publish"])
def publish(model_admin, request, queryset):
    _bulk_step(model_admin, request, queryset, Practice.Status.PUBLISHED)


@admin.action(description=_("Return selected practices to draft"), permissions=["change"])
def return_to_draft(model_admin, request, queryset):
    _bulk_step(model_admin, request, queryset, Practice.Status.DRAFT)


@admin.action(description=_("Archive selected practices"), permissions=["publish"])
def archive(model_admin, request, queryset):
    _bulk_step(model_admin, request, queryset, Practice.Status.ARCHIVED)


class PracticeWorkflowMixin:
    actions = (submit_for_review, publish, return_to_draft, archive)

    def has_publish_permission(self, request):
        return may_publish(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        published = obj is not None and obj.status == Practice.Status.PUBLISHED
        # Declared on the base form, so that the admin accepts the field in its fieldsets.
        base = kwargs.get("form") or self.form

        class WorkflowForm(base):
            workflow_message = forms.CharField(
                label=_("Message with the status change"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
                help_text=_(
                    "Recorded in the workflow history, e.g. what to correct when a card "
                    "returns to draft."
                ),
            )

        kwargs["form"] = WorkflowForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if published and not may_publish(request.user):
            status = form_class.base_fields.get("status")
            if status is not None:
                status.help_text = _(
                    "Saving changes to this published card sends it back to review: it is "
                    "hidden from the public until a publisher publishes it again."
                )
        return form_class

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        (name, options), *rest = fieldsets
        fields = list(options["fields"])
        position = fields.index("status") + 1 if "status" in fields else len(fields)
        fields.insert(position, MESSAGE_FIELD)
        if obj is not None:
            fields.insert(position + 1, "workflow_steps")
        return [(name, {**options, "fields": tuple(fields)}), *rest]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "workflow_steps")

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and hasattr(obj, "proposal"):
            inlines.insert(0, PracticeProposalInline)
        return inlines

    @admin.display(description=_("workflow"))
    def workflow_steps(self, practice):
        steps = list(practice.transitions.select_related("user")[:10]) if practice.pk else []
        if not steps:
            return "–"
        labels = dict(Practice.Status.choices)
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} → {} ({}){}</li>",
                (
                    (
                        date_format(timezone.localtime(step.at), "SHORT_DATETIME_FORMAT"),
                        labels.get(step.from_status, "–"),
                        labels.get(step.to_status, step.to_status),
                        step.user or gettext("website"),
                        format_html(": “{}”", step.message) if step.message else "",
                    )
                    for step in steps
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = Practice.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        message = form.cleaned_data.get(MESSAGE_FIELD, "")
        if before == Practice.Status.PUBLISHED and not may_publish(request.user):
            # Unapproved text never replaces published text.
            obj.status = Practice.Status.IN_REVIEW
            message = message or gettext("Published card changed; waiting for review.")
            messages.warning(
                request,
                gettext(
                    "The card was sent to review and is hidden from the public until a "
                    "publisher publishes it again."
                ),
            )
        super().save_model(request, obj, form, change)
        if before != obj.status:
            workflow.record(obj, before, obj.status, request.user, message)

    def get_view_on_site_url(self, obj=None):
        if obj is not None and obj.pk and obj.status != Practice.Status.PUBLISHED:
            return reverse("practices:preview", args=[obj.pk])
        return super().get_view_on_site_url(obj)
