"""Time search and browse over many practices on throwaway databases and print the figures.

    .venv/bin/python benchmarks/search.py                  # 50,000 practices, SQLite
    .venv/bin/python benchmarks/search.py --count 2000     # a quick run
    scripts/with-postgres .venv/bin/python benchmarks/search.py --count 50000

Each database is filled with the reference data, the six demo practices and
`generate_practices COUNT`, and indexed (rebuild_search_index, when the generator has not
indexed them itself). Then three kinds of request are timed:

- text: a search only (?q=…), with words from the generator's phrase banks and the demo data,
  common and rare, inflected, a compound part, a typo and a place;
- facets: browsing by facets only (?theme=…&county=…), sorts and a later page;
- combined: a search with facets.

Each request is timed twice over: as the whole HTML page (Django's test Client GET of
/kaytannot/?…: filtering, facet counts, snippets and rendering), and as the query alone (the
FilterSet's results(): the text search, the filters, the count and the requested page of
practices). Our search runs each request once untimed, then --repeat times; the first request
also builds the list's in-memory index (practices.browse), which is timed on its own, --repeat
times, as the first request after any change pays it. Beside it, in the same process, the text
and combined requests run with a naive baseline in the text search's place: every word of the
query matched with icontains against the name, the short description and the sections in all
three languages, unranked (and no spelling suggestions). The baseline is slow, so each query
alone runs --baseline-repeat times without a warm-up of its own and the whole page once, for the
first --baseline-pages requests of each kind only.

Printed: per request the number of results, the SQL queries of its page and median times;
per kind p50, p95 and max over every timed run, and the per-request ratio baseline ÷ ours.
Progress goes to stderr. Timings depend on everything else the machine is doing: the load
average is printed before and after.

Every run gets a fresh database: a new SQLite file in a temporary folder and, when DATABASE_URL
points at PostgreSQL, also a new database created on that server and dropped afterwards (the
database DATABASE_URL names is never written to). Each database is measured in a process of its
own with DEBUG off. `--existing URL` measures a database filled earlier instead, as it is.
"""

import argparse
import io
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from common import ROOT, server_version, setup_django, text_columns

# Searches people make, in the words of the generated cards (generate_practices' banks) and
# the demo cards: common and rare words, inflections, compound parts, a typo, places.
TEXT_QUERIES = (
    "vanhempainilta",
    "vanhempainiltoja",
    "mielenterveys",
    "lasten mielenterveys",
    "yksinäisyys",
    "puheeksiotto",
    "järjestöyhteistyö",
    "jarjestoyhteistyo",
    "liikuntaneuvonta",
    "perhekeskus",
    "vertaistuki",
    "koulupudokkuus",
    "digituki",
    "ilta",
    "hyvinvointi",
    "ikääntyneiden liikunta",
    "Lohjalla",
    "Päijät-Hämeessä",
    "vanhempainlita",
    "Luksia",
)
FACET_QUERIES = (
    {"theme": "mielenterveys"},
    {"theme": ["lapsiperheet", "ikaantyneet"]},
    {"county": "paijat-hameen-hyvinvointialue"},
    {"municipality": "lohja"},
    {"target_group": "nuoret", "stage": "valmis"},
    {"region": "uusimaa", "theme": "osallisuus"},
    {"organisation_type": "ngo"},
    {"start_year_min": "2020", "sort": "name"},
    {"theme": "johtaminen", "sort": "updated"},
    {"theme": "lapsiperheet", "page": "5"},
)
COMBINED_QUERIES = (
    {"q": "mielenterveys", "target_group": "nuoret"},
    {"q": "vanhempainilta", "county": "paijat-hameen-hyvinvointialue"},
    {"q": "yksinäisyys", "target_group": "ikaantyneet"},
    {"q": "puheeksiotto", "region": "uusimaa"},
    {"q": "liikunta", "theme": "liikunta-ja-terveys"},
    {"q": "hyvinvointi", "municipality": "lohja"},
    {"q": "vertaistuki", "theme": ["lapsiperheet", "mielenterveys"], "stage": "valmis"},
    {"q": "lasten mielenterveys", "sort": "newest"},
)


