"""What the pages load: only the site's own files (no CDN, web font, analytics or other
third party), and the stylesheet and script they refer to arrive and take effect."""

from urllib.parse import urlsplit

import pytest

from tests.browser.pages import AVAILABLE_PAGE_TYPES, PAGE_TYPES

pytestmark = pytest.mark.browser


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("page_type", AVAILABLE_PAGE_TYPES)
def test_pages_make_no_third_party_requests(page, world, live_site, page_type):
    page.goto(PAGE_TYPES[page_type].url_path(world, "fi"))
    page.wait_for_load_state("networkidle")
    assert page.requests, "no request was recorded"
    elsewhere = [
        url for url in page.requests if not url.startswith("data:") and origin(url) != live_site.url
    ]
    assert not elsewhere, f"requests to other sites from {page_type}: {elsewhere}"


def test_stylesheet_and_script_load_and_apply(page, world):
    failed = []
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.url}: HTTP {response.status}")
            if response.request.resource_type in ("stylesheet", "script") and not response.ok
            else None
        ),
    )
    page.goto(PAGE_TYPES["list"].url_path(world, "fi"))
    loaded = {urlsplit(url).path for url in page.requests}
    assert any(path.endswith(".css") for path in loaded), "no stylesheet was requested"
    assert any(path.endswith(".js") for path in loaded), "the list's script was not requested"
    assert not failed, failed

    # The stylesheet applies: the skip link waits out of sight until it is focused.
    skip_link = page.locator("a[href='#main-content']").first
    assert skip_link.evaluate("el => getComputedStyle(el).position") == "absolute"
    assert skip_link.evaluate("el => el.getBoundingClientRect().bottom") <= 0
    page.keyboard.press("Tab")
    assert skip_link.evaluate("el => el === document.activeElement")
    assert skip_link.evaluate("el => el.getBoundingClientRect().top") >= 0

    # The script runs: on a wide screen it opens the filters beside the results.
    assert page.locator("details#filters").evaluate("el => el.open")
