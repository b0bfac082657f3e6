"""What the site does while its database cannot be reached.

Every request that needs the database then fails with an OperationalError or InterfaceError:
the server is down or restarting, the network is cut, or all its connections are taken.
DatabaseUnavailableMiddleware answers such a request with "503 Service Unavailable" and a
Retry-After header: a page in the language of the address (Finnish, /sv/ Swedish, /en/
English) that looks like the rest of the site, or JSON for the API. The page is rendered
without a single query: base.html does no database work, and no context processor runs.

A failure in a view reaches the middleware's process_exception(). One in another middleware
(a session saved after the view, say) has by then been turned into a 500 response by Django;
got_request_exception marks the request, and the middleware replaces that response.

A broken connection is closed at once, and with CONN_HEALTH_CHECKS a kept connection is
tested before reuse (config/settings.py), so when the database is back the next request
connects afresh: no restart is needed. Each such request is logged as one error line.
"""

import contextlib
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def _page_language(request):
    """The language of the address (/sv/..., /en/...), else Finnish: never one remembered in
    the database or a session."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def _api_language(request):
    """The API's language: ?lang=, else the Accept-Language header, else Finnish."""
    requested = request.GET.get("lang", "")
    if requested in dict(settings.LANGUAGES):
        return requested
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _is_api(request):
    return request.path_info.startswith("/api/")


def discard_broken_connections():
    """Close the connections of this thread, which a failure may have left broken. One inside
    a transaction that the request did not open (a test's) is left to its owner."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        with contextlib.suppress(DatabaseError):
            connection.close()


def database_unavailable(request, error):
    """The 503 response for a request that could not reach the database."""
    # Django's own records of the failure are then left out of the log (config/logging.py).
    request.database_error = error
    logger.error(
        "Database unavailable: %s",
        f"{type(error).__name__}: {error}".strip(),
        exc_info=error,
        extra={"status_code": 503},
    )
    discard_broken_connections()
    if _is_api(request):
        with translation.override(_api_language(request)):
            response = JsonResponse(
                {"detail": gettext("The service is temporarily unavailable. Try again shortly.")},
                status=503,
            )
            response["Content-Language"] = translation.get_language()
    else:
        with translation.override(_page_language(request)):
            html = loader.get_template("503.html").render(
                {
                    "request": request,
                    # The CSP nonce, when the CSP middleware gave the request one.
                    "csp_nonce": getattr(request, "_csp_nonce", None),
                    "contact_email": settings.SITE_CONTACT_EMAIL,
                    "retry_url": request.get_full_path() if request.method == "GET" else "",
                }
            )
            response = HttpResponse(html, status=503)
            response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def _note_database_error(sender, request=None, **kwargs):
    """Mark a request whose failure outside its view was an unreachable database (see the
    module's docstring)."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request.database_error = error


class DatabaseUnavailableMiddleware:
    """Answer a request that could not reach the database with the 503 page (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_database_error, dispatch_uid=__name__)

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_error", None)
        if error is not None and response.status_code == 500:
            return database_unavailable(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None
