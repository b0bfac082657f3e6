"""Admin for contact people. Editors confined to their own organisations see and change the
contacts of contacts.access.contacts_editable_by; another contact's URL is not found."""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from organisations.models import Organisation
from organisations.roles import edits_all_organisations, member_organisation_ids

from .access import contacts_editable_by
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
        # Everything the admin shows or changes (change list, forms, history, deletion,
        # actions, and the contact autocomplete of the practice form) comes from here.
        # The contact's name shows its organisation, also in the practice form's autocomplete.
        queryset = super().get_queryset(request).select_related("organisation")
        return contacts_editable_by(request.user, queryset)

    def get_object(self, request, object_id, from_field=None):
        # Another organisation's contact is not found, exactly like one that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such contact."))
        return obj

    def get_autocomplete_fields(self, request):
        # An editor confined to their organisations chooses among their own few in a list.
        if edits_all_organisations(request.user):
            return super().get_autocomplete_fields(request)
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("organisation")
        if field is None or edits_all_organisations(request.user):
            return form
        # One of the editor's own organisations (or, when editing, the organisation the
        # contact already has): a contact of another organisation, or of none, would be out
        # of the editor's reach as soon as it was saved. A contact of no organisation (seen
        # through a practice) may stay so.
        allowed = Q(pk__in=member_organisation_ids(request.user))
        if obj is not None and obj.organisation_id is not None:
            allowed |= Q(pk=obj.organisation_id)
        field.queryset = Organisation.objects.filter(allowed)
        field.required = obj is None or obj.organisation_id is not None
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "organisation" not in initial and not edits_all_organisations(request.user):
            first = (
                Organisation.objects.filter(pk__in=member_organisation_ids(request.user))
                .values_list("pk", flat=True)
                .first()
            )
            if first is not None:
                initial["organisation"] = first
        return initial
