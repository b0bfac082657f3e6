"""Machine-readable descriptions in a practice page's <head>: schema.org JSON-LD for search
engines, and the Atom feeds of the practice's themes.

Both are given for published practices only (never for an editor's preview of a draft), and
read only what PracticeQuerySet.for_detail() has already loaded: no queries of their own.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from practices.feeds import SITE_NAME, shown_language
from practices.models import PracticeOrganisation

register = template.Library()

# Characters that could end the <script> element or start markup inside it, written as JSON
# escapes instead (as django.utils.html.json_script does).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

Role = PracticeOrganisation.Role


def _date(value):
    return timezone.localtime(value).isoformat() if value else None


def _compact(data):
    """The dict without empty values (None, "", [], {}), recursively."""
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            value = _compact(value)
            if value not in (None, "", [], {}):
                result[key] = value
        return result
    if isinstance(data, list):
        return [item for item in (_compact(value) for value in data) if item not in (None, "", {})]
    return data


def practice_structured_data(practice, request):
    """The practice as a schema.org CreativeWork, as a dict ready for JSON."""

    def absolute(url):
        return request.build_absolute_uri(url) if request is not None else url

    def organisations(*roles):
        return [
            {
                "@type": "Organization",
                "name": row.organisation.name,
                "url": absolute(row.organisation.get_absolute_url()),
                "sameAs": row.organisation.website,
            }
            for row in practice.organisation_roles.all()
            if row.role in roles
        ]

    def areas(queryset):
        return [{"@type": "AdministrativeArea", "name": area.name} for area in queryset]

    places = []
    if practice.is_national:
        places.append({"@type": "Country", "name": gettext("Finland")})
    places += areas(practice.wellbeing_counties.all())
    places += areas(practice.regions.all())
    places += areas(practice.municipalities.all())
    if practice.location_note:
        places.append({"@type": "Place", "name": practice.location_note})

    part_of = None
    if practice.collection:
        part_of = {
            "@type": "Collection",
            "name": practice.collection.name,
            "url": absolute(practice.collection.get_absolute_url()),
            "sameAs": practice.collection.website,
        }
    image = None
    if practice.cover_image:
        image = {
            "@type": "ImageObject",
            "url": absolute(practice.cover_image.url),
            "caption": practice.cover_image_caption,
            "description": practice.cover_image_alt,
        }

    return _compact(
        {
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "name": practice.name,
            "description": practice.summary,
            "url": absolute(practice.get_absolute_url()),
            "inLanguage": shown_language(practice, "summary"),
            "dateCreated": _date(practice.created_at),
            "dateModified": _date(practice.modified_at),
            "datePublished": _date(practice.published_at),
            "keywords": [theme.name for theme in practice.themes.all()],
            "audience": [
                {"@type": "Audience", "audienceType": group.name}
                for group in practice.target_groups.all()
            ],
            "author": organisations(Role.OWNER),
            "creator": organisations(Role.DEVELOPER),
            "contributor": organisations(Role.IMPLEMENTER, Role.PARTNER),
            "spatialCoverage": places,
            "funder": [
                {
                    "@type": "Organization",
                    "name": funder.name,
                    "alternateName": funder.abbreviation,
                    "url": funder.website,
                }
                for funder in practice.funders.all()
            ],
            "award": [
                f"{recognition.award} {recognition.year}"
                for recognition in practice.recognitions.all()
            ],
            "isPartOf": part_of,
            "image": image,
        }
    )


def json_ld_script(data):
    """A <script type="application/ld+json"> element holding `data`, safe in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.simple_tag(takes_context=True)
def practice_json_ld(context, practice):
    """{% practice_json_ld practice %}: the practice's JSON-LD, for a published practice."""
    if not practice.is_published:
        return ""
    return json_ld_script(practice_structured_data(practice, context.get("request")))


@register.simple_tag
def theme_feed_links(practice):
    """{% theme_feed_links practice %}: an Atom feed <link> for each of the practice's themes."""
    if not practice.is_published:
        return ""
    return format_html_join(
        "\n",
        '<link rel="alternate" type="application/atom+xml" href="{}" title="{}">',
        (
            (
                reverse("practices:theme-feed", kwargs={"slug": theme.slug}),
                gettext("Newest practices on %(theme)s – %(site)s")
                % {"theme": theme.name, "site": SITE_NAME},
            )
            for theme in practice.themes.all()
        ),
    )
