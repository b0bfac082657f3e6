"""Admin for editors: the practice card with everything that hangs off it, and the reference
lists (stages, themes, target groups, funders, collections) editors extend.

Translated fields are shown once per language (name [fi], name [sv], name [en]) next to each
other. The tabbed variant of modeltranslation's admin is not used because it loads jQuery UI
from a third-party CDN.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .admin_spreadsheets import PracticeSpreadsheetMixin
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


class PracticeOrganisationInline(admin.TabularInline):
    model = PracticeOrganisation
    fields = ("organisation", "role", "unit", "year", "order")
    autocomplete_fields = ("organisation",)
    extra = 1


class PracticeContactInline(admin.TabularInline):
    model = PracticeContact
    fields = ("contact", "role", "order")
    autocomplete_fields = ("contact",)
    extra = 1


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
class PracticeAdmin(PracticeSpreadsheetMixin, TranslationAdmin):
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
                    "created_at",
                    "modified_at",
                    "published_at",
                    "created_by",
                )
            },
        ),
    )
    readonly_fields = ("created_at", "modified_at", "published_at", "created_by")
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
    list_filter = ("stage", "status", "themes", "wellbeing_counties", "collection")
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
        # One query fetches the owners of every practice on a change list page.
        owners = PracticeOrganisation.objects.filter(
            role=PracticeOrganisation.Role.OWNER
        ).select_related("organisation")
        owner_roles = Prefetch("organisation_roles", queryset=owners, to_attr="owner_roles")
        return super().get_queryset(request).prefetch_related(owner_roles)

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
