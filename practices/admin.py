"""Admin for editors: the practice card with everything that hangs off it, and the reference
lists (stages, themes, target groups, funders, collections) editors extend.

Translated fields are shown once per language (name [fi], name [sv], name [en]) next to each
other. The tabbed variant of modeltranslation's admin is not used because it loads jQuery UI
from a third-party CDN.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from contacts.access import contacts_editable_by
from contacts.models import Contact
from organisations.models import Organisation
from organisations.roles import edits_all_organisations, member_organisation_ids

from . import admin_feedback  # noqa: F401 (registers the feedback admin)
from .access import practices_editable_by, status_choices_for
from .admin_freshness import FreshnessAdminMixin, ReviewOverdueFilter
from .admin_history import PracticeHistoryMixin
from .admin_locking import OptimisticLockingMixin
from .admin_spreadsheets import PracticeSpreadsheetMixin
from .admin_workflow import PracticeWorkflowMixin
from .models import (
    Assessment,
    Attachment,
    Collection,
    DevelopmentStage,
    Funder,
    Practice,
    PracticeContact,
    PracticeLink,
    PracticeOrganisation,
    Recognition,
    TargetGroup,
    Theme,
)

# Background task results are for developers, not editors: their admin is not translated.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# Long texts are edited in three languages on one page; keep each box compact.
COMPACT_TEXTAREAS = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})}}


class PracticeOrganisationFormSet(BaseInlineFormSet):
    """The organisations of a practice. An editor confined to their own organisations
    creates practices owned by one of them, and keeps one of them in the practices they
    edit (otherwise they could not open the practice again)."""

    # Ids of the editor's organisations; None when they edit every organisation's practices.
    member_ids = None

    def clean(self):
        super().clean()
        if self.member_ids is None or any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("organisation") and not self._should_delete_form(form)
        ]
        if self.instance.pk is None:
            if not any(
                row["organisation"].pk in self.member_ids
                and row["role"] == PracticeOrganisation.Role.OWNER
                for row in kept
            ):
                raise ValidationError(
                    _(
                        "Add one of your own organisations as the owner of the practice. "
                        "You can create practices only for the organisations you belong to."
                    ),
                    code="no_own_owner",
                )
        elif not any(row["organisation"].pk in self.member_ids for row in kept):
            raise ValidationError(
                _(
                    "Keep at least one of your own organisations in the practice; otherwise "
                    "you could no longer edit it."
                ),
                code="no_own_organisation",
            )


class PracticeOrganisationInline(admin.TabularInline):
    model = PracticeOrganisation
    formset = PracticeOrganisationFormSet
    fields = ("organisation", "role", "unit", "year", "order")
    autocomplete_fields = ("organisation",)
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if edits_all_organisations(request.user):
            return formset
        # The editor's own organisations, and those already in the practice (kept as they
        # are); the autocomplete offers only their own (OrganisationAdmin).
        member_ids = member_organisation_ids(request.user)
        allowed = Q(pk__in=member_ids)
        if obj is not None:
            allowed |= Q(pk__in=obj.organisation_roles.values("organisation_id"))
        field = formset.form.base_fields.get("organisation")
        if field is not None:
            field.queryset = Organisation.objects.filter(allowed)
        formset.member_ids = member_ids
        return formset


class PracticeContactInline(admin.TabularInline):
    model = PracticeContact
    fields = ("contact", "role", "order")
    autocomplete_fields = ("contact",)
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if edits_all_organisations(request.user):
            return formset
        # The contacts the editor may see (contacts.access), and those already linked to
        # the practice: another organisation's contact cannot be linked by guessing its id.
        allowed = Q(pk__in=contacts_editable_by(request.user).values("pk"))
        if obj is not None:
            allowed |= Q(pk__in=obj.contact_roles.values("contact_id"))
        field = formset.form.base_fields.get("contact")
        if field is not None:
            field.queryset = Contact.objects.filter(allowed)
        return formset


class PracticeLinkInline(TranslationTabularInline):
    model = PracticeLink
    fields = ("title", "url", "kind", "order")
    extra = 1


class AttachmentInline(TranslationStackedInline):
    model = Attachment
    fields = ("title", "file", "original_filename", "description", "order")
    formfield_overrides = COMPACT_TEXTAREAS
    extra = 0


class RecognitionInline(TranslationStackedInline):
    model = Recognition
    fields = ("award", "year", "awarding_body", "url", "description")
    formfield_overrides = COMPACT_TEXTAREAS
    extra = 0


class AssessmentInline(admin.StackedInline):
    model = Assessment
    fields = ("assessor", "scale", "rating", "assessed_on", "url", "summary")
    formfield_overrides = COMPACT_TEXTAREAS
    extra = 0


@admin.register(Practice)
class PracticeAdmin(
    OptimisticLockingMixin,
    PracticeWorkflowMixin,
    FreshnessAdminMixin,
    PracticeHistoryMixin,
    PracticeSpreadsheetMixin,
    TranslationAdmin,
):
    fieldsets = (
        (
            _("Basic information"),
            {
                "fields": (
                    "status",
                    "name",
                    "slug",
                    "summary",
                    "stage",
                    "start_year",
                    "content_language",
                )
            },
        ),
        (
            _("Location and organisations"),
            {
                "fields": (
                    "location_note",
                    "is_national",
                    "municipalities",
                    "regions",
                    "wellbeing_counties",
                ),
                "description": _(
                    "The organisations and their roles are entered further down the page."
                ),
            },
        ),
        (_("Description"), {"fields": Practice.SECTION_FIELDS}),
        (_("Classification"), {"fields": ("themes", "target_groups", "collection")}),
        (_("Funding"), {"fields": ("funders", "funding_programme")}),
        (
            _("Cover image"),
            {"fields": ("cover_image", "cover_image_alt", "cover_image_caption")},
        ),
        (
            _("Source"),
            {
                "fields": (
                    "source_name",
                    "source_url",
                    "source_author",
                    "source_created",
                    "source_modified",
                ),
                "classes": ("collapse",),
            },
        ),
        (
            _("Maintenance"),
            {
                "fields": (
                    "last_reviewed",
                    "review_due_date",
                    "completeness",
                    "created_at",
                    "modified_at",
                    "published_at",
                    "created_by",
                )
            },
        ),
    )
    readonly_fields = (
        "created_at",
        "modified_at",
        "published_at",
        "created_by",
        "review_due_date",
        "completeness",
    )
    prepopulated_fields = {"slug": ("name_fi",)}
    autocomplete_fields = (
        "municipalities",
        "regions",
        "wellbeing_counties",
        "collection",
    )
    filter_horizontal = ("themes", "target_groups", "funders")
    formfield_overrides = COMPACT_TEXTAREAS
    inlines = (
        PracticeOrganisationInline,
        PracticeContactInline,
        PracticeLinkInline,
        AttachmentInline,
        RecognitionInline,
        AssessmentInline,
    )

    list_display = ("name", "status", "stage", "owner_organisations", "modified_at")
    list_filter = (
        "stage",
        "status",
        ReviewOverdueFilter,
        "themes",
        "wellbeing_counties",
        "collection",
    )
    list_select_related = ("stage",)
    search_fields = (
        "name_fi",
        "name_sv",
        "name_en",
        "summary_fi",
        "summary_sv",
        "summary_en",
        "organisations__name_fi",
        "organisations__name_sv",
        "organisations__name_en",
        "municipalities__name_fi",
        "municipalities__name_sv",
    )

    def get_queryset(self, request):
        # Everything the admin shows or changes (change list, forms, history, deletion,
        # actions, export) comes from here: only the practices the user may edit.
        # One query fetches the owners of every practice on a change list page.
        owners = PracticeOrganisation.objects.filter(
            role=PracticeOrganisation.Role.OWNER
        ).select_related("organisation")
        owner_roles = Prefetch("organisation_roles", queryset=owners, to_attr="owner_roles")
        queryset = super().get_queryset(request).prefetch_related(owner_roles)
        return practices_editable_by(request.user, queryset)

    def get_object(self, request, object_id, from_field=None):
        # Another organisation's practice is not found, exactly like one that does not exist
        # (the admin would otherwise redirect to its index with a message).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such practice."))
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        status = form.base_fields.get("status")
        if status is not None:
            # Publishing and archiving is for publishers; others submit for review.
            status.choices = status_choices_for(request.user, obj.status if obj else None)
        return form

    @admin.display(description=_("owner"))
    def owner_organisations(self, practice):
        return ", ".join(str(role.organisation) for role in practice.owner_roles)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class LookupAdmin(TranslationAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name_fi", "name_sv", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_fi",)}
    formfield_overrides = COMPACT_TEXTAREAS


admin.site.register(DevelopmentStage, LookupAdmin)
admin.site.register(Theme, LookupAdmin)
admin.site.register(TargetGroup, LookupAdmin)


@admin.register(Funder)
class FunderAdmin(LookupAdmin):
    list_display = ("name", "abbreviation", "slug", "order")
    search_fields = (*LookupAdmin.search_fields, "abbreviation")


@admin.register(Collection)
class CollectionAdmin(TranslationAdmin):
    list_display = ("name", "kind", "coordinator", "start_date", "end_date")
    list_filter = ("kind",)
    list_select_related = ("coordinator",)
    search_fields = ("name_fi", "name_sv", "name_en", "slug", "coordinator__name_fi")
    prepopulated_fields = {"slug": ("name_fi",)}
    autocomplete_fields = ("coordinator",)
    formfield_overrides = COMPACT_TEXTAREAS
