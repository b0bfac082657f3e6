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

Each request is timed twice over: as the whole HTML page (Django's test Client GET of /?…,
rendering, facet counts and snippets included), and as the query alone (the practices'
count and the first page, as the page fetches them). Beside ours, the same requests are timed
with a naive baseline in the same process: every word of the query matched with icontains
against the name, the short description and the sections in all three languages (the page
then has no spelling suggestions). The figures are p50 and p95 over all timed requests of a
kind (each request is run once untimed, then --repeat times), the ratio baseline / ours, and
the number of database queries a page makes.

Every run gets a fresh database: a new SQLite file in a temporary folder and, when DATABASE_URL
points at PostgreSQL, also a new database created on that server and dropped afterwards (the
database DATABASE_URL names is never written to). Each database is measured in a process of its
own with DEBUG off.
"""

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

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
TEXT_FIELDS = (
    "name",
    "summary",
    "need_and_goals",
    "target_change",
    "target_group_description",
    "solution",
    "results",
    "evaluation",
    "adoption_conditions",
    "tips_for_adopters",
    "resources_and_costs",
)
LANGUAGES = ("fi", "sv", "en")


def _setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["ALLOW_DEV_SECRET_KEY"] = "true"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()


def naive_filter_by_text(queryset, q):
    """The baseline: each word of q in some text column (icontains), all words required."""
    from django.db.models import FloatField, Q, Value

    columns = [f"{field}_{language}" for field in TEXT_FIELDS for language in LANGUAGES]
    for word in q.split():
        condition = Q()
        for column in columns:
            condition |= Q(**{f"{column}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))


class Engines:
    """Switches the list page between the site's search and the baseline."""

    def __init__(self):
        from practices import filters, views

        self.filters, self.views = filters, views
        self.ours = (filters.filter_by_text, views.suggest_query)

    def use(self, name):
        if name == "ours":
            self.filters.filter_by_text, self.views.suggest_query = self.ours
        else:
            self.filters.filter_by_text = naive_filter_by_text
            self.views.suggest_query = lambda q: None


def _params(query):
    return {"q": query} if isinstance(query, str) else dict(query)


def _query_alone(params):
    """The count and the first page, as the list page fetches them."""
    from django.conf import settings
    from django.http import QueryDict

    from practices.filters import PracticeFilterSet

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    queryset = PracticeFilterSet(data).qs
    count = queryset.count()
    page = int(params.get("page", 1))
    start = (page - 1) * settings.PRACTICES_PER_PAGE
    rows = list(queryset[start : start + settings.PRACTICES_PER_PAGE])
    return count, rows


def _text_alone(q):
    """filter_by_text itself: count and first page by relevance."""
    from django.conf import settings
    from django.db.models import F

    from practices import filters
    from practices.models import Practice

    queryset = filters.filter_by_text(Practice.objects.published(), q)
    count = queryset.count()
    ordered = queryset.order_by(F("search_rank").desc(nulls_last=True), "name", "pk")
    rows = list(ordered[: settings.PRACTICES_PER_PAGE])
    return count, rows


