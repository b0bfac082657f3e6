"""Käytäntöpankki settings.

One settings file, driven by environment variables read through the small typed helpers
below. A helper that cannot parse its variable raises ImproperlyConfigured at start-up,
so a typo in the environment fails loudly instead of silently falling back.
"""

import importlib.util
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


def envstr(name: str, default: str = "", *, required: bool = False) -> str:
    """A text value; `required` ones stop the start-up when missing or empty."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set in production (DEBUG is off).")
    return default


def envjson(name: str, default: dict) -> dict:
    """A JSON object, e.g. a storage backend's options."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {value!r}") from exc
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {value!r}")
    return parsed


def envcache(name: str, default: str) -> dict:
    """A cache from a URL: locmem://, file:///absolute/folder (shared by the processes of one
    machine), redis://host:6379/0 (or rediss://), memcached://host:11211 (several hosts
    comma-separated), db://table or dummy://."""
    value = os.environ.get(name, "").strip() or default
    url = urlsplit(value)
    scheme = url.scheme.lower()
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url.netloc}
    if scheme == "file" and not url.netloc and url.path.startswith("/"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.path,
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in ("redis", "rediss"):
        _require_module(name, "redis", value)
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    if scheme == "memcached":
        _require_module(name, "pymemcache", value)
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": url.netloc.split(","),
        }
    if scheme == "db" and url.netloc:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": url.netloc}
    raise ImproperlyConfigured(
        f"{name} must be locmem://, file:///absolute/folder, redis://host:port/db, "
        f"memcached://host:port, db://table or dummy://, got {value!r}"
    )


def _require_module(name: str, module: str, value: str) -> None:
    try:
        found = bool(module) and importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package is missing
        found = False
    if not found:
        raise ImproperlyConfigured(
            f"{name}={value!r} needs the Python package {module!r}, which is not installed."
        )


def envdate(name: str, default: date) -> date:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from exc


DEBUG = envbool("DEBUG", False)
# The test suite runs with production-like settings (DEBUG off).
TESTING = "pytest" in sys.modules
# Production is every run with DEBUG off outside the tests: there SECRET_KEY, DATABASE_URL and
# ALLOWED_HOSTS must be set, and a missing one stops the start-up. Development (DEBUG=true,
# as `make run` sets it) needs nothing.
PRODUCTION = not (DEBUG or TESTING)

SECRET_KEY = envstr(
    "SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production", required=PRODUCTION
)
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a long random value (at least 50 characters), e.g. from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set in production: the site's host names, comma-separated."
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in ("http", "https") or not urlsplit(_origin).netloc:
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS must list origins such as https://example.fi, got {_origin!r}"
        )

# HTTPS: production is served over TLS (directly or behind a proxy, see TRUSTED_PROXY_COUNT).
# Plain-HTTP requests are redirected, cookies are sent over HTTPS only, and browsers are told
# to use HTTPS for a year (HSTS). HTTPS=false turns all of this off, e.g. for a loopback test.
HTTPS = envbool("HTTPS", PRODUCTION)
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", True)
# The load balancer's health checks may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)

# Content Security Policy and other security headers
# Scripts and styles come from this site's own static files, or are inline elements that carry
# the request's nonce ({% csp_nonce_attr %}); inline style attributes, event handler attributes
# and eval() are refused everywhere, the admin included (templates/admin/... and
# templates/simple_history/ override the library templates that used them). Uploaded files are
# served with a stricter policy of their own (practices/media.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Links to other sites (organisations' pages, a practice's material) tell them only that the
# visitor came from this site, never which page: a search's terms or an admin address stay here.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The browser features no page of the site uses are turned off for it and anything it embeds
# (django-permissions-policy). Only features browsers know: Chromium reports an unknown one
# (such as "bluetooth") as an error on every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    # accounts comes before the admin so that its admin templates are found first;
    # its AdminConfig makes accounts.admin_site.AdminSite the default `admin.site`.
    "accounts",
    "accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "import_export",
    "django_tasks_db",
    "simple_history",
    "accounts.apps.LoginRecordsConfig",  # django-axes
    "django_otp",
    "accounts.apps.AuthenticatorDevicesConfig",  # django_otp.plugins.otp_totp
    "organisations",
    "contacts",
    "practices",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id (config/logging.py).
    "config.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy and Permissions-Policy headers (see below); outside the 503
    # page's middleware, so that the 503 page has them too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Outside everything that may use the database (sessions included): an unreachable
    # database gets the 503 page.
    "config.resilience.DatabaseUnavailableMiddleware",
    # Which database a request reads: the replica for public pages, when there is one.
    "config.replica.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An upload that meets a full disk gets the 507 page; before CSRF, which reads the upload.
    "config.storage.StorageFullMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Versions of practices saved during a request record its signed-in user.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Public pages for visitors who are not signed in, whole (config/pagecache.py); inside
    # everything that adds headers of the request's own (CSP, request id, language).
    "config.pagecache.PageCacheMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {% csp_nonce_attr %} and csp_nonce in templates.
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# DATABASE_URL selects the database for every command: sqlite:///path or postgres://...
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}", required=PRODUCTION)


