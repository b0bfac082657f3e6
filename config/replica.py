"""Reads of the public pages from a PostgreSQL read replica (DATABASE_REPLICA_URL).

With a replica configured, a request that only reads public content — GET or HEAD of a view in
REPLICA_VIEWS (the catalogue's pages, the API, feeds, sitemaps, the directory) from a visitor
without a session cookie — reads everything from the replica: the practices, the search index
revision, and so the list's in-memory index (practices.browse keeps one per database) and the
page cache's key (config.pagecache), which therefore always match what the page shows, however
far the replica lags. Everything else reads and writes the primary ("default"): the admin,
signed-in users, forms, sessions, logins, background tasks, migrations. A signed-in editor thus
always sees what they have just saved; the public sees it once the replica has it.

While the replica cannot be reached, its requests get the 503 page, as with the primary.
"""

from contextvars import ContextVar

from django.conf import settings

from config.pagecache import PAGE_CACHE_VIEWS

REPLICA = "replica"

# The views that only read public content (by URL name).
REPLICA_VIEWS = PAGE_CACHE_VIEWS | frozenset(
    {
        "sitemap",
        "sitemap-section",
        "directory:organisation-list",
        "directory:organisation-detail",
        "directory:area-list",
        "directory:county-detail",
        "directory:region-detail",
        "directory:collection-list",
        "directory:collection-detail",
        "directory:statistics",
    }
)

_reading_replica = ContextVar("reading_replica", default=False)


def reading_replica():
    """Whether the current request reads from the replica."""
    return _reading_replica.get()


class ReplicaRouter:
    """Reads go to the replica while a request of REPLICA_VIEWS is served; writes, and reads of
    every other request, to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading_replica.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: the same rows on both.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's changes, migrations included.
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Marks the requests that read from the replica (before any middleware that reads the
    database in process_view, such as the page cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading_replica.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            REPLICA in settings.DATABASES
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in REPLICA_VIEWS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            request._replica_token = _reading_replica.set(True)
        return None