def _timed(function, repeat):
    function()  # warm: caches, prepared plans, Voikko
    samples = []
    for _run in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _percentile(samples, share):
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def child(args):
    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from practices.models import Practice, PracticeSearchDocument
    from practices.search.indexing import rebuild_index

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo_data", stdout=io.StringIO())
    started = time.perf_counter()
    call_command("generate_practices", args.count, seed=args.seed, stdout=io.StringIO())
    generated = time.perf_counter() - started
    practices = Practice.objects.count()
    indexed_by_generator = PracticeSearchDocument.objects.count() == practices
    started = time.perf_counter()
    if not indexed_by_generator:
        rebuild_index()
    indexing = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    label = f"{connection.vendor} {_server_version(connection)}"
    print(
        f"\n== {label}: {practices:,} practices ({Practice.objects.published().count():,} "
        f"published). generate_practices {args.count:,}: {generated:.1f} s"
        + (
            ", indexed by the generator"
            if indexed_by_generator
            else f"; rebuild_index: {indexing:.1f} s"
        ),
        flush=True,
    )

    engines = Engines()
    client = Client()
    kinds = (("text", TEXT_QUERIES), ("facets", FACET_QUERIES), ("combined", COMBINED_QUERIES))
    rows = []  # (kind, query, engine, what, samples)
    query_counts = {}
    matches = {}
    for kind, queries in kinds:
        for query in queries:
            params = _params(query)
            url = "/?" + urlencode(params, doseq=True)
            for engine in ("ours", "baseline") if "q" in params else ("ours",):
                engines.use(engine)
                page = _timed(lambda url=url: client.get(url), args.repeat)
                if kind == "text":
                    alone = _timed(lambda q=params["q"]: _text_alone(q), args.repeat)
                else:
                    alone = _timed(lambda params=params: _query_alone(params), args.repeat)
                rows.append((kind, url, engine, "page", page))
                rows.append((kind, url, engine, "query", alone))
                if engine == "ours":
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    query_counts[(kind, url)] = len(captured.captured_queries)
                    matches[(kind, url)] = _query_alone(params)[0]
            engines.use("ours")

    print(f"\nPer request: median ms of {args.repeat} runs, ours / baseline (x = baseline ÷ ours)")
    print(
        f"{'kind':<9} {'request':<62} {'found':>7} {'queries':>7} "
        f"{'page':>8} {'query':>8} {'base page':>10} {'base query':>10} {'x page':>7} "
        f"{'x query':>7}"
    )
    table = {}
    for kind, url, engine, what, samples in rows:
        table[(kind, url, engine, what)] = samples
    for kind, queries in kinds:
        for query in queries:
            url = "/?" + urlencode(_params(query), doseq=True)
            ours_page = statistics.median(table[(kind, url, "ours", "page")])
            ours_query = statistics.median(table[(kind, url, "ours", "query")])
            line = (
                f"{kind:<9} {url[:62]:<62} {matches[(kind, url)]:>7,} "
                f"{query_counts[(kind, url)]:>7} {ours_page:>8.1f} {ours_query:>8.1f}"
            )
            if (kind, url, "baseline", "page") in table:
                base_page = statistics.median(table[(kind, url, "baseline", "page")])
                base_query = statistics.median(table[(kind, url, "baseline", "query")])
                line += (
                    f" {base_page:>10.1f} {base_query:>10.1f} {base_page / ours_page:>7.1f}"
                    f" {base_query / ours_query:>7.1f}"
                )
            print(line)

    print(f"\nSummary ({label}, {practices:,} practices): ms over all timed requests of a kind")
    print(
        f"{'kind':<9} {'what':<6} {'n':>4} {'ours p50':>9} {'ours p95':>9} {'base p50':>9} "
        f"{'base p95':>9} {'x p50':>6} {'x p95':>6}   queries/page (median, max)"
    )
    for kind, _queries in kinds:
        counts = [count for (k, _url), count in query_counts.items() if k == kind]
        for what in ("page", "query"):
            ours = _samples(table, kind, "ours", what)
            base = _samples(table, kind, "baseline", what)
            line = (
                f"{kind:<9} {what:<6} {len(ours):>4} {_percentile(ours, 0.5):>9.1f} "
                f"{_percentile(ours, 0.95):>9.1f}"
            )
            if base:
                line += (
                    f" {_percentile(base, 0.5):>9.1f} {_percentile(base, 0.95):>9.1f}"
                    f" {_percentile(base, 0.5) / _percentile(ours, 0.5):>6.1f}"
                    f" {_percentile(base, 0.95) / _percentile(ours, 0.95):>6.1f}"
                )
            else:
                line += f" {'':>9} {'':>9} {'':>6} {'':>6}"
            if what == "page":
                line += f"   {statistics.median(counts):.0f}, {max(counts)}"
            print(line)
    sys.stdout.flush()


def _samples(table, kind, engine, what):
    """All timings of one kind of request, engine and measure."""
    return [
        sample
        for (k, _url, e, w), samples in table.items()
        if (k, e, w) == (kind, engine, what)
        for sample in samples
    ]


def _server_version(connection):
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


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
        "--repeat", type=int, default=5, help="Timed runs of each request (default: 5)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed passed to the generator.")
    parser.add_argument(
        "--skip-sqlite",
        action="store_true",
        help="Only PostgreSQL (when DATABASE_URL points at it).",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args)
        return

    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    memory = ""
    if hasattr(os, "sysconf"):
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    print(
        f"Search benchmark: {args.count:,} generated practices (seed {args.seed}), "
        f"{args.repeat} timed runs a request. Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{memory}.",
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
