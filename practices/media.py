"""Uploaded files (attachments and cover images), served at MEDIA_URL from the default storage.

Who gets a file: anybody, when it is an attachment or the cover image of a published practice;
a signed-in editor (who may use the admin) when it belongs to a practice they may edit
(practices.access). Any other path is not found, whether or not a file of that name exists;
so are paths that try to leave the storage's folder.

Every response is safe to open whatever the file holds: the Content-Type comes from a fixed
list by the file's extension (never HTML), browsers are told not to guess another (nosniff),
everything but raster images is a download (Content-Disposition: attachment), and a
Content-Security-Policy of its own keeps anything in the file from running or loading. A
reverse proxy or object storage that serves MEDIA_URL itself must send the same headers.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found
from django.views.static import was_modified_since

from accounts import two_factor

from .access import practices_editable_by
from .models import Attachment, Practice
from .models.validators import IMAGE_FORMATS

# The types files are served with, by extension; any other extension is served as
# application/octet-stream. Never text/html, image/svg+xml or another type a browser runs.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
    "txt": "text/plain",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
# Raster images are shown on the pages (cover images); every other file is downloaded.
INLINE_EXTENSIONS = frozenset(IMAGE_FORMATS)
# Nothing in a served file may run, load anything or be framed; `sandbox` treats a document
# opened anyway as coming from an origin of its own.
MEDIA_CSP = "default-src 'none'; sandbox"
# Files of published practices may be kept by browsers and shared caches for an hour; after
# a practice is unpublished its files stop being served once that hour is over.
PUBLIC_CACHE_CONTROL = "public, max-age=3600"
PRIVATE_CACHE_CONTROL = "private, no-store"


def _safe_name(name):
    """`name` when it is a plain relative path inside the storage, else None."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return name


def _practices_of(name):
    """The practices the stored file `name` belongs to, as an attachment or a cover image."""
    attachments = Attachment.objects.filter(file=name).values("practice_id")
    return Practice.objects.filter(Q(cover_image=name) | Q(pk__in=attachments))


def _editor_may_see(request, practices):
    """Whether the signed-in editor may see one of `practices` in the admin."""
    user = request.user
    if not admin.site.has_permission(request) or two_factor.setup_required(request):
        return False
    if not (user.has_perm("practices.view_practice") or user.has_perm("practices.change_practice")):
        return False
    return practices_editable_by(user, practices).exists()


def _cache_control(request, name):
    """The Cache-Control header for the file `name`; Http404 when the request may not have it."""
    practices = _practices_of(name)
    if practices.published().exists():
        return PUBLIC_CACHE_CONTROL
    if _editor_may_see(request, practices):
        return PRIVATE_CACHE_CONTROL
    raise Http404


def _modified_time(name):
    try:
        return default_storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError, SuspiciousFileOperation):
        return None


@require_safe
def serve(request, name):
    try:
        return _serve(request, name)
    except Http404 as error:
        # Not kept by shared caches: the same address may be an editor's file.
        response = page_not_found(request, error)
        add_never_cache_headers(response)
        return response


def _serve(request, name):
    name = _safe_name(name)
    if name is None:
        raise Http404
    cache_control = _cache_control(request, name)
    headers = {
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
    }
    if cache_control == PRIVATE_CACHE_CONTROL:
        headers["X-Robots-Tag"] = "noindex"
    modified = _modified_time(name)
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
        if not was_modified_since(request.headers.get("If-Modified-Since"), modified):
            return HttpResponseNotModified(headers=headers)
    try:
        file = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation) as error:
        raise Http404 from error
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    return FileResponse(
        file,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        as_attachment=extension not in INLINE_EXTENSIONS,
        filename=PurePosixPath(name).name,
        headers=headers,
    )


def urlpatterns():
    """The route of uploaded files at MEDIA_URL, when MEDIA_URL is a path of this site (files
    on object storage under an address of their own are not served here)."""
    prefix = settings.MEDIA_URL
    if not prefix.startswith("/") or prefix.startswith("//") or prefix == "/":
        return []
    return [path(f"{prefix.strip('/')}/<path:name>", serve, name="media")]
