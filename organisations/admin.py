from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Municipality, Organisation, Region, WellbeingServicesCounty


class ReferenceDataAdmin(TranslationAdmin):
    """Areas come from Statistics Finland's classifications: only superusers change them.

    Other staff with the view permission can browse them and pick them in autocompletes.
    """

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ("name", "code")
    search_fields = ("name_fi", "name_sv", "name_en", "code")
    prepopulated_fields = {"slug": ("name_fi",)}


@admin.register(WellbeingServicesCounty)
class WellbeingServicesCountyAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "kind", "region")
    list_filter = ("kind", "region")
    list_select_related = ("region",)
    search_fields = ("name_fi", "name_sv", "name_en", "code")
    prepopulated_fields = {"slug": ("name_fi",)}
    autocomplete_fields = ("region",)


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "region", "wellbeing_county", "population")
    list_filter = ("region", "wellbeing_county")
    list_select_related = ("region", "wellbeing_county")
    search_fields = ("name_fi", "name_sv", "name_en", "code")
    prepopulated_fields = {"slug": ("name_fi",)}
    autocomplete_fields = ("region", "wellbeing_county")


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    fields = (
        "name",
        "slug",
        "type",
        "business_id",
        "municipality",
        "wellbeing_county",
        "website",
        "created_at",
        "modified_at",
    )
    readonly_fields = ("created_at", "modified_at")
    list_display = ("name", "type", "business_id", "municipality", "modified_at")
    list_filter = ("type",)
    list_select_related = ("municipality",)
    search_fields = ("name_fi", "name_sv", "name_en", "business_id")
    prepopulated_fields = {"slug": ("name_fi",)}
    autocomplete_fields = ("municipality", "wellbeing_county")
