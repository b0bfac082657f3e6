import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.utils import translation

from practices.browse import forget_indexes
from tests.personas import PASSWORD, make_coordinator


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_browse_index():
    """Each test starts without the list's in-memory index of an earlier test's practices
    (a rolled-back test leaves the revision it was built at behind)."""
    forget_indexes()


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a rolled-back test leaves its pages and sections
    behind under a revision a later test may have again."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def no_page_cache(settings):
    """Every page made anew (config/pagecache.py off): for tests of what making a page costs,
    or of what the page's context holds on repeated requests."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _finnish_by_default():
    """A request activates its language; start every test in Finnish, the site's default."""
    translation.activate("fi")
    yield
    translation.activate("fi")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "admin", "admin@example.fi", "a-long-test-password-1"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture(params=["superuser", "coordinator"])
def editor_client(request, client, db):
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser(
            "paakayttaja", "paakayttaja@example.fi", PASSWORD
        )
    else:
        user = make_coordinator()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def coordinator_client(client, db):
    client.user = make_coordinator()
    client.force_login(client.user)
    return client
