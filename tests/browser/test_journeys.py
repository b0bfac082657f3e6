"""What visitors do, end to end in a real browser: with the keyboard alone, without
JavaScript, and with a mouse and JavaScript on.

The journeys run in English (/en/), whose texts are the code's own, so that they read the same
before and after the Finnish and Swedish translations change."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from practices.models import PracticeProposal
from tests.browser.pages import FOCUS_INDICATOR_JS, PAGE_TYPES, start_page_type

pytestmark = pytest.mark.browser

# WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it.
MIN_FOCUS_CONTRAST = 3.0


def english(url_name, **kwargs):
    with translation.override("en"):
        return reverse(url_name, kwargs=kwargs or None)


def tab_to(page, condition, what, limit=400):
    """Press Tab until the focused element meets `condition` (a JavaScript function of the
    element), checking that every element the focus lands on shows a focus indicator with
    enough contrast. Returns the indicator details of the element found."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_INDICATOR_JS)
        assert focus is not None, f"Tab moved the focus out of the page before reaching {what}"
        assert focus["contrast"] >= MIN_FOCUS_CONTRAST, (
            f"{page.url}: the focused {focus['element']} has no clearly visible focus "
            f"indicator: outline {focus['outline']}, box-shadow {focus['boxShadow']} on "
            f"{focus['background']} (best contrast {focus['contrast']}:1, needs "
            f"{MIN_FOCUS_CONTRAST}:1)"
        )
        if page.evaluate(f"({condition})(document.activeElement)"):
            return focus
    raise AssertionError(f"{page.url}: {limit} presses of Tab did not reach {what}")


def press_and_wait(page, key, url_pattern):
    page.keyboard.press(key)
    page.wait_for_url(url_pattern)
    page.wait_for_load_state()


def result_count(page):
    """The number of practices the list says it found."""
    text = page.locator("#result-count").inner_text()
    return int(re.search(r"\d+", text.replace("\u00a0", "").replace(" ", "")).group())


IS_SEARCH_BOX = "el => el.matches('input[type=search]')"
IS_FACET_CHECKBOX = "el => el.matches('fieldset input[type=checkbox]') && !el.checked"
IS_SUBMIT_AFTER_FACETS = (
    "el => el.matches('button[type=submit], input[type=submit]') && !!el.closest('details')"
)
IS_CLEAR_FILTERS = "el => el.matches('a') && el.textContent.trim() === 'Clear all filters'"
IS_RESULT_LINK = "el => el.matches('article h2 a, article h3 a')"
IS_SWEDISH_LINK = "el => el.matches('a[hreflang=sv]')"


