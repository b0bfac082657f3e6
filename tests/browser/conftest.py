"""Real-browser tests: Debian's headless Chromium driven by Playwright, against the site served
from a thread of this test process.

The world of data (the reference data, the demo practices and synthetic ones, so that pages
look as they do in use) is loaded once for this package, in a transaction that is rolled back
after the package's last test. The server's threads share the test process's connection to
the in-memory SQLite test database, so they see that data, and each test runs in a savepoint of
its own (the `db` fixture): what a test sends through a form is gone after it. The browser
tests therefore run on SQLite; `make test-postgres` leaves them out (`-m "not browser"`).

The browser is started once for the package. Chromium missing is a failure under CI=true,
so that CI cannot pass without the browser tests, and a skip elsewhere.
"""

import os
import shutil
import threading
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings

from practices.models import Practice

HOST = "127.0.0.1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
# Synthetic practices beside the six demo ones: enough for pagination and long facets.
SYNTHETIC_PRACTICES = 30


def _in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason):
    if _in_ci():
        pytest.fail(f"{reason} The browser tests must run in CI.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's synchronous API keeps an event loop running in this thread, and Django
    refuses database queries from a thread with a running event loop. The test thread's
    queries are ordinary blocking ones, so the check is lifted for this package."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class World:
    """The objects the page types and journeys refer to."""

    practice: Practice
    organisation: object
    county: object
    region: object
    collection: object
    theme: object
    # A word of the practice's name: a search for it finds the practice.
    query: str
    published_count: int


def _build_world():
    call_command("load_reference_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())
    # Indexes every practice without a search document, the demo ones included.
    call_command("generate_practices", str(SYNTHETIC_PRACTICES), "--seed", "1", stdout=StringIO())
    practice = (
        Practice.objects.published()
        .filter(collection__isnull=False, organisations__isnull=False)
        .order_by("pk")
        .first()
    )
    return World(
        practice=practice,
        organisation=practice.organisations.order_by("pk").first(),
        county=practice.wellbeing_counties.order_by("pk").first(),
        region=practice.regions.order_by("pk").first(),
        collection=practice.collection,
        theme=practice.themes.order_by("pk").first(),
        query=max(practice.name_fi.split(), key=len).strip(",.").lower(),
        published_count=Practice.objects.published().count(),
    )


@pytest.fixture(scope="package")
def world(_orm_beside_playwright, django_db_setup, django_db_blocker):
    connection = connections[DEFAULT_DB_ALIAS]
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        pytest.skip("The browser tests run on SQLite (make test-sqlite).")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _in_the_world(world, db):
    """Every browser test sees the world; what it writes is rolled back after it."""


class SerialApp:
    """A WSGI application that lets one request at a time use the database connection the
    server's threads share with the test (SQLite connections are not meant for concurrent
    use): each response is read whole while the lock is held. The test holds the same lock
    (LiveSite.quiet()) while it queries the database itself."""

    lock = threading.Lock()

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


def _serve(application):
    return SerialApp(StaticFilesHandler(application))


@dataclass
class LiveSite:
    url: str

    def quiet(self):
        """Hold this while the test queries the database: no request is served meanwhile.
        Never hold it while waiting for the browser, which waits for the server."""
        return SerialApp.lock


@pytest.fixture(scope="package")
def live_site(world):
    """The site served on a free port from a thread of this process, static files included
    (from the app's static folders, as runserver serves them in development)."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.inc_thread_sharing()
    thread = LiveServerThread(
        HOST, static_handler=_serve, connections_override={DEFAULT_DB_ALIAS: connection}
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        connection.dec_thread_sharing()
        raise thread.error
    hosts = modify_settings(ALLOWED_HOSTS={"append": HOST})
    hosts.enable()
    yield LiveSite(f"http://{HOST}:{thread.port}")
    hosts.disable()
    thread.terminate()
    connection.dec_thread_sharing()


@pytest.fixture(scope="package")
def browser(live_site):
    """Headless Chromium, closed before the server stops (its open connections end first)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        _unavailable(
            "Chromium is not installed: the browser tests need Debian's `chromium` package "
            "(`make test-sqlite` installs it)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[dev]'.")
    connection = connections[DEFAULT_DB_ALIAS]
    with sync_playwright() as playwright:
        # Playwright's event loop now runs in this thread, and beside a running event loop
        # Django looks its connections up per context: the test's queries (and pytest-django's
        # rollback) must go on using the connection that holds the world.
        connections[DEFAULT_DB_ALIAS] = connection
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_site):
    """Open a page in a fresh browser context (no cookies, cache or history from another
    test): new_page(viewport=..., java_script_enabled=False, ...). The page's `requests` list
    holds every URL it asked for."""
    contexts = []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_site.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A request the browser sent last (its favicon) may still be served: let it finish before
    # the test's savepoint is rolled back on the shared connection.
    with live_site.quiet():
        pass


@pytest.fixture
def page(new_page):
    """A desktop-sized page with JavaScript on, in a fresh context."""
    return new_page()
