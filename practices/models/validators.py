"""Checks of uploaded attachments and cover images: an allowed type by the file name's
extension, a size within the limit, and content that really is of that type.

The content is read, not trusted from the name or the browser's Content-Type: an image must
be a JPEG, PNG or WebP image that Pillow can read, in the format its extension names; a PDF
must start with the PDF signature; an office document must be the ZIP or OLE2 container of
its format; a text file must be text and not a web page. A file whose content and name
disagree is refused, because the file is served with the type of its extension
(practices/media.py).

Only new uploads are read: a file already stored was checked when it was uploaded.
"""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

# Extension -> the Pillow format of the image.
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
IMAGE_EXTENSIONS = tuple(IMAGE_FORMATS)
# The most pixels an image may have (decoding a larger one would take too much memory).
MAX_IMAGE_PIXELS = 50_000_000

# Office Open XML documents: a ZIP with [Content_Types].xml and a folder of the application.
OOXML_FOLDERS = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
# OpenDocument files: a ZIP whose member "mimetype" names the format.
ODF_TYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "odp": b"application/vnd.oasis.opendocument.presentation",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
# Legacy Microsoft Office documents are OLE2 compound files.
OLE2_EXTENSIONS = ("doc", "ppt", "xls")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"
TEXT_EXTENSIONS = ("csv", "txt")
# How much of a text file is read to tell text from binary data or markup.
TEXT_SAMPLE_BYTES = 64 * 1024

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


def _extension(file):
    name = (getattr(file, "name", "") or "").lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _display_name(file):
    return PurePath(getattr(file, "name", "") or "").name


def _check_size(file, limit):
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def _check_extension(file, allowed):
    extension = _extension(file)
    if extension not in allowed:
        raise ValidationError(
            _("Files of type “%(extension)s” are not allowed. Allowed types: %(allowed)s."),
            code="invalid_extension",
            params={"extension": extension or "?", "allowed": ", ".join(allowed)},
        )


def _new_upload(value):
    """The file to read when `value` is a new upload; None for a file already stored."""
    if isinstance(value, FieldFile):
        return None if value._committed else value.file
    return value


def _read(upload, size):
    upload.seek(0)
    try:
        return upload.read(size)
    finally:
        upload.seek(0)


def _content_mismatch(file):
    return ValidationError(
        _(
            "“%(name)s” is not really a .%(extension)s file: its content is of another type, "
            "or the file is damaged. Save the file again in the format its name says, and "
            "upload it."
        ),
        code="content_mismatch",
        params={"name": _display_name(file), "extension": _extension(file)},
    )


def _check_image_content(file, upload):
    """The upload is a JPEG, PNG or WebP image of the format its extension names."""
    extension = _extension(file)
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            found, (width, height) = image.format, image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError
            image.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            _(
                "The image has more than %(limit)s million pixels, the most allowed. Make it "
                "smaller and upload it again."
            ),
            code="image_too_large",
            params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    except Exception:  # Pillow raises many kinds of errors for files it cannot read.
        found = None
    finally:
        upload.seek(0)
    if found not in set(IMAGE_FORMATS.values()):
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP image, or the image is damaged."),
            code="invalid_image",
            params={"name": _display_name(file)},
        )
    if found != IMAGE_FORMATS[extension]:
        expected = next(ext for ext, fmt in IMAGE_FORMATS.items() if fmt == found)
        raise ValidationError(
            _(
                "“%(name)s” is a %(format)s image, but its name ends in .%(extension)s. Rename "
                "it to end in .%(expected)s and upload it again."
            ),
            code="content_mismatch",
            params={
                "name": _display_name(file),
                "format": found,
                "extension": extension,
                "expected": expected,
            },
        )


def _zip_matches(upload, extension):
    if _read(upload, len(ZIP_SIGNATURE)) != ZIP_SIGNATURE:
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            if extension in OOXML_FOLDERS:
                names = archive.namelist()
                folder = OOXML_FOLDERS[extension]
                return "[Content_Types].xml" in names and any(
                    name.startswith(folder) for name in names
                )
            info = archive.getinfo("mimetype")
            return info.file_size < 200 and archive.read(info).strip() == ODF_TYPES[extension]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError):
        return False
    except NotImplementedError:  # a compression method zipfile cannot read
        return False
    finally:
        upload.seek(0)


def _is_text(sample):
    """Text, not binary data (which has NUL bytes) nor a web page or other markup (which a
    browser could be made to run)."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample.decode("utf-16", errors="replace")
    else:
        if b"\x00" in sample:
            return False
        text = sample.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    if "\x00" in text:
        return False
    return not (len(text) > 1 and text[0] == "<" and (text[1].isalpha() or text[1] in "!?/"))


def _check_attachment_content(file, upload):
    extension = _extension(file)
    if extension in IMAGE_FORMATS:
        _check_image_content(file, upload)
        return
    if extension == "pdf":
        matches = _read(upload, len(PDF_SIGNATURE)) == PDF_SIGNATURE
    elif extension in OOXML_FOLDERS or extension in ODF_TYPES:
        matches = _zip_matches(upload, extension)
    elif extension in OLE2_EXTENSIONS:
        matches = _read(upload, len(OLE2_SIGNATURE)) == OLE2_SIGNATURE
    elif extension in TEXT_EXTENSIONS:
        matches = _is_text(_read(upload, TEXT_SAMPLE_BYTES))
    else:  # not reached: the extension was checked first
        matches = False
    if not matches:
        raise _content_mismatch(file)


def validate_image_file(file):
    _check_extension(file, IMAGE_EXTENSIONS)
    _check_size(file, settings.MAX_IMAGE_SIZE)
    upload = _new_upload(file)
    if upload is not None:
        _check_image_content(file, upload)


def validate_attachment_file(file):
    _check_extension(file, ATTACHMENT_EXTENSIONS)
    _check_size(file, settings.MAX_ATTACHMENT_SIZE)
    upload = _new_upload(file)
    if upload is not None:
        _check_attachment_content(file, upload)