def database_from_url(name: str, url: str) -> dict:
    """A DATABASES entry from a URL (the variable `name` for the error message). Connections are
    kept for a minute and checked before a request reuses one, so that after a database restart
    the next request reconnects instead of failing on a dead connection."""
    try:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from exc
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["timeout"] = 20
    else:
        # While the server cannot be reached, a request fails within seconds (with the 503 page,
        # config/resilience.py) rather than waiting for the operating system's TCP timeout.
        database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 3)
        )
    return database


DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
# A read replica of the primary (PostgreSQL streaming replication), optional: the public pages
# of visitors who are not signed in read from it (config/replica.py); everything else uses the
# primary. The tests use the primary in its place.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks first whether the username and address are locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins with one username
# from one address, that combination is locked out for AXES_COOLOFF_MINUTES; every attempt
# during the lockout starts the wait again. A successful login resets the count.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
# Failed logins are kept in a log of their own (the attempt counts are removed on unlock).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# accounts.admin registers the axes records read-only.
AXES_ENABLE_ADMIN = False
# The client address comes from REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies
# from X-Forwarded-For (accounts.client_ip).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Behind a TLS-terminating proxy, the proxy's X-Forwarded-Proto tells whether the request
# came over HTTPS (the proxy must set it, overwriting any value the client sent).
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# Two-factor authentication (django-otp, TOTP authenticator apps): optional for every admin
# user; required for administrators when REQUIRE_ADMIN_2FA is on (the default when DEBUG is
# off, outside the tests).
REQUIRE_ADMIN_2FA = envbool("REQUIRE_ADMIN_2FA", not (DEBUG or TESTING))
OTP_TOTP_ISSUER = "Käytäntöpankki"
# Administrators can remove a lost device in the admin but never read another user's key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end when the browser is closed, and SESSION_COOKIE_AGE seconds after logging in (the
# time is renewed when the session's data changes, not on every request).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True

# Finnish first; Swedish and English translations.
LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # Finnish and Swedish for the third-party apps whose own catalogues lack them (axes,
    # django-otp, simple-history, modeltranslation, import-export, django-filter); listed
    # after locale/ so that the project's own translation of a shared text wins.
    BASE_DIR / "locale_libraries",
]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

