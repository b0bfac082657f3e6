"""Health checks for the load balancer and the container platform.

/healthz: the process is alive and answers (liveness). Never touches the database, so a
database outage does not get every app server restarted.

/readyz: the process can serve pages (readiness): the database answers `SELECT 1` and every
migration is applied. The migrations are checked once per process and database: after the
first success only the `SELECT 1` is left (a deployment migrates before new code serves).

Both answer without a session, cookie or redirect to HTTPS, and must not be cached.
"""

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.resilience import discard_broken_connections

logger = logging.getLogger(__name__)

# Databases whose migrations this process has found applied.
_migrated = set()
_migrated_lock = threading.Lock()


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def _migrations_applied(connection):
    if connection.alias in _migrated:
        return True
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    with _migrated_lock:
        _migrated.add(connection.alias)
    return True


def _not_ready(connection):
    """What keeps the process from serving pages, or None."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if not _migrations_applied(connection):
            return {"database": "ok", "migrations": "pending"}, "migrations are not applied"
    except DatabaseError as error:
        discard_broken_connections()
        return {"database": "unavailable", "migrations": "unknown"}, error
    return None


@never_cache
@require_safe
def readyz(request):
    problem = _not_ready(connections[DEFAULT_DB_ALIAS])
    checks = {"database": "ok", "migrations": "ok"}
    if problem:
        checks, reason = problem
        logger.warning("Not ready: %s", reason)
        # One line is enough: Django's "Service Unavailable" is left out (config/logging.py).
        request.database_error = reason
    ready = problem is None
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
