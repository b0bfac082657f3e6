from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import Contact


@admin.register(Contact)
class ContactAdmin(TranslationAdmin):
    fields = (
        "name",
        "title",
        "organisation",
        "unit",
        "email",
        "phone",
        "is_public",
        "created_at",
        "modified_at",
    )
    readonly_fields = ("created_at", "modified_at")
    list_display = ("name", "organisation", "email", "is_public", "modified_at")
    list_filter = ("is_public",)
    search_fields = (
        "name",
        "email",
        "organisation__name_fi",
        "organisation__name_sv",
        "organisation__name_en",
    )
    autocomplete_fields = ("organisation",)

    def get_queryset(self, request):
        # The contact's name shows its organisation, also in the practice form's autocomplete.
        return super().get_queryset(request).select_related("organisation")