# django-modeltranslation: Finnish is required, the other languages fall back to it.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_LANGUAGES = ("fi", "sv", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fi",), "sv": ("fi",), "en": ("fi",)}

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded files (attachments, cover images) go to MEDIA_ROOT, or to the storage backend that
# MEDIA_STORAGE_BACKEND names with the options of MEDIA_STORAGE_OPTIONS (a JSON object), e.g.
# object storage with django-storages: storages.backends.s3.S3Storage and
# {"bucket_name": "...", "endpoint_url": "https://..."}.
# The default stores under MEDIA_ROOT and leaves no partial file on a full disk (config/storage.py).
MEDIA_STORAGE_BACKEND = envstr("MEDIA_STORAGE_BACKEND", "config.storage.AtomicFileSystemStorage")
_require_module(
    "MEDIA_STORAGE_BACKEND", MEDIA_STORAGE_BACKEND.rpartition(".")[0], MEDIA_STORAGE_BACKEND
)
STORAGES = {
    "default": {
        "BACKEND": MEDIA_STORAGE_BACKEND,
        "OPTIONS": envjson("MEDIA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", not (DEBUG or TESTING))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: attachments and cover images stay small enough to serve and scan.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
MAX_ATTACHMENT_SIZE = envint("MAX_ATTACHMENT_SIZE", 20 * 1024 * 1024)
MAX_IMAGE_SIZE = envint("MAX_IMAGE_SIZE", 5 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": "practices.api.pagination.PracticePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The API's OpenAPI description (drf-spectacular) at /api/schema/: YAML, or JSON with
# ?format=json. Only the schema is served, no documentation UI (it would load third-party
# scripts and styles).
SPECTACULAR_SETTINGS = {
    "TITLE": "Käytäntöpankki API",
    "DESCRIPTION": _(
        "The published practice models of Käytäntöpankki as open data. Translated texts are "
        "in the language of ?lang=fi|sv|en, else of the Accept-Language header, else Finnish, "
        "falling back to Finnish where a translation is missing."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Choice sets that share a field name get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationRoleEnum": "practices.models.PracticeOrganisation.Role",
        "ContactRoleEnum": "practices.models.PracticeContact.Role",
        "LinkKindEnum": "practices.models.PracticeLink.Kind",
        "CollectionKindEnum": "practices.models.Collection.Kind",
    },
}

PRACTICES_PER_PAGE = envint("PRACTICES_PER_PAGE", 20)
# A published card is due for review this many days after it was last reviewed (or published).
PRACTICE_REVIEW_INTERVAL_DAYS = envint("PRACTICE_REVIEW_INTERVAL_DAYS", 365)

# E-mail (confirmations of proposals). Development prints messages on the console.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {},
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", False),
        "timeout": envint("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Käytäntöpankki <noreply@localhost>")

# Public "propose a practice" form: proposals one sender may send in an hour.
PRACTICE_PROPOSALS_PER_HOUR = envint("PRACTICE_PROPOSALS_PER_HOUR", 5)

# The editors' address: messages of the public feedback form are sent here, and the
# accessibility statement and the about page give it for contacting them.
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "kaytantopankki@example.fi")
# The day the accessibility statement was last updated, shown in it (a review of the
# statement updates it).
ACCESSIBILITY_STATEMENT_DATE = envdate("ACCESSIBILITY_STATEMENT_DATE", date(2026, 11, 23))

# Spreadsheet import (practices.spreadsheets): the largest upload accepted, and what an XLSX
# may unpack to (a defence against zip bombs).
PRACTICE_IMPORT_MAX_BYTES = envint("PRACTICE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES = envint(
    "PRACTICE_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024
)
# The most practices the public list's CSV/XLSX download writes; larger results are refused
# with a request to narrow the search.
PRACTICE_PUBLIC_EXPORT_MAX_ROWS = envint("PRACTICE_PUBLIC_EXPORT_MAX_ROWS", 10000)
# Admin imports of files up to this size are checked and written within the request; larger
# ones run as background tasks (`manage.py db_worker`) while the page shows their progress.
PRACTICE_IMPORT_INLINE_BYTES = envint("PRACTICE_IMPORT_INLINE_BYTES", 256 * 1024)
# Minutes after which a background import that has not reported is shown as stopped.
PRACTICE_IMPORT_STALL_MINUTES = envint("PRACTICE_IMPORT_STALL_MINUTES", 15)

# django-import-export: importing needs the practices.import_practice permission (the library
# leaves import open to all staff by default); exporting needs permission to view practices.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The cache (home page sections, search results and facet counts; each entry is keyed by the
# search index revision, so publishing or importing makes every process's entries stale at
# once). Local memory per process by default; CACHE_URL=redis://host:6379/0 shares one cache
# between app servers.
CACHES = {"default": envcache("CACHE_URL", "locmem://")}
# Whole public pages and API answers for visitors who are not signed in (config/pagecache.py),
# in a cache of their own so that they never push out what the default cache keeps (rate
# limits among it). PAGE_CACHE_SECONDS=0 turns it off.
CACHES["pages"] = envcache("PAGE_CACHE_URL", "locmem://pages")
if CACHES["pages"]["BACKEND"].endswith(("LocMemCache", "FileBasedCache")):
    # Per process (locmem) or per folder (file): about 1,000 pages of 20–200 KB.
    CACHES["pages"]["OPTIONS"] = {"MAX_ENTRIES": envint("PAGE_CACHE_MAX_ENTRIES", 1000)}
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 300)

# Background tasks (django.tasks) are stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Logs go to standard output: one JSON object a line (LOG_FORMAT=json, the default unless DEBUG
# is on) or plain text (LOG_FORMAT=text). config/logging.py describes the fields.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "WARNING"))
