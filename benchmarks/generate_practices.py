"""Time ``manage.py generate_practices`` on throwaway databases and print the figures.

    .venv/bin/python benchmarks/generate_practices.py --count 50000
    .venv/bin/python benchmarks/generate_practices.py --count 1000 --count 10000 --runs 5
    scripts/with-postgres .venv/bin/python benchmarks/generate_practices.py --count 10000

Every run gets a fresh database: a new SQLite file in a temporary folder and, when
DATABASE_URL points at PostgreSQL, also a new database created on that server for the run
and dropped afterwards (the database DATABASE_URL names is never written to). Migrations and
the reference data are loaded before the clock starts, so the figure is the command alone.
Each run is a separate process with DEBUG off (DEBUG on would log every query). The figure
is the median of the runs: three by default for up to 10,000 practices, one above that.
"""

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, server_version, setup_django

DEFAULT_COUNTS = (1000, 10000)


def child(args):
    """Run inside a fresh process: set up the database, then time one generator run."""
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from practices.models import Practice, PracticeOrganisation

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())

    started = time.perf_counter()
    call_command("generate_practices", args.count, seed=args.seed, stdout=io.StringIO())
    seconds = time.perf_counter() - started

    rows = Practice.objects.count() + PracticeOrganisation.objects.count()
    for name in (
        "themes",
        "target_groups",
        "funders",
        "municipalities",
        "regions",
        "wellbeing_counties",
    ):
        rows += getattr(Practice, name).through.objects.count()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "vendor": connection.vendor,
                "version": server_version(connection),
            }
        )
    )


def run_once(database_url, count, seed):
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--database-url",
            database_url,
            "--count",
            str(count),
            "--seed",
            str(seed),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"Benchmark run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_runs(count, runs, seed):
    results = []
    for _run in range(runs):
        with tempfile.TemporaryDirectory(prefix="kp-bench-") as folder:
            results.append(run_once(f"sqlite:///{folder}/bench.sqlite3", count, seed))
    return results


def postgres_runs(server_url, count, runs, seed):
    import psycopg

    parts = urlsplit(server_url)
    results = []
    for run in range(runs):
        name = f"kp_bench_{os.getpid()}_{run}"
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = urlunsplit(parts._replace(path=f"/{name}"))
            results.append(run_once(url, count, seed))
        finally:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def report(label, count, results):
    seconds = statistics.median(r["seconds"] for r in results)
    rows = results[0]["rows"]
    each = ", ".join(f"{r['seconds']:.2f}" for r in results)
    print(
        f"{label:<20} {count:>8,} {len(results):>5} {seconds:>10.2f} {count / seconds:>13,.0f} "
        f"{rows / seconds:>10,.0f}   runs: {each} s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count",
        type=int,
        action="append",
        help="Practices to generate; repeat for several sizes (default: 1000 and 10000).",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="Runs per size (default: 3 up to 10,000 practices, 1 above).",
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed passed to the generator.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        args.count = args.count[0]
        child(args)
        return

    counts = args.count or DEFAULT_COUNTS
    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    print(
        f"generate_practices: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"seed {args.seed}. Rows = practices + their theme, target group, funder, place and "
        f"organisation rows."
    )
    print(
        f"{'database':<20} {'practices':>8} {'runs':>5} {'median s':>10} {'practices/s':>13} "
        f"{'rows/s':>10}"
    )
    for count in counts:
        runs = args.runs or (3 if count <= 10000 else 1)
        results = sqlite_runs(count, runs, args.seed)
        report(f"SQLite {results[0]['version']}", count, results)
        if postgres:
            results = postgres_runs(server_url, count, runs, args.seed)
            report(f"PostgreSQL {results[0]['version'].split()[0]}", count, results)


if __name__ == "__main__":
    main()
