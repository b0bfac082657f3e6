"""Measure what the browse page weighs over the network, against its 60 KB budget, and print it.

    .venv/bin/python benchmarks/page_weight.py
    .venv/bin/python benchmarks/page_weight.py --practices 5000

The page is rendered by Django's test client from a throwaway SQLite database holding the
reference data, the demo practices and `--practices` synthetic ones (generate_practices, seed
1), DEBUG off. Its weight is the HTML plus the stylesheets and scripts it refers to (images,
feeds and other linked documents left out), each compressed with gzip at level 6, the usual
setting of a web server compressing on the fly. The site sends no brotli: brotli is not
installed, so WhiteNoise pre-compresses the static files with gzip only, and the HTML is
compressed by the web server in front, if at all (Django's GZipMiddleware is not used).

The browse page is measured plain and with a search (whose results carry highlighted
excerpts), beside the home page and a practice's page for comparison. The script exits with
status 1 when a browse page is over the budget. tests/test_page_weight.py holds the same
budget with the same measurement in the test suite.
"""

import argparse
import gzip
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

BUDGET_BYTES = 60_000
GZIP_LEVEL = 6


@dataclass
class Resource:
    kind: str
    url: str
    raw: int
    compressed: int


@dataclass
class PageWeight:
    path: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def total(self):
        return sum(resource.compressed for resource in self.resources)

    @property
    def total_raw(self):
        return sum(resource.raw for resource in self.resources)


class _Assets(HTMLParser):
    """The stylesheets and scripts a page refers to."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attrs.get("href"):
            self.found.append(("CSS", attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("JS", attrs["src"]))


def compressed_size(data):
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _static_file(url):
    """The bytes of a static file as the server sends it, found as runserver and
    collectstatic find it."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        raise ValueError(f"{url} is not a static file of the site")
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if found is None:
        raise FileNotFoundError(f"{url} is not among the static files")
    return Path(found).read_bytes()


def measure_page(client, path):
    """The PageWeight of the page at `path`: its HTML and each stylesheet and script it
    refers to, raw and compressed."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    html = response.content
    weight = PageWeight(path, [Resource("HTML", path, len(html), compressed_size(html))])
    for kind, url in _Assets(html.decode(response.charset or "utf-8")).found:
        data = _static_file(url)
        weight.resources.append(Resource(kind, url, len(data), compressed_size(data)))
    return weight


def load_catalogue(practices):
    """The reference data, the demo practices and `practices` synthetic ones (indexed)."""
    from django.core.management import call_command

    call_command("load_reference_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())
    call_command("generate_practices", str(practices), "--seed", "1", stdout=StringIO())


def browse_pages(query="hyvinvointi"):
    """(label, path) of the browse page plain and with a search."""
    from django.urls import reverse

    return [
        ("browse", reverse("practices:list")),
        ("search", f"{reverse('practices:list')}?q={query}"),
    ]


def comparison_pages():
    from django.urls import reverse

    from practices.models import Practice

    practice = Practice.objects.published().order_by("-pk").last()
    return [("home", reverse("practices:home")), ("detail", practice.get_absolute_url())]


def _kb(size):
    return f"{size / 1000:.1f}"


def print_page(label, weight):
    print(f"\n{label}: {weight.path}")
    print(f"  {'resource':<44} {'raw KB':>8} {'gzip KB':>8}")
    for resource in weight.resources:
        name = f"{resource.kind} {resource.url}"[:44]
        print(f"  {name:<44} {_kb(resource.raw):>8} {_kb(resource.compressed):>8}")
    print(f"  {'total':<44} {_kb(weight.total_raw):>8} {_kb(weight.total):>8}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--practices",
        type=int,
        default=1000,
        help="synthetic practices beside the demo ones (default: %(default)s)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import setup_django

    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{folder}/page_weight.sqlite3", STATIC_MANIFEST="false")
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        call_command("migrate", verbosity=0)
        load_catalogue(args.practices)
        client = Client()

        print(
            f"Page weight, HTML + CSS + JS (no images), gzip level {GZIP_LEVEL}; "
            f"1 KB = 1,000 bytes; {args.practices} synthetic practices beside the demo ones."
        )
        over = []
        for label, path in browse_pages():
            weight = measure_page(client, path)
            print_page(label, weight)
            status = "within" if weight.total <= BUDGET_BYTES else "OVER"
            print(f"  {status} the budget of {_kb(BUDGET_BYTES)} KB")
            if weight.total > BUDGET_BYTES:
                over.append(label)
        for label, path in comparison_pages():
            print_page(label, measure_page(client, path))

    if over:
        print(f"\nOver the budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
