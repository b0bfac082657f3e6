"""WCAG 2.1 AA in a real browser: axe-core finds nothing on any page in any language, and each
page reflows at 320 CSS px and at 200 % zoom without sideways scrolling or clipped text.

Each check saves a full-page screenshot for review (pages.SCREENSHOT_DIR).

200 % zoom: a desktop window of 1280 x 800 px zoomed to 200 % lays the page out in a viewport
of 640 x 400 CSS px with two device pixels per CSS pixel, which is what the zoom test opens
(viewport 640 x 400, device scale factor 2); media queries see 640 px, as they do when zoomed.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import (
    AVAILABLE_PAGE_TYPES,
    AXE_TAGS,
    LANGUAGES,
    LAYOUT_PROBLEMS_JS,
    PAGE_TYPES,
    format_violations,
    screenshot,
)

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param(page_type, language, id=f"{page_type}-{language}")
    for page_type in AVAILABLE_PAGE_TYPES
    for language in LANGUAGES
]

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]}


def open_page(page, world, page_type, language):
    path = PAGE_TYPES[page_type].url_path(world, language)
    response = page.goto(path)
    assert response.status == PAGE_TYPES[page_type].status, f"{path}: HTTP {response.status}"
    return path


@pytest.mark.parametrize(("page_type", "language"), PAGES)
def test_axe_finds_no_violations(page, world, page_type, language):
    path = open_page(page, world, page_type, language)
    screenshot(page, f"{page_type}-{language}")
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations(violations, f"{path} ({page_type}, {language})")


def assert_reflows(page, path, what):
    found = page.evaluate(LAYOUT_PROBLEMS_JS)
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"{path} scrolls sideways {what}: the page is {found['scrollWidth']} px wide in "
        f"{found['clientWidth']} px. Too wide: " + "; ".join(found["tooWide"])
    )
    assert not found["clipped"], f"{path} clips text {what}: " + "; ".join(found["clipped"])


@pytest.mark.parametrize(("page_type", "language"), PAGES)
def test_reflows_at_320px_and_200_percent_zoom(new_page, world, page_type, language):
    narrow = new_page(viewport={"width": 320, "height": 640})
    path = open_page(narrow, world, page_type, language)
    screenshot(narrow, f"{page_type}-{language}-320px")
    assert_reflows(narrow, path, "at 320 px")

    zoomed = new_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    open_page(zoomed, world, page_type, language)
    assert_reflows(zoomed, path, "at 200 % zoom")
