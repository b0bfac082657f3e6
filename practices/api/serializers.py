"""JSON shapes of the public API. Translated fields follow the active language, falling back
to Finnish, exactly as on the public pages."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Collection, Practice, PracticeContact, PracticeLink, PracticeOrganisation


def _absolute(request, url):
    return request.build_absolute_uri(url) if request is not None else url


class LookupSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CodedPlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class WellbeingCountySerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    slug = serializers.CharField()
    name = serializers.CharField()


class OrganisationRoleSerializer(serializers.Serializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    role = serializers.ChoiceField(choices=PracticeOrganisation.Role.choices)


class OrganisationRoleDetailSerializer(OrganisationRoleSerializer):
    role_label = serializers.CharField(source="get_role_display")
    unit = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class FunderSerializer(LookupSerializer):
    abbreviation = serializers.CharField()
    website = serializers.CharField()


class CollectionSerializer(LookupSerializer):
    kind = serializers.ChoiceField(choices=Collection.Kind.choices)
    description = serializers.CharField()
    website = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class RecognitionSerializer(serializers.Serializer):
    award = serializers.CharField()
    year = serializers.IntegerField()
    awarding_body = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    assessor = serializers.CharField()
    scale = serializers.CharField()
    rating = serializers.CharField()
    assessed_on = serializers.DateField(allow_null=True)
    summary = serializers.CharField()
    url = serializers.CharField()


class LinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.ChoiceField(choices=PracticeLink.Kind.choices)


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.SerializerMethodField(
        help_text="Address of the file, or null when it is not available online."
    )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, attachment):
        if not attachment.file:
            return None
        return _absolute(self.context.get("request"), attachment.file.url)


class ContactRoleSerializer(serializers.Serializer):
    """A public contact person. Only contacts marked public ever reach this serializer."""

    name = serializers.CharField(source="contact.name")
    title = serializers.CharField(source="contact.title")
    organisation = serializers.SerializerMethodField()
    unit = serializers.CharField(source="contact.unit")
    email = serializers.CharField(source="contact.email")
    phone = serializers.CharField(source="contact.phone")
    role = serializers.ChoiceField(choices=PracticeContact.Role.choices)

    @extend_schema_field(LookupSerializer(allow_null=True))
    def get_organisation(self, contact_role):
        organisation = contact_role.contact.organisation
        if organisation is None:
            return None
        return {"slug": organisation.slug, "name": organisation.name}


class CoverImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    alt = serializers.CharField()
    caption = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    """Where the card's information comes from; empty strings and nulls where not known."""

    name = serializers.CharField()
    url = serializers.CharField()
    author = serializers.CharField()
    created = serializers.DateField(allow_null=True)
    modified = serializers.DateField(allow_null=True)


class FacetSerializer(serializers.Serializer):
    """One value of a facet: what to pass as the parameter's value, its label in the active
    language, how many practices it gives with the other filters applied, and whether it is
    among the given values."""

    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class PracticeListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The practice's public page.")
    api_url = serializers.SerializerMethodField()
    stage = LookupSerializer(allow_null=True)
    themes = LookupSerializer(many=True)
    organisations = OrganisationRoleSerializer(source="organisation_roles", many=True)
    municipalities = CodedPlaceSerializer(many=True)
    modified = serializers.DateTimeField(source="modified_at")

    class Meta:
        model = Practice
        fields = [
            "slug",
            "name",
            "summary",
            "url",
            "api_url",
            "stage",
            "themes",
            "organisations",
            "municipalities",
            "modified",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, practice):
        return _absolute(self.context.get("request"), practice.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, practice):
        """The practice in this API; keeps a ?lang= choice so the link answers in the same
        language."""
        request = self.context.get("request")
        url = reverse("api:practice-detail", kwargs={"slug": practice.slug})
        if request is not None and "lang" in request.query_params:
            url += "?" + urlencode({"lang": get_language()})
        return _absolute(request, url)


class PracticeDetailSerializer(PracticeListSerializer):
    target_groups = LookupSerializer(many=True)
    organisations = OrganisationRoleDetailSerializer(source="organisation_roles", many=True)
    regions = CodedPlaceSerializer(many=True)
    wellbeing_counties = WellbeingCountySerializer(many=True)
    collection = CollectionSerializer(allow_null=True)
    funders = FunderSerializer(many=True)
    recognitions = RecognitionSerializer(many=True)
    assessments = AssessmentSerializer(many=True)
    links = LinkSerializer(many=True)
    attachments = AttachmentSerializer(many=True)
    contacts = ContactRoleSerializer(source="public_contact_roles", many=True)
    cover_image = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at")
    published = serializers.DateTimeField(source="published_at")

    class Meta(PracticeListSerializer.Meta):
        fields = [
            *PracticeListSerializer.Meta.fields,
            *Practice.SECTION_FIELDS,
            "location_note",
            "start_year",
            "content_language",
            "is_national",
            "target_groups",
            "regions",
            "wellbeing_counties",
            "collection",
            "funders",
            "funding_programme",
            "recognitions",
            "assessments",
            "links",
            "attachments",
            "contacts",
            "cover_image",
            "source",
            "last_reviewed",
            "created",
            "published",
        ]

    @extend_schema_field(CoverImageSerializer(allow_null=True))
    def get_cover_image(self, practice):
        if not practice.cover_image:
            return None
        return {
            "url": _absolute(self.context.get("request"), practice.cover_image.url),
            "alt": practice.cover_image_alt,
            "caption": practice.cover_image_caption,
        }

    @extend_schema_field(SourceSerializer)
    def get_source(self, practice):
        return {
            "name": practice.source_name,
            "url": practice.source_url,
            "author": practice.source_author,
            "created": practice.source_created.isoformat() if practice.source_created else None,
            "modified": practice.source_modified.isoformat() if practice.source_modified else None,
        }
