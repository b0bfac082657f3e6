"""Filters and tags for showing practice cards."""

import re

from django import template
from django.utils.html import escape, format_html, format_html_join, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname, resolution_order

from practices.models import PracticeOrganisation

register = template.Library()

# A line starting with one of these is a list item: "- ", "• " or an en dash "– ".
BULLET_RE = re.compile(r"^[-•–]\s+")
BLANK_LINE_RE = re.compile(r"\n\s*\n")

Role = PracticeOrganisation.Role
ROLE_HEADINGS = {
    Role.OWNER: _("Owners"),
    Role.DEVELOPER: _("Developers"),
    Role.IMPLEMENTER: _("Implementers"),
    Role.PARTNER: _("Partners"),
    Role.ADOPTER: _("Adopted by"),
}


# An e-mail address written in a text (not one inside a web address such as .../@name).
EMAIL_RE = re.compile(r"(?<![\w.+:/-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")


def protected_email(user, domain):
    """An e-mail address as people read it ("user (at) domain") but harvesters do not find
    it; static/js/detail.js makes it an ordinary link."""
    return format_html(
        '<span class="email js-email"><span class="email__user">{}</span>'
        '<span class="email__at"> {} </span><span class="email__domain">{}</span></span>',
        user,
        _("(at)"),
        domain,
    )


def _inline(line):
    """One escaped line of text with web addresses made into links and e-mail addresses
    protected from harvesting."""
    parts, position = [], 0
    for match in EMAIL_RE.finditer(line):
        parts.append(urlize(line[position : match.start()], nofollow=True, autoescape=True))
        parts.append(protected_email(match.group(1), match.group(2).rstrip(".")))
        position = match.start() + len(match.group(1)) + 1 + len(match.group(2).rstrip("."))
    parts.append(urlize(line[position:], nofollow=True, autoescape=True))
    return mark_safe("".join(parts))


@register.filter
def rich_text(text):
    """Plain text as HTML: blank lines separate paragraphs; lines starting with "- ", "• " or
    "– " become list items; other line breaks become <br>; web addresses become links.
    Everything else is escaped."""
    if not text:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = []
    for chunk in BLANK_LINE_RE.split(text):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph, items = [], []
        for line in lines:
            bullet = BULLET_RE.match(line)
            if bullet:
                if paragraph:
                    blocks.append(_paragraph(paragraph))
                    paragraph = []
                items.append(line[bullet.end() :])
            else:
                if items:
                    blocks.append(_list(items))
                    items = []
                paragraph.append(line)
        if paragraph:
            blocks.append(_paragraph(paragraph))
        if items:
            blocks.append(_list(items))
    return mark_safe("\n".join(blocks))


def _paragraph(lines):
    return format_html("<p>{}</p>", mark_safe("<br>\n".join(_inline(line) for line in lines)))


def _list(items):
    return format_html(
        "<ul>\n{}\n</ul>", format_html_join("\n", "<li>{}</li>", ((_inline(i),) for i in items))
    )


@register.filter
def tel_href(phone):
    """A phone number as written ("040 123 4567") in the form a tel: link needs."""
    phone = str(phone or "").strip()
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.startswith("+") else digits


@register.filter
def with_role(organisation_roles, role):
    """The PracticeOrganisation rows with the given role, from a prefetched relation."""
    return [row for row in organisation_roles.all() if row.role == role]


@register.filter
def by_role(organisation_roles):
    """(heading, rows) for each role that has organisations, in the order roles are defined."""
    rows = list(organisation_roles.all())
    groups = []
    for role in Role:
        in_role = [row for row in rows if row.role == role]
        if in_role:
            groups.append((ROLE_HEADINGS.get(role, role.label), in_role))
    return groups


@register.simple_tag
def lang_attr(obj, field_name):
    """` lang="fi"` when a translated field shows another language than the page (a fallback),
    so that screen readers pronounce it right; empty when the text is in the page's language."""
    current = get_language()
    for language in resolution_order(current):
        value = getattr(obj, build_localized_fieldname(field_name, language), None)
        if value:
            if language == current:
                return ""
            return format_html(' lang="{}"', language)
    return ""


@register.simple_tag
def facet_values(name, values):
    """The <li> checkboxes of a facet's values (practices.facets.FacetValue), each labelled with
    the number of practices it would give. Built here rather than with a template per value:
    a facet can have hundreds of values."""
    name = escape(name)
    items = []
    for value in values:
        key = escape(value.value)
        checked = " checked" if value.selected else ""
        items.append(
            f'<li class="facet__value"><input type="checkbox" name="{name}" value="{key}"'
            f' id="f-{name}-{key}"{checked}> <label for="f-{name}-{key}">{escape(value.label)}'
            f' <span class="facet__count">({int(value.count)})</span></label></li>'
        )
    return mark_safe("\n".join(items))
