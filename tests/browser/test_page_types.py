"""The table of page types: every page it names exists, and each one answers in a browser."""

import pytest

from tests.browser.pages import (
    AVAILABLE_PAGE_TYPES,
    EXPECTED_PAGE_TYPES,
    LANGUAGES,
    MISSING_PAGE_TYPES,
    PAGE_TYPES,
)

pytestmark = pytest.mark.browser

REPEATED_IDS_JS = """
() => {
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([id, count]) => `${id} (${count}×)`);
}
"""


def test_every_expected_page_type_exists():
    assert sorted(EXPECTED_PAGE_TYPES) == sorted(PAGE_TYPES), "PAGE_TYPES and the list differ"
    assert not MISSING_PAGE_TYPES, "Page types whose URL name does not resolve: " + ", ".join(
        MISSING_PAGE_TYPES
    )


@pytest.mark.parametrize("page_type", AVAILABLE_PAGE_TYPES)
def test_page_type_answers_in_each_language(page, world, page_type):
    """Each page answers with its status and its language, with one <h1>, a title, and ids
    that are unique (a label or a skip link pointing at a repeated id finds the wrong
    element, and a form with a field twice sends the wrong value)."""
    for language in LANGUAGES:
        path = PAGE_TYPES[page_type].url_path(world, language)
        response = page.goto(path)
        assert response.status == PAGE_TYPES[page_type].status, path
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("h1").count() == 1, path
        assert page.title().strip(), path
        repeated = page.evaluate(REPEATED_IDS_JS)
        assert not repeated, f"{path}: ids used more than once: {', '.join(repeated)}"
