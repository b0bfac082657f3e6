"""Whole public pages, kept in the "pages" cache for visitors who are not signed in.

The pages of the catalogue (home, list and search, practice pages, feeds) and the API's
answers are the same for every visitor without a session, so the first such request renders a
page and the next ones, until the catalogue changes, get the stored copy: one query (the search
index revision) instead of a dozen, and no rendering.

- **What is kept**: answers 200 to GET of the views in PAGE_CACHE_VIEWS, for a request without
  a session cookie or a messages cookie, whose rendering set no cookie, queued no message and
  used no CSP nonce (a nonce must be new for each response: a page that uses one is never
  kept; the public pages need none). At most PAGE_CACHE_MAX_BYTES a page.
- **The key**: the search index revision, the language the page is in, the whole URL (scheme,
  host, path, query string as sent) and, for the API, the Accept header (its formats). Indexing
  writes a new revision whenever a published practice changes, is published or unpublished,
  and after an import, so every process's copies go stale at once, and with a shared cache
  (PAGE_CACHE_URL, e.g. Redis) every app server's.
- **How long**: PAGE_CACHE_SECONDS (default 300) at most, which bounds what changes without a
  new revision (a contact's e-mail address, the order of the themes). 0 turns the cache off.

Headers are those the view set; the middleware above this one (security, CSP, language,
request id) adds its own to a stored page as to a new one.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language

from config.resilience import DATABASE_ERRORS, database_unavailable
from practices.api.views import request_language
from practices.search.indexing import current_revision

# The views whose answers are kept, by their URL name.
PAGE_CACHE_VIEWS = frozenset(
    {
        "practices:home",
        "practices:list",
        "practices:detail",
        "practices:feed",
        "practices:theme-feed",
        "api:practice-list",
        "api:practice-detail",
    }
)
# Larger pages are not kept (an export is not a page).
PAGE_CACHE_MAX_BYTES = 1024 * 1024


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key:
            stored = _stored(request, response)
            if stored is not None:
                caches["pages"].set(key, stored, settings.PAGE_CACHE_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._page_cache_key = None
        if not self._cacheable_request(request):
            return None
        try:
            revision = current_revision()
        except DATABASE_ERRORS as error:
            # Outside the view, so not seen by DatabaseUnavailableMiddleware.process_exception.
            return database_unavailable(request, error)
        if not revision:
            return None
        key = self._key(request, revision)
        request._page_cache_key = key
        stored = caches["pages"].get(key)
        if stored is None:
            return None
        request._page_cache_key = None  # served from the cache: nothing new to keep
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response

    def _cacheable_request(self, request):
        match = request.resolver_match
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method == "GET"
            and match is not None
            and match.view_name in PAGE_CACHE_VIEWS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def _key(request, revision):
        api = request.resolver_match.namespace == "api"
        language = request_language(request) if api else get_language()
        parts = [request.build_absolute_uri()]
        if api:
            parts.append(request.headers.get("Accept", ""))
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return f"page:{revision}:{language}:{digest}"


def _stored(request, response):
    """(status, headers, content) of a response that may be kept, else None."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or len(response.content) > PAGE_CACHE_MAX_BYTES
        # The page used the request's nonce, or its CSRF token, or a session, or a message.
        or getattr(request, "_csp_nonce", None)
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(getattr(request, "session", None), "modified", False)
        or getattr(getattr(request, "_messages", None), "added_new", False)
        or "private" in response.get("Cache-Control", "")
        or "no-store" in response.get("Cache-Control", "")
    ):
        return None
    return response.status_code, list(response.items()), response.content
