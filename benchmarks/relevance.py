"""Measure how well search answers the relevance cases, beside a plain baseline, and print it.

    .venv/bin/python benchmarks/relevance.py
    scripts/with-postgres .venv/bin/python benchmarks/relevance.py

The cases and the catalogue are the relevance test suite's (tests/practices/search_quality/:
the six demo practices and a corpus of about forty cards, searched with everyday queries whose
right answers are known). For each case the first page of ten results is scored: recall@10 (the
share of right answers on it) and the reciprocal rank of the first right answer; the table
gives their means per category and overall.

"ours" is the site's search as the list page runs it: practices.search.filter_by_text ordered
by relevance, and when that finds nothing, the spelling suggestion's results. The baseline is
what a project gets without it:

- SQLite: a naive case-insensitive substring match (icontains) of the whole query over the
  name, the short description and the sections, in all three languages, ordered by name.
- PostgreSQL: SearchVector over the same fields with the built-in "finnish" configuration,
  SearchQuery(q, config="finnish", search_type="websearch"), ordered by SearchRank.

Every run gets a fresh database: a new SQLite file in a temporary folder and, when DATABASE_URL
points at PostgreSQL, also a new database created on that server and dropped afterwards (the
database DATABASE_URL names is never written to). Each database is measured in a process of its
own, with DEBUG off.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, server_version, setup_django, text_columns


def icontains_search(query):
    """Published practices whose text contains the query as typed, by name."""
    from django.db.models import Q

    from practices.models import Practice

    condition = Q()
    for column in text_columns():
        condition |= Q(**{f"{column}__icontains": query})
    queryset = Practice.objects.published().filter(condition).order_by("name_fi", "pk")
    return tuple(queryset.values_list("slug", flat=True)[:10])


def finnish_fts_search(query):
    """Published practices matching the query with PostgreSQL's own Finnish full-text search."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    from practices.models import Practice

    vector = SearchVector(*text_columns(), config="finnish")
    search = SearchQuery(query, config="finnish", search_type="websearch")
    queryset = (
        Practice.objects.published()
        .annotate(document=vector, rank=SearchRank(vector, search))
        .filter(document=search)
        .order_by("-rank", "name_fi", "pk")
    )
    return tuple(queryset.values_list("slug", flat=True)[:10])


def child(args):
    """Run inside a fresh process: load the catalogue, score both engines, print JSON."""
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from tests.practices.search_quality.cases import CASES, Result
    from tests.practices.search_quality.corpus import load_catalogue
    from tests.practices.search_quality.pipeline import run_case

    call_command("migrate", verbosity=0, interactive=False)
    load_catalogue()

    baseline = finnish_fts_search if connection.vendor == "postgresql" else icontains_search
    ours, theirs = [], []
    for case in CASES:
        ours.append(run_case(case))
        with translation.override(case.language):
            theirs.append(Result(case, baseline(case.query)))

    def dump(results):
        return [
            {"name": r.case.name, "found": list(r.found), "corrected": r.corrected} for r in results
        ]

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "version": server_version(connection),
                "ours": dump(ours),
                "baseline": dump(theirs),
            }
        )
    )


def run_once(database_url):
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--database-url", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"Benchmark run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_run():
    with tempfile.TemporaryDirectory(prefix="kp-relevance-") as folder:
        return run_once(f"sqlite:///{folder}/relevance.sqlite3")


def postgres_run(server_url):
    import psycopg

    name = f"kp_relevance_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run_once(urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _results(data, key):
    from tests.practices.search_quality.cases import CASES_BY_NAME, Result

    return [
        Result(CASES_BY_NAME[item["name"]], tuple(item["found"]), item["corrected"])
        for item in data[key]
    ]


def report(runs):
    from tests.practices.search_quality.cases import describe, summarise

    columns = []
    for data in runs:
        if data["vendor"] == "sqlite":
            label, baseline = f"SQLite {data['version']}", "icontains"
        else:
            label, baseline = f"PostgreSQL {data['version']}", "finnish FTS"
        columns.append((f"ours ({label})", summarise(_results(data, "ours"))))
        columns.append((f"{baseline} ({label})", summarise(_results(data, "baseline"))))

    width = max(24, *(len(title) for title, _summary in columns))
    print(f"{'':<14} {'':>5}" + "".join(f"  {title:>{width}}" for title, _summary in columns))
    print(
        f"{'category':<14} {'cases':>5}"
        + "".join(f"  {'recall@10':>{width - 7}} {'MRR':>6}" for _column in columns)
    )
    for name, (count, _recall, _mrr) in columns[0][1].items():
        cells = ""
        for _title, summary in columns:
            _count, recall, mrr = summary[name]
            cells += f"  {recall:>{width - 7}.3f} {mrr:>6.3f}"
        print(f"{name:<14} {count:>5}{cells}")

    for data in runs:
        misses = [r for r in _results(data, "ours") if r.recall < 1 or r.reciprocal_rank < 1]
        print(f"\nCases ours does not answer perfectly on {data['vendor']}:")
        for result in misses or ():
            print("  " + describe(result))
        if not misses:
            print("  none")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args)
        return

    sys.path.insert(0, str(ROOT))
    from tests.practices.search_quality.cases import CASES

    server_url = os.environ.get("DATABASE_URL", "")
    runs = [sqlite_run()]
    if server_url.startswith(("postgres://", "postgresql://")):
        runs.append(postgres_run(server_url))
    print(
        f"Search relevance: {len(CASES)} cases over the demo data and the test corpus, first "
        f"page of 10. Python {platform.python_version()}."
    )
    report(runs)


if __name__ == "__main__":
    main()
