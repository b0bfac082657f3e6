"""What the page of a practice shows besides the practice's own fields: its address, the
table of contents, the development period, the contact persons with their e-mail addresses in
parts, the attachments' types and sizes, the cover image's size and the related practices.

The public page (views.practice_detail) and the editors' preview (preview.practice_preview)
both render the page from page_context().
"""

import os
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .related import related_practices

# A table of contents is worth its space from this many parts on.
TOC_MIN_ENTRIES = 4

# Attachment types by file name extension; the validators allow only these.
FILE_TYPES = {
    "pdf": _("PDF"),
    "doc": _("Word document"),
    "docx": _("Word document"),
    "odt": _("OpenDocument text"),
    "ppt": _("PowerPoint presentation"),
    "pptx": _("PowerPoint presentation"),
    "odp": _("OpenDocument presentation"),
    "xls": _("Excel workbook"),
    "xlsx": _("Excel workbook"),
    "ods": _("OpenDocument spreadsheet"),
    "csv": _("CSV file"),
    "txt": _("text file"),
    "jpg": _("JPEG image"),
    "jpeg": _("JPEG image"),
    "png": _("PNG image"),
    "webp": _("WebP image"),
}


def file_type(name):
    """The type of a file by the extension of its name ("PDF", "Word document"), the extension
    in capitals for a type not listed, or "" for a name without an extension."""
    extension = os.path.splitext(name or "")[1].lstrip(".").lower()
    if not extension:
        return ""
    return FILE_TYPES.get(extension, extension.upper())


def file_size(field_file):
    """The size of a stored file in bytes, or None when the storage does not have it."""
    try:
        return field_file.size
    except (OSError, ValueError):
        return None


@dataclass
class AttachmentRow:
    attachment: object
    # The file's type ("PDF"), or "" when not known.
    type: str
    # Bytes, or None for an attachment without a file or a file the storage has lost.
    size: int | None


def attachment_rows(attachments):
    rows = []
    for attachment in attachments:
        stored = attachment.file
        if stored:
            rows.append(AttachmentRow(attachment, file_type(stored.name), file_size(stored)))
        else:
            rows.append(AttachmentRow(attachment, "", None))
    return rows


@dataclass
class ContactRow:
    role: object
    contact: object
    # The e-mail address in two parts, shown as "user (at) domain" so that it is never in the
    # page whole (static/js/detail.js makes it a link in the browser).
    email_user: str
    email_domain: str


def email_parts(address):
    """("etunimi.sukunimi", "kunta.fi") for "etunimi.sukunimi@kunta.fi"; ("", "") for
    something that is not an address."""
    user, at, domain = (address or "").strip().rpartition("@")
    if not (at and user and domain):
        return "", ""
    return user, domain


def contact_rows(contact_roles):
    return [
        ContactRow(role, role.contact, *email_parts(role.contact.email)) for role in contact_roles
    ]


@dataclass
class CoverImage:
    url: str
    width: int | None
    height: int | None


def cover_image(practice):
    """The cover image with its size in pixels (for the width and height attributes that keep
    the page from jumping as it loads), or None without an image or when its file is lost."""
    image = practice.cover_image
    if not image:
        return None
    try:
        width, height = image.width, image.height
    except (OSError, ValueError):
        # The file is gone from the storage: nothing to show.
        return None
    return CoverImage(image.url, width, height)


def year_span(start, end):
    """A period in years: "2021–2023", "2021", "since 2021", "until 2023" or ""."""
    if start and end and end > start:
        return f"{start}–{end}"
    if start and end == start:
        return str(start)
    if start:
        return gettext("since %(year)s") % {"year": start}
    if end:
        return gettext("until %(year)s") % {"year": end}
    return ""


def development_period(practice):
    """From the year development began (or the start of the project the practice belongs to)
    to the end of that project."""
    collection = practice.collection
    start = practice.start_year
    if not start and collection and collection.start_date:
        start = collection.start_date.year
    end = collection.end_date.year if collection and collection.end_date else None
    if start and end and end < start:
        end = None
    return year_span(start, end)


def has_source(practice):
    return any(
        (
            practice.source_name,
            practice.source_url,
            practice.source_author,
            practice.source_created,
            practice.source_modified,
        )
    )


def page_context(request, practice, *, preview=False):
    """The template context of the practice's page. `practice` comes from
    Practice.objects.for_detail(); the page then takes a fixed number of queries."""
    sections = practice.sections()
    recognitions = list(practice.recognitions.all())
    assessments = list(practice.assessments.all())
    links = list(practice.links.all())
    attachments = attachment_rows(practice.attachments.all())
    contacts = contact_rows(practice.public_contact_roles)
    source = has_source(practice)

    toc = [(field_name, heading) for field_name, heading, _text in sections]
    for anchor, heading, shown in (
        ("collection", _("Part of"), practice.collection),
        ("recognitions", _("Recognitions"), recognitions),
        ("assessments", _("Assessments"), assessments),
        ("links", _("Links"), links),
        ("attachments", _("Attachments"), attachments),
        ("contacts", _("Contacts"), contacts),
        ("source", _("Source"), source),
    ):
        if shown:
            toc.append((anchor, heading))

    return {
        "practice": practice,
        "preview": preview,
        "canonical_url": request.build_absolute_uri(practice.get_absolute_url()),
        "sections": sections,
        "toc": toc if len(toc) >= TOC_MIN_ENTRIES else [],
        "development_period": development_period(practice),
        "cover": cover_image(practice),
        "recognitions": recognitions,
        "assessments": assessments,
        "links": links,
        "attachments": attachments,
        "contacts": contacts,
        "has_source": source,
        "related_practices": related_practices(practice),
    }