def naive_filter_by_text(queryset, q):
    """The baseline: each word of q in some text column (icontains), all words required."""
    from django.db.models import FloatField, Q, Value

    columns = text_columns()
    for word in q.split():
        condition = Q()
        for column in columns:
            condition |= Q(**{f"{column}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))


def naive_text_ranks(q, using="default", language=None, analysed=None, within=None):
    """The baseline in the list's place: {id: 0.0} of every practice naive_filter_by_text
    finds (among `within`)."""
    from practices.models import Practice

    if not q.split():
        return None
    found = naive_filter_by_text(Practice.objects.using(using).all(), q)
    if within is not None:
        found = found.filter(pk__in=within)
    return dict.fromkeys(found.values_list("pk", flat=True), 0.0)


def naive_text_matches(q, using="default", language=None, analysed=None):
    found = naive_text_ranks(q, using)
    return None if found is None else set(found)


class Engines:
    """Switches the list page (and the FilterSet's queryset) between the site's search and the
    baseline."""

    def __init__(self):
        from practices import browse, filters, views

        self.browse, self.filters, self.views = browse, filters, views
        self.ours = (
            browse.text_ranks,
            browse.text_matches,
            filters.filter_by_text,
            views.suggest_query,
        )

    def use(self, name):
        if name == "ours":
            (
                self.browse.text_ranks,
                self.browse.text_matches,
                self.filters.filter_by_text,
                self.views.suggest_query,
            ) = self.ours
        else:
            self.browse.text_ranks = naive_text_ranks
            self.browse.text_matches = naive_text_matches
            self.filters.filter_by_text = naive_filter_by_text
            self.views.suggest_query = lambda q: None


def _query_alone(params):
    """What the list page asks of the engine: the count and the requested page (practices
    included), through the FilterSet's results()."""
    from django.conf import settings
    from django.http import QueryDict

    from practices.filters import PracticeFilterSet

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    results = PracticeFilterSet(data).results()
    count = results.count()
    page = int(params.get("page", 1))
    start = (page - 1) * settings.PRACTICES_PER_PAGE
    rows = results[start : start + settings.PRACTICES_PER_PAGE]
    return count, rows


def _index_build():
    """Building the list's in-memory index from scratch, as the first request after a change
    does."""
    from practices.browse import BrowseIndex
    from practices.search.indexing import current_revision

    BrowseIndex(current_revision())


def _timed(function, repeat, warm=True):
    if warm:
        function()  # caches, prepared plans, Voikko
    samples = []
    for _run in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _percentile(samples, share):
    """The nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Request:
    kind: str
    params: dict
    found: int = 0
    queries: int = 0
    timings: dict = field(default_factory=dict)  # (engine, "page" | "query") → [ms]

    @property
    def url(self):
        return "/kaytannot/?" + urlencode(self.params, doseq=True)

    def median(self, engine, what):
        samples = self.timings.get((engine, what))
        return statistics.median(samples) if samples else None


def _load(args):
    """Fill the database; return a one-line description of it."""
    from django.core.management import call_command
    from django.db import connection

    from practices.models import Practice, PracticeSearchDocument
    from practices.search.indexing import rebuild_index

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    started = time.perf_counter()
    call_command("generate_practices", args.count, seed=args.seed, stdout=io.StringIO())
    generated = time.perf_counter() - started
    practices = Practice.objects.count()
    if PracticeSearchDocument.objects.count() == practices:
        indexing = "indexed by the generator"
    else:
        started = time.perf_counter()
        rebuild_index()
        indexing = f"rebuild_index {time.perf_counter() - started:.1f} s"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    published = Practice.objects.published().count()
    return (
        f"{connection.vendor} {server_version(connection)}: {practices:,} practices "
        f"({published:,} published); generate_practices {args.count:,}: {generated:.1f} s, "
        f"{indexing}"
    )


def _measure(requests, args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    engines = Engines()
    engines.use("ours")
    for request in requests:
        url, params = request.url, request.params
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        request.queries = len(captured.captured_queries)
        request.found = _query_alone(params)[0]
        alone = partial(_query_alone, params)
        request.timings["ours", "page"] = _timed(partial(client.get, url), args.repeat)
        request.timings["ours", "query"] = _timed(alone, args.repeat)
        print(f"  {request.url}: {request.median('ours', 'page'):.0f} ms", file=sys.stderr)

    # The baseline is slow: one untimed request warms the caches for all, then each request is
    # timed without a warm-up of its own, the whole page only for the first few of a kind.
    engines.use("baseline")
    searches = [r for r in requests if "q" in r.params]
    _query_alone(searches[0].params)
    shown = {"text": 0, "combined": 0}
    for request in searches:
        alone = partial(_query_alone, request.params)
        request.timings["baseline", "query"] = _timed(alone, args.baseline_repeat, warm=False)
        if shown[request.kind] < args.baseline_pages:
            shown[request.kind] += 1
            page = partial(client.get, request.url)
            request.timings["baseline", "page"] = _timed(page, 1, warm=False)
        print(f"  baseline {request.url}: done", file=sys.stderr)
    engines.use("ours")


def _report(label, requests, args):
    print(f"\n== {label}")
    print(
        f"Per request: median ms (ours: {args.repeat} runs; baseline: "
        f"{args.baseline_repeat} runs of the query, 1 of the page); x = baseline ÷ ours"
    )
    print(
        f"{'kind':<9} {'request':<58} {'found':>7} {'SQL':>4} {'page':>8} {'query':>8} "
        f"{'base page':>10} {'base query':>10} {'x page':>7} {'x query':>7}"
    )
    for r in requests:
        line = (
            f"{r.kind:<9} {unquote_plus(r.url)[:58]:<58} {r.found:>7,} {r.queries:>4} "
            f"{r.median('ours', 'page'):>8.1f} {r.median('ours', 'query'):>8.1f}"
        )
        for what in ("page", "query"):
            base = r.median("baseline", what)
            line += f" {base:>10.1f}" if base is not None else f" {'':>10}"
        for what in ("page", "query"):
            base = r.median("baseline", what)
            line += f" {base / r.median('ours', what):>7.1f}" if base is not None else " " * 8
        print(line)

    print(f"\nSummary ({label.split(':')[0]}): ms over every timed request of a kind")
    print(
        f"{'kind':<9} {'what':<6} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8}   "
        f"{'baseline n':>10} {'p50':>8} {'p95':>8}   x = baseline ÷ ours per request: "
        f"median (min)   SQL queries a page: median (max)"
    )
    for kind in ("text", "facets", "combined"):
        of_kind = [r for r in requests if r.kind == kind]
        for what in ("page", "query"):
            ours = [ms for r in of_kind for ms in r.timings["ours", what]]
            base = [ms for r in of_kind for ms in r.timings.get(("baseline", what), ())]
            line = (
                f"{kind:<9} {what:<6} {len(ours):>4} {_percentile(ours, 0.5):>8.1f} "
                f"{_percentile(ours, 0.95):>8.1f} {max(ours):>8.1f}   "
            )
            if base:
                ratios = [
                    r.median("baseline", what) / r.median("ours", what)
                    for r in of_kind
                    if r.median("baseline", what) is not None
                ]
                line += (
                    f"{len(base):>10} {_percentile(base, 0.5):>8.1f} "
                    f"{_percentile(base, 0.95):>8.1f}"
                    f"   {statistics.median(ratios):>12.1f} ({min(ratios):.1f})"
                )
            else:
                line += f"{'':>10} {'':>8} {'':>8}   {'':>12}      "
            if what == "page":
                counts = [r.queries for r in of_kind]
                line += f"   {statistics.median(counts):>18.0f} ({max(counts)})"
            print(line)
    sys.stdout.flush()


def child(args):
    setup_django(args.database_url, ALLOWED_HOSTS="testserver", STATIC_MANIFEST="false")
    if args.existing:
        from django.db import connection

        from practices.models import Practice

        label = (
            f"{connection.vendor} {server_version(connection)}: existing database, "
            f"{Practice.objects.published().count():,} published practices"
        )
    else:
        label = _load(args)
    build = _timed(_index_build, args.repeat, warm=False)
    label += (
        f"; in-memory list index built in {statistics.median(build):.0f} ms "
        f"(median of {len(build)})"
    )
    print(f"{label}. Load average before timing: {_load_average()}", file=sys.stderr)
    requests = [
        *(Request("text", {"q": q}) for q in TEXT_QUERIES),
        *(Request("facets", dict(params)) for params in FACET_QUERIES),
        *(Request("combined", dict(params)) for params in COMBINED_QUERIES),
    ]
    _measure(requests, args)
    _report(f"{label}; load average after timing {_load_average()}", requests, args)


def _load_average():
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_once(database_url, args):
    command = [
        sys.executable,
        __file__,
        "--child",
        "--database-url",
        database_url,
        "--count",
        str(args.count),
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
        "--baseline-repeat",
        str(args.baseline_repeat),
        "--baseline-pages",
        str(args.baseline_pages),
        *(["--existing", database_url] if args.existing else []),
    ]
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(f"Benchmark run on {urlsplit(database_url).scheme} failed.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count", type=int, default=50000, help="Practices to generate (default: 50000)."
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Timed runs of each request with our search, after one untimed (default: 3).",
    )
    parser.add_argument(
        "--baseline-repeat",
        type=int,
        default=2,
        help="Timed runs of each query alone with the baseline (default: 2).",
    )
    parser.add_argument(
        "--baseline-pages",
        type=int,
        default=4,
        help="Text and combined requests whose whole page is timed with the baseline, of "
        "each kind (default: 4; each such page runs the baseline once per facet).",
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed passed to the generator.")
    parser.add_argument(
        "--skip-sqlite",
        action="store_true",
        help="Only PostgreSQL (when DATABASE_URL points at it).",
    )
    parser.add_argument(
        "--existing",
        metavar="URL",
        help="Measure this database as it is (filled earlier), instead of fresh ones.",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args)
        return
    if args.existing:
        run_once(args.existing, args)
        return

    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    memory = ""
    if hasattr(os, "sysconf"):
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    print(
        f"Search benchmark: {args.count:,} generated practices (seed {args.seed}), "
        f"{args.repeat} timed runs a request. Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{memory}, load average {_load_average()}. "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        flush=True,
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="kp-search-bench-") as folder:
            run_once(f"sqlite:///{folder}/bench.sqlite3", args)
    if postgres:
        import psycopg

        name = f"kp_search_bench_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            run_once(urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")), args)
        finally:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