def test_keyboard_only_journey(page, world):
    start = PAGE_TYPES[start_page_type()].url_path(world, "en")
    page.goto(start)

    # Search from the start page.
    tab_to(page, IS_SEARCH_BOX, "the search box")
    page.keyboard.type(world.query)
    press_and_wait(page, "Enter", re.compile(r"/en/kaytannot/\?(.*&)?q="))
    assert page.locator("input[type=search]").first.input_value() == world.query
    assert page.get_by_role("link", name=world.practice.name_fi, exact=True).count() == 1
    found = result_count(page)
    assert found >= 1

    # Tick a facet and apply the filters.
    tab_to(page, IS_FACET_CHECKBOX, "a facet checkbox")
    name, value = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), "Space did not tick the checkbox"
    tab_to(page, IS_SUBMIT_AFTER_FACETS, "the button that applies the filters")
    press_and_wait(page, "Enter", re.compile(rf"[?&]{name}={re.escape(value)}(&|$)"))
    assert page.locator(f"input[type=checkbox][name={name}][value='{value}']").is_checked()
    assert page.get_by_role("link", name="Clear all filters").count() == 1
    assert 1 <= result_count(page) <= found

    # Clear the filters: the search stays.
    tab_to(page, IS_CLEAR_FILTERS, "“Clear all filters”")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"{name}=" not in url)
    assert page.locator("input[type=checkbox]:checked").count() == 0
    assert page.locator("input[type=search]").first.input_value() == world.query
    assert result_count(page) == found

    # Open a practice.
    tab_to(page, IS_RESULT_LINK, "a practice in the results")
    title = page.evaluate("document.activeElement.textContent.trim()")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    press_and_wait(page, "Enter", re.compile(re.escape(href) + "$"))
    assert page.locator("h1").inner_text().strip() == title

    # Switch to Swedish: the same practice.
    tab_to(page, IS_SWEDISH_LINK, "the link to the Swedish page")
    slug = href.rstrip("/").rsplit("/", 1)[-1]
    press_and_wait(page, "Enter", re.compile(rf"/sv/kaytannot/{slug}/$"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text().strip() == title


def test_journey_without_javascript(new_page, world, settings):
    settings.PRACTICES_PER_PAGE = 3
    page = new_page(java_script_enabled=False)
    page.goto(english("practices:list"))
    everything = result_count(page)

    # Search.
    page.get_by_label("Search practices").fill(world.query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]q="))
    assert page.get_by_role("link", name=world.practice.name_fi, exact=True).count() == 1
    assert page.locator("#result-count").inner_text().endswith(f"“{world.query}”")
    page.goto(english("practices:list"))

    # Apply a facet: the filters open as a plain disclosure.
    page.get_by_text("Filter results").click()
    checkbox = page.locator(f"input[type=checkbox][name=theme][value='{world.theme.slug}']")
    checkbox.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(rf"[?&]theme={world.theme.slug}(&|$)"))
    filtered = result_count(page)
    assert 3 < filtered < everything
    assert page.locator(f"input[name=theme][value='{world.theme.slug}']").is_checked()

    # Next page: the filter stays.
    pagination = page.get_by_role("navigation", name="Pagination")
    pagination.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"[?&]page=2(&|$)"))
    assert f"theme={world.theme.slug}" in page.url
    assert pagination.locator("[aria-current=page]").inner_text().strip().endswith("2")
    assert result_count(page) == filtered

    # Open a practice.
    link = page.locator("article h2 a").first
    title = link.inner_text().strip()
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert page.locator("h1").inner_text().strip() == title

    # Another language.
    page.locator("a[hreflang=sv]").click()
    page.wait_for_url(re.compile(r"/sv/kaytannot/[^/]+/$"))
    assert page.url.endswith(href.replace("/en/", "/sv/", 1))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text().strip() == title


def test_search_filter_and_open_a_practice(page, world):
    page.goto(PAGE_TYPES[start_page_type()].url_path(world, "en"))
    page.get_by_role("searchbox").first.fill(world.query)
    page.get_by_role("button", name="Search", exact=True).first.click()
    page.wait_for_url(re.compile(r"/en/kaytannot/\?(.*&)?q="))

    # Wide enough for the filters to sit beside the results: the script opens them.
    checkbox = page.locator(f"input[type=checkbox][name=theme][value='{world.theme.slug}']")
    checkbox.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(rf"[?&]theme={world.theme.slug}(&|$)"))
    assert parse_qs(urlsplit(page.url).query)["q"] == [world.query], "the search was kept"

    page.get_by_role("link", name=world.practice.name_fi, exact=True).click()
    page.wait_for_url(re.compile(rf"/en/kaytannot/{world.practice.slug}/$"))
    assert page.locator("h1").inner_text().strip() == world.practice.name_fi


def test_propose_a_practice(page, live_site):
    page.goto(english("practices:propose"))
    page.get_by_label("Name of the practice").fill("Kävelykokous koko kunnalle")
    page.get_by_label("Short description").fill("Kokoukset pidetään kävellen ulkona.")
    page.get_by_label("Your name").fill("Maija Meikäläinen")
    page.get_by_label("Your e-mail address").fill("maija@example.fi")
    page.get_by_role("checkbox", name=re.compile("I agree")).check()
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Send the proposal").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path == english("practices:propose-thanks"), (
        "The form was not accepted: " + page.locator("main").inner_text()[:800]
    )
    assert page.locator("h1").inner_text().strip() == "Thank you for your proposal"
    assert "Kävelykokous koko kunnalle" in page.locator("main").inner_text()
    with live_site.quiet():
        assert PracticeProposal.objects.filter(
            practice__name_fi="Kävelykokous koko kunnalle"
        ).exists()


def test_download_the_results_as_csv(page, world):
    page.goto(english("practices:list") + f"?theme={world.theme.slug}")
    found = result_count(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("as CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(io.StringIO(file.read()), delimiter=";"))
    assert len(rows) == found + 1, "the file holds a heading row and one row per result"
    assert any(world.practice.name_fi in row for row in rows[1:])
