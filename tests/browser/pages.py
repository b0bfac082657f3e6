"""The public page types the browser tests visit, and what they check on a page.

PAGE_TYPES maps a page type's name to how its address is built from the world of data of
conftest.py. A page type takes part in the tests once its URL name resolves, so the table can
name pages that are still to come; EXPECTED_PAGE_TYPES lists every page the public site has,
and tests/browser/test_page_types.py fails on any of them that is missing.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

LANGUAGES = ("fi", "sv", "en")

# A search that finds nothing and is too far from every word to be corrected.
NO_RESULTS_QUERY = "xqzvkjwpq"

# axe-core rule sets checked on every page.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

# Where the screenshots for review are saved.
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
)


@dataclass(frozen=True)
class PageType:
    """How to reach one kind of page: a namespaced URL name with, for a page about one object,
    the World attribute whose slug the URL takes, and an optional query string. A page type
    without a URL name has a fixed Finnish path instead (the 404 page)."""

    url_name: str | None
    slug_of: str | None = None
    query: Callable | None = None
    path: str | None = None
    status: int = 200

    def is_available(self):
        """Whether the site has this page yet (its URL name resolves)."""
        if self.url_name is None:
            return True
        kwargs = {"slug": "esimerkki"} if self.slug_of else {}
        try:
            reverse(self.url_name, kwargs=kwargs)
        except NoReverseMatch:
            return False
        return True

    def url_path(self, world, language):
        """The page's path and query string in `language` (Finnish unprefixed)."""
        if self.url_name is None:
            prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
            return f"{prefix}{self.path}"
        kwargs = {"slug": getattr(world, self.slug_of).slug} if self.slug_of else {}
        with translation.override(language):
            path = reverse(self.url_name, kwargs=kwargs)
        if self.query:
            path += "?" + urlencode(self.query(world), doseq=True)
        return path


PAGE_TYPES = {
    "home": PageType("practices:home"),
    "list": PageType("practices:list"),
    "list-search": PageType("practices:list", query=lambda world: {"q": world.query}),
    "list-facets": PageType(
        "practices:list",
        query=lambda world: {"theme": world.theme.slug, "county": world.county.slug},
    ),
    "list-no-results": PageType("practices:list", query=lambda world: {"q": NO_RESULTS_QUERY}),
    "detail": PageType("practices:detail", slug_of="practice"),
    "propose": PageType("practices:propose"),
    "about": PageType("practices:about"),
    "accessibility": PageType("practices:accessibility"),
    "feedback": PageType("practices:feedback"),
    "organisation-list": PageType("directory:organisation-list"),
    "organisation-detail": PageType("directory:organisation-detail", slug_of="organisation"),
    "area-list": PageType("directory:area-list"),
    "county-detail": PageType("directory:county-detail", slug_of="county"),
    "region-detail": PageType("directory:region-detail", slug_of="region"),
    "collection-list": PageType("directory:collection-list"),
    "collection-detail": PageType("directory:collection-detail", slug_of="collection"),
    "statistics": PageType("directory:statistics"),
    "not-found": PageType(None, path="/tata-sivua-ei-ole/", status=404),
}

EXPECTED_PAGE_TYPES = [
    "home",
    "list",
    "list-search",
    "list-facets",
    "list-no-results",
    "detail",
    "propose",
    "about",
    "accessibility",
    "feedback",
    "organisation-list",
    "organisation-detail",
    "area-list",
    "county-detail",
    "region-detail",
    "collection-list",
    "collection-detail",
    "statistics",
    "not-found",
]

AVAILABLE_PAGE_TYPES = [name for name in EXPECTED_PAGE_TYPES if PAGE_TYPES[name].is_available()]
MISSING_PAGE_TYPES = [name for name in EXPECTED_PAGE_TYPES if name not in AVAILABLE_PAGE_TYPES]


def start_page_type():
    """The page a visitor starts from: the home page, or the list while there is none."""
    return "home" if "home" in AVAILABLE_PAGE_TYPES else "list"


# --- What the tests measure in the page -------------------------------------------------------

# Whether the page scrolls sideways, and the elements that hide part of their text: an element
# that clips its overflow (overflow hidden or clip, or text-overflow) while its content is
# larger than its box. Boxes of at most 1 px (visually hidden text for screen readers) are
# meant to clip.
LAYOUT_PROBLEMS_JS = """
() => {
  const root = document.documentElement;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    return text;
  };
  const clipped = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const clipsX = ["hidden", "clip"].includes(style.overflowX);
    const clipsY = ["hidden", "clip"].includes(style.overflowY);
    if (!clipsX && !clipsY) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (!el.textContent.trim()) continue;
    const overX = clipsX && el.scrollWidth > el.clientWidth + 1;
    const overY = clipsY && el.scrollHeight > el.clientHeight + 1;
    if (overX || overY) {
      const size = `${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`;
      clipped.push(`${describe(el)} (${size}): "${el.textContent.trim().slice(0, 60)}"`);
    }
  }
  const wide = [];
  if (root.scrollWidth > root.clientWidth) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      const fixed = getComputedStyle(el).position === "fixed";
      if (box.right > root.clientWidth + 1 && box.width > 1 && !fixed) {
        wide.push(`${describe(el)} (right edge at ${Math.round(box.right)} px)`);
      }
    }
  }
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    tooWide: wide.slice(0, 10),
    clipped: clipped,
  };
}
"""

# The focused element's focus indicator: its outline and box-shadow colours, the colour behind
# it (the first ancestor with a background colour, white when none has), and the best contrast
# of an indicator colour against that background (WCAG 1.4.11 asks for 3:1).
FOCUS_INDICATOR_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const parse = (text) => {
    const found = [];
    for (const m of text.matchAll(/rgba?\\(([^)]*)\\)/g)) {
      const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      found.push({r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1});
    }
    return found;
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const style = getComputedStyle(el);
  let background = {r: 255, g: 255, b: 255, a: 1};
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor)[0];
    if (colour && colour.a > 0) { background = colour; break; }
  }
  const colours = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1) {
    colours.push(...parse(style.outlineColor));
  }
  if (style.boxShadow && style.boxShadow !== "none") {
    colours.push(...parse(style.boxShadow));
  }
  const visible = colours.filter((c) => c.a > 0);
  const best = visible.length ? Math.max(...visible.map((c) => contrast(c, background))) : 0;
  const label = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim();
  return {
    element: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${label.slice(0, 40)}"`,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
    background: `rgb(${background.r}, ${background.g}, ${background.b})`,
    contrast: Math.round(best * 100) / 100,
  };
}
"""


def format_violations(violations, where):
    """A readable list of axe-core violations: rule, impact, help, and each target's selector."""
    lines = [f"{len(violations)} accessibility rule(s) violated on {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    {target}\n      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def screenshot(page, name):
    """Save a full-page screenshot for review as SCREENSHOT_DIR/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
