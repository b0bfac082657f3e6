from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Membership, Municipality, Organisation, Region, WellbeingServicesCounty
from .roles import edits_all_organisations, member_organisation_ids


class ReferenceDataAdmin(TranslationAdmin):
    """Areas come from Statistics Finland's classifications: only superusers and
    administrators (whose group has the permissions) change them.

    Other staff with the view permission can browse them and pick them in autocompletes.
    """


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("organisation",)
    verbose_name = _("organisation")
    verbose_name_plural = _("Organisations whose practices the user edits")


class UserMembershipInline(MembershipInline):
    fields = ("organisation", "created_at")
    readonly_fields = ("created_at",)


class OrganisationMembershipInline(MembershipInline):
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    verbose_name = _("member")
    verbose_name_plural = _("Members: users who edit this organisation's practices")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (*BaseUserAdmin.inlines, UserMembershipInline)


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
    inlines = (OrganisationMembershipInline,)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # An editor who edits only their own organisations' practices picks among those
        # when adding an organisation to a practice.
        if _is_practice_organisation_autocomplete(request) and not edits_all_organisations(
            request.user
        ):
            queryset = queryset.filter(pk__in=member_organisation_ids(request.user))
        return queryset, may_have_duplicates


def _is_practice_organisation_autocomplete(request):
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == "practices"
        and request.GET.get("model_name") == "practiceorganisation"
        and request.GET.get("field_name") == "organisation"
    )
