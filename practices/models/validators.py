from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
ATTACHMENT_EXTENSIONS = (
    "pdf",
    "docx",
    "doc",
    "odt",
    "pptx",
    "ppt",
    "odp",
    "xlsx",
    "xls",
    "ods",
    "csv",
    "txt",
    "jpg",
    "jpeg",
    "png",
    "webp",
)


def _check_size(file, limit):
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def _check_extension(file, allowed):
    name = (getattr(file, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in allowed:
        raise ValidationError(
            _("Files of type “%(extension)s” are not allowed. Allowed types: %(allowed)s."),
            code="invalid_extension",
            params={"extension": extension or "?", "allowed": ", ".join(allowed)},
        )


def validate_image_file(file):
    _check_extension(file, IMAGE_EXTENSIONS)
    _check_size(file, settings.MAX_IMAGE_SIZE)


def validate_attachment_file(file):
    _check_extension(file, ATTACHMENT_EXTENSIONS)
    _check_size(file, settings.MAX_ATTACHMENT_SIZE)
