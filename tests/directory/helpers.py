"""What the directory tests share: practices the public must not see, and reading pages."""

import datetime
import html
import re
from html.parser import HTMLParser

from django.utils import timezone, translation

from practices.models import Practice
from tests.factories import make_practice

UNPUBLISHED = (Practice.Status.DRAFT, Practice.Status.IN_REVIEW, Practice.Status.ARCHIVED)


def make_unpublished_practices(**kwargs):
    """A draft, a practice in review and an archived practice (once published), each with the
    given relations; named so that a page showing one of them gives it away."""
    practices = []
    for status in UNPUBLISHED:
        practice = make_practice(name_fi=f"Piilotettu {status}", status=status, **kwargs)
        if status == Practice.Status.ARCHIVED:
            Practice.objects.filter(pk=practice.pk).update(
                published_at=timezone.make_aware(datetime.datetime(2022, 5, 1))
            )
        practices.append(practice)
    return practices


def path_of(obj):
    """The object's address in Finnish, without a language prefix (a request leaves its own
    language active, so get_absolute_url() alone would depend on the previous request)."""
    with translation.override("fi"):
        return obj.get_absolute_url()


def assert_no_unpublished(html):
    for status in UNPUBLISHED:
        assert f"Piilotettu {status}" not in html


class Page(HTMLParser):
    """The parts of a page the tests read: links (href and text), headings, elements by id,
    the text of elements with a given class, and tables by caption."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.links = []  # (href, text, attrs)
        self.headings = []  # (level, text, attrs)
        self.tables = {}  # caption: [[cell text, …], …]
        self.ids = set()
        self._link = None
        self._heading = None
        self._table = None
        self._row = None
        self._cell = None
        self._caption = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self._link = [attrs.get("href"), "", attrs]
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [int(tag[1]), "", attrs]
        elif tag == "table":
            self._table = {"caption": "", "rows": []}
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = ["", tag, attrs]

    def handle_endtag(self, tag):
        if tag == "a" and self._link:
            self.links.append((self._link[0], " ".join(self._link[1].split()), self._link[2]))
            self._link = None
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._heading:
            level, text, attrs = self._heading
            self.headings.append((level, " ".join(text.split()), attrs))
            self._heading = None
        elif tag == "caption" and self._caption is not None:
            self._table["caption"] = " ".join(self._caption.split())
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            text, kind, attrs = self._cell
            self._row.append((" ".join(text.split()), kind, attrs.get("scope")))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables[self._table["caption"]] = self._table["rows"]
            self._table = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data
        if self._heading is not None:
            self._heading[1] += data
        if self._caption is not None:
            self._caption += data
        if self._cell is not None:
            self._cell[0] += data

    def link_texts(self):
        return [text for _href, text, _attrs in self.links]

    def href_of(self, text):
        """The address of the first link with exactly this text."""
        return next(href for href, link_text, _attrs in self.links if link_text == text)

    def hrefs_of(self, text):
        """The addresses of every link with exactly this text."""
        return [href for href, link_text, _attrs in self.links if link_text == text]

    def headings_text(self, level=None):
        return [text for lvl, text, _attrs in self.headings if level is None or lvl == level]


def text_of(response):
    """The text of the page's <main> as a person reads it: tags dropped, spaces collapsed."""
    content = response.content.decode()
    main = content[content.index("<main") : content.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def page_of(response):
    assert response.status_code == 200
    return Page(response.content.decode())


def table_values(page, caption):
    """{row header: cell text} of the table with the given caption."""
    rows = page.tables[caption]
    return {row[0][0]: row[1][0] for row in rows if row[0][1] == "th" and row[0][2] == "row"}
