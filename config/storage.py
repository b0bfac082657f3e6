"""A full disk: uploads that cannot be stored fail cleanly.

When the file system of the uploads (MEDIA_ROOT), or of the temporary files of large uploads
(FILE_UPLOAD_TEMP_DIR), is full or over its quota, writing raises OSError with errno ENOSPC
or EDQUOT. Then:

- AtomicFileSystemStorage (the default media storage) leaves no partial file behind: a file
  is written under a temporary name in its folder and linked to its own name only once it is
  complete. Django's FileSystemStorage writes under the final name and leaves what it wrote
  when writing fails.
- StorageFullMiddleware answers the request with "507 Insufficient Storage" and a page that
  says that nothing was saved, and logs the failure as an error. Nothing was saved indeed:
  the admin saves a change form in one transaction (ModelAdmin.changeform_view), which the
  exception rolls back, and an upload that cannot be received fails before any view runs.

The answer is a page of its own rather than the form again with an error message: the form
cannot be rebuilt from a middleware, and a redirect back to it would empty every field. The
page sends the user back with the browser's Back button, which returns to the form with what
was typed in most browsers (files have to be chosen again). Admin pages get the admin's look,
other pages the site's.
"""

import contextlib
import errno
import logging
import os
import uuid

from django.contrib import admin
from django.core.files.storage import FileSystemStorage
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

STORAGE_FULL_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT})
# What os.link() raises on a file system that has no hard links.
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS})
# HTTP 507 Insufficient Storage (RFC 4918): the server cannot store what the request needs.
STATUS = 507


def is_storage_full(error):
    return isinstance(error, OSError) and error.errno in STORAGE_FULL_ERRORS


def _remove(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear whole or not at all (see the module docstring)."""

    def _save(self, name, content):
        # A name nobody else uses: whatever fails, what was written is this call's to remove.
        partial = os.path.join(os.path.dirname(name), f".partial-{uuid.uuid4().hex}")
        try:
            partial = super()._save(partial, content)
            return self._move_into_place(self.path(partial), name)
        except BaseException:
            _remove(self.path(partial))
            raise

    def _move_into_place(self, source, name):
        """Give the complete file at `source` its own name (another free one if someone
        took it meanwhile); return that name."""
        overwrite = getattr(self, "_allow_overwrite", False)
        while True:
            target = self.path(name)
            try:
                if overwrite:
                    os.replace(source, target)
                    break
                # A link, unlike a rename, never replaces a file that has the name.
                os.link(source, target)
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            except OSError as error:
                if error.errno not in NO_HARD_LINKS:
                    raise
                # A file system without hard links: rename to a name that is free.
                if os.path.lexists(target):
                    name = self.get_available_name(name)
                    continue
                os.rename(source, target)
                break
            os.remove(source)
            break
        return os.path.relpath(target, self.location).replace("\\", "/")


def _is_admin(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace == admin.site.name


def storage_full(request, error):
    """The 507 response for a request whose upload could not be stored."""
    logger.error(
        "Storage full, nothing was saved: %s %s: %s",
        request.method,
        request.path,
        error,
        extra={"status_code": STATUS},
    )
    if _is_admin(request):
        context = {**admin.site.each_context(request), "title": gettext("Nothing was saved")}
        response = render(request, "admin/507.html", context, status=STATUS)
    else:
        response = render(request, "507.html", status=STATUS)
    add_never_cache_headers(response)
    return response


class StorageFullMiddleware:
    """Answer a request whose upload met a full disk with the 507 page (see above).

    It goes before CsrfViewMiddleware: an upload is received (large files into temporary
    files) when the form's fields are first read, which CSRF protection does. Here they are
    read first, so that a full disk then is answered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return None
        try:
            request.FILES  # noqa: B018 -- receives the upload
        except OSError as error:
            if not is_storage_full(error):
                # Anything else (a client that went away, say) is left to whoever reads
                # the form next, as without this middleware.
                return None
            self._discard_received(request)
            return storage_full(request, error)
        return None

    def process_exception(self, request, exception):
        if is_storage_full(exception):
            return storage_full(request, exception)
        return None

    @staticmethod
    def _discard_received(request):
        """Close (and so delete) the temporary file of the upload that was being received."""
        for handler in request.upload_handlers:
            file = getattr(handler, "file", None)
            if file is not None:
                file.close()
