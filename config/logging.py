"""Structured logs: one JSON object a line on standard output, for the application and for
gunicorn alike, so that a log collector can index them without parsing free text.

Every line has `timestamp` (UTC, ISO 8601), `level`, `logger` and `message`; a failure adds
`exc_info` (the traceback as one string). Lines written while a request is handled also carry
its `request_id`, `method` and `path`. Gunicorn's access log writes one line per request with
`method`, `path`, `query`, `status`, `duration_ms`, `bytes`, `remote_addr`, `user_agent` and
the `request_id` the application gave the request (config/gunicorn.conf.py). Neither ever
writes request headers such as Cookie or Authorization.

RequestIdMiddleware gives each request its id: the X-Request-ID header a proxy in front set,
when it looks like one, otherwise a new random one. The response carries it back in
X-Request-ID, so that a visitor reporting a problem, the proxy's log and ours can be matched.

With LOG_FORMAT=text (the default when DEBUG is on) the same records are written as plain
lines for reading in a terminal. This module must stay importable before Django is set up:
gunicorn's master process uses it for its own logs.
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Mapping

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy in front is kept only if it is short and plain: it is written to every
# log line of the request and echoed in the response.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# What the log lines written during a request say about it (request_id, method, path).
_request_fields = contextvars.ContextVar("request_fields", default=None)

# The fields every line starts with, in this order.
_LEADING_FIELDS = ("timestamp", "level", "logger", "message")
# Attributes Django puts on some log records that must not be written out: the request object
# itself (its method and path are written instead) and the socket of the development server.
_DROPPED_FIELDS = ("request", "server_time", "color_message")


class RequestIdMiddleware:
    """Give each request an id, make it part of every log line written while the request is
    handled, and return it in the X-Request-ID response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = _request_fields.set(
            {"request_id": request.request_id, "method": request.method, "path": request.path}
        )
        try:
            response = self.get_response(request)
        finally:
            _request_fields.reset(token)
        response.headers.setdefault(REQUEST_ID_HEADER, request.request_id)
        return response


def _access_fields(atoms):
    """The fields of one gunicorn access log line, from gunicorn's log atoms."""

    def text(key):
        value = atoms.get(key)
        # Gunicorn escapes double quotes for its Apache-style format; JSON escapes its own.
        return value.replace('\\"', '"') if isinstance(value, str) and value != "-" else None

    status = str(atoms.get("s", ""))
    duration = atoms.get("D")
    return {
        "method": text("m"),
        "path": text("U"),
        "query": text("q") or "",
        "status": int(status) if status.isdigit() else None,
        "duration_ms": round(duration / 1000, 1) if isinstance(duration, int) else None,
        "bytes": atoms.get("B"),
        "remote_addr": text("h"),
        "user_agent": text("a"),
        "protocol": text("H"),
        "request_id": text("{x-request-id}o"),
    }


def _request_fields_of(record):
    """The request fields of a record written during a request. Django writes its "Not Found"
    and "Internal Server Error" records once the middleware is done, with the request attached."""
    fields = _request_fields.get()
    if fields:
        return fields
    request = getattr(record, "request", None)
    if hasattr(request, "request_id"):
        return {"request_id": request.request_id, "method": request.method, "path": request.path}
    return {}


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter with the field names and request fields above."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for name in _DROPPED_FIELDS:
            log_data.pop(name, None)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            log_data.update(_access_fields(record.args))
        for key, value in _request_fields_of(record).items():
            log_data.setdefault(key, value)

    def process_log_record(self, log_data):
        leading = {key: log_data.pop(key) for key in _LEADING_FIELDS if key in log_data}
        return {**leading, **log_data}


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal: time, level, logger, message (and the request's id)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        super().__init__(*args, **kwargs)

    def format(self, record):
        line = super().format(record)
        fields = _request_fields_of(record)
        return f"{line} [{fields['request_id']}]" if fields else line


class SkipHandledDatabaseErrors(logging.Filter):
    """Leave out Django's records ("Internal Server Error", "Service Unavailable") of a request
    whose database was unreachable (or not migrated, for /readyz): config.resilience and
    config.health answer it with a 503 and log one line of their own."""

    def filter(self, record):
        request = getattr(record, "request", None)
        return getattr(request, "database_error", None) is None


def logging_config(log_format, level):
    """The LOGGING setting: every record of `level` and above to standard output, as JSON
    lines (`log_format` "json") or plain text ("text")."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "config.logging.JsonFormatter"},
            "text": {"()": "config.logging.TextFormatter"},
        },
        "filters": {"handled_database_errors": {"()": "config.logging.SkipHandledDatabaseErrors"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
            }
        },
        "loggers": {"django.request": {"filters": ["handled_database_errors"]}},
        "root": {"handlers": ["console"], "level": level},
    }
