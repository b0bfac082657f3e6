"""Gunicorn settings for Käytäntöpankki, read from the environment:

    gunicorn -c config/gunicorn.conf.py

| variable | default | what it sets |
| --- | --- | --- |
| GUNICORN_BIND | 0.0.0.0:$PORT | address(es) to listen on, comma-separated |
| PORT | 8000 | the port, when GUNICORN_BIND is not set |
| WEB_CONCURRENCY | cores + 1, at most 8 | worker processes |
| GUNICORN_THREADS | 4 | threads per worker process |
| GUNICORN_WORKER_CLASS | gthread | gunicorn's worker type |
| GUNICORN_TIMEOUT | 30 | seconds a silent worker is given before it is restarted |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds for requests in progress on restart or stop |
| GUNICORN_KEEPALIVE | 5 | seconds an idle keep-alive connection is kept open |
| GUNICORN_MAX_REQUESTS | 20000 | requests after which a worker is replaced (0: never) |
| GUNICORN_MAX_REQUESTS_JITTER | 2000 | random extra, so that workers are not replaced at once |
| FORWARDED_ALLOW_IPS | 127.0.0.1,::1 | proxies whose X-Forwarded-Proto is believed |
| GUNICORN_PRELOAD | false | load the application before forking the workers |
| GUNICORN_CONTROL_SOCKET | (none) | path of gunicorn's control socket, off when not set |
| GUNICORN_LOG_LEVEL | info | level of gunicorn's own messages |
| LOG_FORMAT | json | json or text, as for the application (config/logging.py) |

Workers are threaded (gthread) rather than one request at a time (sync): each process keeps the
list's in-memory index of the published practices (practices.browse, ~25 MB at 50,000
practices), which the threads of a process share, and a request spends part of its time waiting
for PostgreSQL, when another thread of the same process can run. Measured on two cores with
5,000 practices, a mix of home, list, search, detail and API pages from 16 clients
(benchmarks/README.md has the figures): 3 gthread workers × 4 threads served as many requests a
second as 5 sync workers, with three fifths of the memory, and kept serving the other pages
while one request was slow. Several processes are still needed to use more than one core.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, got {value!r}") from None


def _bool(name, default):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name} must be a boolean (true/false), got {value!r}")


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
chdir = str(ROOT)
proc_name = "kaytantopankki"

bind = os.environ.get("GUNICORN_BIND", "").strip() or f"0.0.0.0:{_int('PORT', 8000)}"
bind = [address.strip() for address in bind.split(",") if address.strip()]

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "").strip() or "gthread"
# One process per core and one more, to fill the gaps while a process waits or collects
# garbage; more processes than that only add memory (an index each) with threads doing the
# waiting. Capped for large machines, where several smaller servers behind the load balancer
# scale better than one with dozens of processes.
workers = _int("WEB_CONCURRENCY", min(_cores() + 1, 8))
threads = _int("GUNICORN_THREADS", 4)

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A replaced worker builds its index again (warm_up below does it before taking requests), so
# replacements are rare: they only guard against a slow leak.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)

# Proxies allowed to say that the request came over HTTPS (X-Forwarded-Proto); Django trusts
# the header itself only when TRUSTED_PROXY_COUNT is set (config/settings.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"

# The workers' heartbeat files in memory: a container's disk may be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Off: each worker loads the application itself, so a restart with HUP picks up new code, and
# no database connection is made before forking and then shared by the workers.
preload_app = _bool("GUNICORN_PRELOAD", False)

# Gunicorn's control socket would otherwise be made at the same path under $HOME for every
# server on the machine.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip() or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket

# Logs: to standard output, in the application's format (config/logging.py). The access log
# has one line per request, its message "GET /path 200", the rest as fields.
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "").strip() or "info"
_log_format = os.environ.get("LOG_FORMAT", "").strip() or "json"
if _log_format not in ("json", "text"):
    raise RuntimeError(f"LOG_FORMAT must be json or text, got {_log_format!r}")
accesslog = "-"
access_log_format = (
    "%(m)s %(U)s %(s)s"
    if _log_format == "json"
    else '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"()": "config.logging.TextFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": _log_format,
        }
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}


def post_worker_init(worker):
    """Build the list's index before the worker takes its first request, so that no visitor
    waits for it. A database that cannot be reached now is no reason not to start: the first
    request then builds it (or is answered with the 503 page)."""
    from django.db import DatabaseError, connections

    from practices.browse import browse_index

    try:
        browse_index()
    except DatabaseError as error:
        worker.log.warning("The list's index was not built at start: %s", error)
    finally:
        # The threads that serve requests open connections of their own.
        connections.close_all()
