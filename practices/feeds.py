"""Atom feeds of newly published practices: all of them (/syote/) and one theme's
(/syote/<theme>/). The feeds sit inside i18n_patterns, so /sv/syote/ is in Swedish and links
to the Swedish pages. Only published practices ever appear."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

from .models import Practice, PracticeOrganisation, Theme, newest_published_order

FEED_LENGTH = 50
SITE_NAME = "Käytäntöpankki"


def shown_language(obj, field_name):
    """The language a translated field is shown in: the active one, or the one it falls back
    to when it has no text in the active language."""
    current = get_language()
    for language in resolution_order(current):
        if getattr(obj, build_localized_fieldname(field_name, language), None):
            return language
    return current


class PracticeAtomFeed(Atom1Feed):
    """Atom with one <author> per owner organisation (Django's generator writes one at most),
    and xml:lang on an entry whose summary is shown in another language than the feed (its
    translation is missing)."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language") and item["language"] != self.feed["language"]:
            attributes["xml:lang"] = item["language"]
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if uri:
                handler.addQuickElement("uri", uri)
            handler.endElement("author")


class LatestPracticesFeed(Feed):
    """The newest published practices, by publication time."""

    feed_type = PracticeAtomFeed
    # Entries without an owner organisation are credited to the site (an Atom feed needs an
    # author for every entry).
    author_name = SITE_NAME

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed is identified by its own address, not by the page it links to.
        feed.feed["id"] = feed.feed["feed_url"]
        for item in feed.items:
            item["authors"] = [
                (name, request.build_absolute_uri(path)) for name, path in item["authors"]
            ]
        return feed

    def title(self):
        return _("Newest practices – %(site)s") % {"site": SITE_NAME}

    def subtitle(self):
        return _("Practice models published in %(site)s, newest first.") % {"site": SITE_NAME}

    def link(self):
        return reverse("practices:list")

    def feed_url(self):
        return reverse("practices:feed")

    def published_practices(self):
        owners = PracticeOrganisation.objects.filter(
            role=PracticeOrganisation.Role.OWNER
        ).select_related("organisation")
        return (
            Practice.objects.published()
            .prefetch_related(
                "themes", Prefetch("organisation_roles", queryset=owners, to_attr="owner_roles")
            )
            .order_by(*newest_published_order())
        )

    def items(self):
        return self.published_practices()[:FEED_LENGTH]

    def item_title(self, practice):
        # Atom titles are plain text: the generator escapes them for XML.
        return practice.name

    def item_description(self, practice):
        # Atom summaries are written as type="html": plain text is escaped for HTML once.
        return escape(practice.summary)

    def item_pubdate(self, practice):
        return practice.published_at

    def item_updateddate(self, practice):
        return practice.modified_at

    def item_categories(self, practice):
        return [theme.name for theme in practice.themes.all()]

    def item_extra_kwargs(self, practice):
        # Made absolute in get_feed(), which has the request.
        return {
            "language": shown_language(practice, "summary"),
            "authors": [
                (role.organisation.name, role.organisation.get_absolute_url())
                for role in practice.owner_roles
            ],
        }


class ThemePracticesFeed(LatestPracticesFeed):
    """The newest published practices on one theme."""

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, theme):
        return _("Newest practices on %(theme)s – %(site)s") % {
            "theme": theme.name,
            "site": SITE_NAME,
        }

    def subtitle(self, theme):
        return _("Practice models on %(theme)s published in %(site)s, newest first.") % {
            "theme": theme.name,
            "site": SITE_NAME,
        }

    def link(self, theme):
        return reverse("practices:list") + "?" + urlencode({"theme": theme.slug})

    def feed_url(self, theme):
        return reverse("practices:theme-feed", kwargs={"slug": theme.slug})

    def items(self, theme):
        return self.published_practices().filter(themes=theme)[:FEED_LENGTH]
