"""Load-test the portal as production serves it, and print throughput and latency per step.

    .venv/bin/python benchmarks/load.py                  # 50,000 practices, 8 → 64 users
    .venv/bin/python benchmarks/load.py --quick          # 2,000 practices, 5 s a step
    .venv/bin/python benchmarks/load.py --duration 60 --users 16 --users 64
    make bench-load

Everything runs on this machine, on loopback. Without a PostgreSQL DATABASE_URL the script runs
itself again under scripts/with-postgres (a throwaway cluster); with one, it creates a database
of its own on that server and drops it afterwards (the database DATABASE_URL names is never
written to). Into that database it migrates, loads the reference data and generates --count
published practices (generate_practices, which also builds their search index), then ANALYZEs.
The static files are collected into a temporary folder, and gunicorn serves the portal with
config/gunicorn.conf.py (its default workers and threads unless --workers / --threads) and
production settings: DEBUG off, a generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, hashed and
compressed static files (WhiteNoise), JSON logs (the access log goes to a file), HTTPS=false
(plain HTTP on loopback, so no redirect to HTTPS and no secure-only cookies).

Then closed-loop users: each keeps one keep-alive HTTP/1.1 connection, as a browser does, and
sends its next request as soon as the previous answer has been read (no think time unless
--think). After a warm-up, the number of users steps up (8, 16, 32, 64 by default), --duration
seconds a step. The requests are a mix of what visitors and API clients ask for (MIX below): the
home page, the list with a search text and facets, the list with facets only, practice pages,
the API's list and detail, and the Atom feed, in Finnish and sometimes in Swedish or English.
Any answer other than 200, and any connection error or timeout, counts as an error.

Printed: per step and request kind, requests a second, latency p50 / p95 / p99 / max of the
answered requests (ms, nearest rank; from sending the request, or connecting for it, to having
read the whole answer), errors;
and the CPU used meanwhile by gunicorn, PostgreSQL and this load generator (which shares the
machine: one asyncio process with a small HTTP/1.1 client of its own). --per-kind runs each kind
of request alone afterwards and prints its CPU cost per request in gunicorn and PostgreSQL. When
`wrk` is installed (Debian package wrk), one URL is also driven by wrk and by this client at the
highest step, as a cross-check of the client's figures.

The exit status is 1 when any request failed.
"""

import argparse
import asyncio
import io
import math
import os
import platform
import random
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from common import ROOT, server_version, setup_django

# The search words of the search benchmark: words of the generator's phrase banks and the demo
# data, common and rare, inflected, a compound part, a typo, places, an organisation.
from search import TEXT_QUERIES

DEFAULT_USERS = (8, 16, 32, 64)
# What the users ask for: kind → share of the requests (percent).
MIX = {
    "home": 10,
    "search": 20,
    "browse": 15,
    "detail": 30,
    "api-list": 10,
    "api-detail": 10,
    "feed": 5,
}
# Pages and the API's answers are in Finnish, Swedish or English in these shares.
LANGUAGES = (("fi", 70), ("sv", 20), ("en", 10))
# The target on the machine of the figures in benchmarks/README.md.
TARGET_RATE = 200
TARGET_P95_MS = 250
TIMEOUT_SECONDS = 30
CLIENT = "kp-load/1"


# A small HTTP/1.1 client of its own (keep-alive, Content-Length and chunked answers): GET is all
# the users need, and it needs nothing beyond the standard library. Its CPU is measured and
# printed with the figures, as it shares the machine with the server.


class ServerClosed(Exception):
    """The server closed a kept-alive connection before answering: the request is sent again
    on a new connection, as browsers do."""


class Connection:
    """One keep-alive connection to the server."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.used = False

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
        self.used = False

    async def get(self, path):
        """GET `path`; return (status, size of the body in bytes)."""
        try:
            try:
                return await self._get(path)
            except ServerClosed:
                return await self._get(path)
        except BaseException:
            # Cancelled (timeout) or failed part-way: what is left of the answer is unread.
            self.close()
            raise

    async def _get(self, path):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reused, self.used = self.used, True
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUser-Agent: {CLIENT}\r\n"
            "Accept: */*\r\n\r\n".encode("ascii")
        )
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as error:
            nothing = not getattr(error, "partial", b"")
            self.close()
            if reused and nothing:
                raise ServerClosed from error
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _colon, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            size = len(await self.reader.readexactly(int(headers["content-length"])))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            size = 0
            while chunk := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                size += len(await self.reader.readexactly(chunk + 2)) - 2
            while await self.reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
        else:
            size = len(await self.reader.read())
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, size


# The requests


@dataclass
class Catalogue:
    """What the requests are made of, read from the database."""

    slugs: list
    themes: list
    counties: list
    target_groups: list
    municipalities: list
    practices: int


def _zipf_weights(count, exponent):
    return [1 / rank**exponent for rank in range(1, count + 1)]


def read_catalogue():
    from django.db.models import Count

    from organisations.models import Municipality, WellbeingServicesCounty
    from practices.models import Practice, TargetGroup, Theme

    published = Practice.objects.published()
    return Catalogue(
        slugs=list(published.order_by("pk").values_list("slug", flat=True)),
        themes=list(Theme.objects.order_by("slug").values_list("slug", flat=True)),
        counties=list(
            WellbeingServicesCounty.objects.filter(kind=WellbeingServicesCounty.Kind.COUNTY)
            .order_by("slug")
            .values_list("slug", flat=True)
        ),
        target_groups=list(TargetGroup.objects.order_by("slug").values_list("slug", flat=True)),
        # Places people look for: the hundred with most practices.
        municipalities=list(
            Municipality.objects.annotate(n=Count("practices"))
            .filter(n__gt=0)
            .order_by("-n", "slug")
            .values_list("slug", flat=True)[:100]
        ),
        practices=published.count(),
    )


class Mix:
    """Draws the next request: (kind, path)."""

    def __init__(self, catalogue, popularity=0.0, seed=1):
        self.catalogue = catalogue
        # Each list in an order of popularity of its own (not the practices' age or the
        # alphabet), drawn with Zipf weights 1 / rank ** popularity (0: uniformly).
        self.popularity = popularity
        self._choosers = {}
        order = random.Random(seed)
        for name in ("slugs", "themes", "counties", "target_groups", "municipalities"):
            values = list(getattr(catalogue, name))
            order.shuffle(values)
            self._choosers[name] = (
                values,
                list(_cumulative(_zipf_weights(len(values), popularity))),
            )
        queries = list(TEXT_QUERIES)
        order.shuffle(queries)
        self._choosers["queries"] = (
            queries,
            list(_cumulative(_zipf_weights(len(queries), popularity))),
        )
        self.kinds = list(MIX)
        self.kind_weights = list(_cumulative(MIX.values()))
        self.languages = [code for code, _share in LANGUAGES]
        self.language_weights = list(_cumulative(share for _code, share in LANGUAGES))

    def next(self, rng):
        kind = rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
        language = rng.choices(self.languages, cum_weights=self.language_weights)[0]
        return kind, getattr(self, kind.replace("-", "_"))(rng, language)

    def pick(self, rng, name):
        values, weights = self._choosers[name]
        return rng.choices(values, cum_weights=weights)[0]

    @staticmethod
    def _page(language, path, params=None):
        prefix = "" if language == "fi" else f"/{language}"
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return f"{prefix}{path}{query}"

    def home(self, rng, language):
        return self._page(language, "/")

    def search(self, rng, language):
        """A search text with one or two facets (?q=…&theme=…&county=…)."""
        params = {"q": self.pick(rng, "queries"), "theme": self.pick(rng, "themes")}
        if rng.random() < 0.5:
            params["county"] = self.pick(rng, "counties")
        elif rng.random() < 0.5:
            params["target_group"] = self.pick(rng, "target_groups")
        return self._page(language, "/kaytannot/", params)

    def browse(self, rng, language):
        """Facets only, sometimes sorted or a later page."""
        roll = rng.random()
        if roll < 0.4:
            params = {"theme": self.pick(rng, "themes"), "county": self.pick(rng, "counties")}
        elif roll < 0.6:
            params = {"municipality": self.pick(rng, "municipalities")}
        elif roll < 0.8:
            params = {
                "target_group": self.pick(rng, "target_groups"),
                "theme": self.pick(rng, "themes"),
            }
        else:
            params = {"theme": self.pick(rng, "themes")}
        if rng.random() < 0.2:
            params["sort"] = rng.choice(("name", "updated"))
        if rng.random() < 0.2:
            params["page"] = rng.randint(2, 5)
        return self._page(language, "/kaytannot/", params)

    def detail(self, rng, language):
        return self._page(language, f"/kaytannot/{quote(self.pick(rng, 'slugs'))}/")

    def _api(self, path, language, params):
        if language != "fi":
            params["lang"] = language
        return f"{path}?{urlencode(params)}" if params else path

    def api_list(self, rng, language):
        params = {"theme": self.pick(rng, "themes")}
        if rng.random() < 0.3:
            params["page"] = rng.randint(2, 10)
        return self._api("/api/practices/", language, params)

    def api_detail(self, rng, language):
        slug = quote(self.pick(rng, "slugs"))
        return self._api(f"/api/practices/{slug}/", language, {})

    def feed(self, rng, language):
        return self._page(language, "/syote/")


class OneKind:
    """Only the requests of one kind of the mix, in the mix's languages."""

    def __init__(self, mix, kind):
        self.mix, self.kind = mix, kind

    def next(self, rng):
        while True:
            kind, path = self.mix.next(rng)
            if kind == self.kind:
                return kind, path


class SingleUrl:
    """Always the same request (the cross-check with wrk)."""

    def __init__(self, kind, path):
        self.kind, self.path = kind, path

    def next(self, rng):
        return self.kind, self.path


# Running the users


@dataclass
class Samples:
    """What one step measured."""

    users: int
    times: dict = field(default_factory=dict)  # kind → [ms] of successful requests
    errors: dict = field(default_factory=dict)  # kind → {what: count}
    error_paths: list = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict = field(default_factory=dict)  # who → share of one core
    # (time answered, ms, outcome) of every request, when asked for (the database restart).
    timeline: list | None = None

    def record(self, kind, ms, outcome, path):
        if self.timeline is not None:
            self.timeline.append((time.perf_counter(), ms, outcome))
        self.times.setdefault(kind, [])
        if outcome == 200:
            self.times[kind].append(ms)
            return
        errors = self.errors.setdefault(kind, {})
        errors[outcome] = errors.get(outcome, 0) + 1
        if len(self.error_paths) < 5:
            self.error_paths.append(f"{outcome} {path}")

    def count(self, kind=None):
        kinds = [kind] if kind else list(self.times)
        return sum(len(self.times[k]) + sum(self.errors.get(k, {}).values()) for k in kinds)

    def error_count(self, kind=None):
        kinds = [kind] if kind else list(self.errors)
        return sum(sum(self.errors.get(k, {}).values()) for k in kinds)

    def all_times(self):
        return [ms for times in self.times.values() for ms in times]


async def _user(number, host, port, mix, seed, stop_at, think, samples):
    rng = random.Random(f"{seed}-{samples.users}-{number}")
    connection = Connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            kind, path = mix.next(rng)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    status, _size = await connection.get(path)
                outcome = status
            except TimeoutError:
                outcome = "timeout"
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                outcome = type(error).__name__
            samples.record(kind, (time.perf_counter() - started) * 1000, outcome, path)
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))
    finally:
        connection.close()


async def _step(host, port, mix, users, seconds, seed, think, timeline=False):
    samples = Samples(users, timeline=[] if timeline else None)
    started = time.perf_counter()
    await asyncio.gather(
        *(_user(n, host, port, mix, seed, started + seconds, think, samples) for n in range(users))
    )
    samples.seconds = time.perf_counter() - started
    return samples


def run_step(host, port, mix, users, seconds, seed, think, meters, timeline=False):
    before = {name: meter() for name, meter in meters.items()}
    wall = time.perf_counter()
    samples = asyncio.run(_step(host, port, mix, users, seconds, seed, think, timeline))
    wall = time.perf_counter() - wall
    for name, meter in meters.items():
        samples.cpu[name] = (meter() - before[name]) / wall
    return samples


# The database restarted under load


class Cluster:
    """Stops and starts the PostgreSQL server of a database URL (on this machine, with pg_ctl;
    as the postgres user when this runs as root, as PostgreSQL demands)."""

    def __init__(self, database_url):
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as connection:
            self.folder = connection.execute("SHOW data_directory").fetchone()[0]
        with open(os.path.join(self.folder, "postmaster.opts")) as opts:
            # The server's command line: the binary, then its options.
            self.options = shlex.split(opts.read())[1:]
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        self.pg_ctl = os.path.join(bindir, "pg_ctl") if bindir else shutil.which("pg_ctl")
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _pg_ctl(self, *args):
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", self.folder, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self):
        # "fast": the server ends every connection and stops at once, as on a restart.
        self._pg_ctl("stop", "-m", "fast", "-w")

    def start(self):
        options = []
        skip = False
        for option in self.options:
            if skip:
                skip = False
                continue
            if option == "-D":  # pg_ctl gives it
                skip = True
                continue
            options.append(option)
        log = os.path.join(self.folder, "restart.log")
        self._pg_ctl("start", "-w", "-l", log, "-o", shlex.join(options))


def fingerprint(database_url):
    """What must survive the restart: the practices (id, status and last change), their
    search documents, links and the search index revision, as counts and checksums."""
    import psycopg

    queries = {
        "practices": "SELECT count(*), coalesce(sum(hashtext(id::text || status || "
        "modified_at::text)), 0) FROM practices_practice",
        "search documents": "SELECT count(*), 0 FROM practices_practicesearchdocument",
        "theme links": "SELECT count(*), coalesce(sum(hashtext(practice_id::text || "
        "theme_id::text)), 0) FROM practices_practice_themes",
        "revision": "SELECT count(*), coalesce(sum(hashtext(token)), 0) "
        "FROM practices_searchindexrevision",
    }
    with psycopg.connect(database_url) as connection:
        return {name: tuple(connection.execute(sql).fetchone()) for name, sql in queries.items()}


def restart_under_load(port, mix, users, seconds, outage, database_url, meters, seed):
    """Run `users` for `seconds`; a third of the way in, stop the database server for
    `outage` seconds and start it again. Print how the site answered before, during and after,
    and whether the data is as before. True when every request was answered 200, or 503
    while the database was down, and the data is unchanged."""
    cluster = Cluster(database_url)
    before = fingerprint(database_url)
    events = {}

    def restart():
        time.sleep(seconds / 3)
        events["stop"] = time.perf_counter()
        cluster.stop()
        events["stopped"] = time.perf_counter()
        time.sleep(outage)
        events["start"] = time.perf_counter()
        cluster.start()
        events["started"] = time.perf_counter()

    worker = threading.Thread(target=restart)
    begun = time.perf_counter()
    worker.start()
    try:
        samples = run_step("127.0.0.1", port, mix, users, seconds, seed, 0, meters, timeline=True)
    finally:
        worker.join()
    after = fingerprint(database_url)

    timeline = sorted(samples.timeline)
    down, up = events["stop"], events["started"]
    phases = {
        "before": [t for t in timeline if t[0] < down],
        "database down": [t for t in timeline if down <= t[0] < up],
        "after": [t for t in timeline if t[0] >= up],
    }
    first_ok = next((t[0] for t in phases["after"] if t[2] == 200), None)
    last_failure = max((t[0] for t in phases["after"] if t[2] != 200), default=None)
    print(
        f"\nThe database restarted under load: {users} users for {seconds:g} s; the server "
        f"stopped {down - begun:.1f} s in ('pg_ctl stop -m fast', {events['stopped'] - down:.1f}"
        f" s), started again {outage:g} s later (ready in {up - events['start']:.1f} s).\n"
    )
    print("| phase | requests | 200 | 503 | other | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, rows in phases.items():
        statuses = [row[2] for row in rows]
        times = [row[1] for row in rows]
        print(
            f"| {name} | {len(rows):,} | {statuses.count(200):,} | {statuses.count(503):,} | "
            f"{len(rows) - statuses.count(200) - statuses.count(503):,} | "
            f"{_percentile(times, 0.5):,.0f} | {_percentile(times, 0.95):,.0f} | "
            f"{max(times, default=0):,.0f} |"
        )
    recovered = f"{first_ok - up:.2f} s" if first_ok is not None else "never"
    print(
        f"\nFirst answer 200 after the database was back: {recovered}; last other answer "
        + (f"{last_failure - up:.2f} s after it." if last_failure else "none after it.")
    )
    same = before == after
    print(f"Data before and after (counts and checksums): {'the same' if same else 'DIFFERENT'}.")
    for name in before:
        print(f"- {name}: {before[name][0]:,}" + ("" if same else f" → {after[name][0]:,}"))
    # A 503 is expected while the database is down, and until the first answer 200 after it.
    recovered_at = first_ok if first_ok is not None else float("inf")
    unexpected = sum(
        1
        for answered, _ms, outcome in timeline
        if outcome != 200 and not (outcome == 503 and down <= answered < recovered_at)
    )
    ok = same and first_ok is not None and unexpected == 0
    print(
        "Verdict: "
        + (
            "every request was answered, 503 only while the database was down, recovered by "
            "itself, no data lost."
            if ok
            else f"NOT as it should be ({unexpected} unexpected answers)."
        )
    )
    return ok


# CPU time, from /proc (Linux): seconds used so far.

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_times(pid):
    """(own user+system, waited-for children's) seconds of a process, or (0, 0) if gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0, 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS, (
        int(fields[13]) + int(fields[14])
    ) / _TICKS


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def process_tree_meter(pid):
    """The CPU seconds of a process and its children, those that ended included."""

    def meter():
        own, ended = _process_times(pid)
        return own + ended + sum(_process_times(child)[0] for child in _children(pid))

    return meter


def own_meter():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_meter():
    """CPU seconds in use on the whole machine (all cores, not idle or waiting for I/O)."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICKS


def postmaster_pid(connection):
    """The PostgreSQL server's main process, when it runs on this machine and can be read."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        folder = cursor.fetchone()[0]
    try:
        with open(os.path.join(folder, "postmaster.pid")) as pidfile:
            return int(pidfile.readline())
    except (OSError, ValueError):
        return None


# Setting up


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _progress(message, started=None):
    elapsed = f" ({time.perf_counter() - started:.1f} s)" if started else ""
    print(
        f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}{elapsed}",
        file=sys.stderr,
        flush=True,
    )


def prepare(args, database_url, environment):
    """Fill the database and collect the static files; return (catalogue, description)."""
    setup_django(database_url, **environment)
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import translation

    if args.existing:
        filled = "filled earlier"
    else:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference_data", stdout=io.StringIO())
        _progress("Migrated, reference data loaded", started)
        started = time.perf_counter()
        out = io.StringIO()
        with translation.override("en"):
            call_command("generate_practices", args.count, seed=args.seed, stdout=out)
        generated = time.perf_counter() - started
        _progress(f"{out.getvalue().strip()} Indexed them too", started)
        # What autovacuum does soon after a bulk load: the statistics, and the visibility map
        # that lets counts read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        filled = (
            f"generate_practices {args.count:,} --seed {args.seed} with its indexing: "
            f"{generated:.0f} s"
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    catalogue = read_catalogue()
    pid = postmaster_pid(connection)
    description = (
        f"PostgreSQL {server_version(connection)}, {catalogue.practices:,} published practices "
        f"({filled})"
    )
    connections.close_all()
    return catalogue, description, pid


def start_gunicorn(args, port, environment, log_path):
    env = {
        **os.environ,
        **environment,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.postgres_setting:
        # Given to the server by each of gunicorn's connections (libpq's "options").
        options = " ".join(f"-c {setting}" for setting in args.postgres_setting)
        url = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(url._replace(query=urlencode({"options": options})))
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_ready(server, port, log_path, seconds=180):
    """Until /readyz answers 200. (Workers still building the list's index take no requests
    yet; the warm-up gives them time.)"""
    deadline = time.monotonic() + seconds

    async def ready():
        connection = Connection("127.0.0.1", port)
        try:
            return (await connection.get("/readyz"))[0] == 200
        except (OSError, asyncio.IncompleteReadError):
            return False
        finally:
            connection.close()

    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit status {server.returncode}); see {log_path}")
        if asyncio.run(ready()):
            return
        time.sleep(0.5)
    sys.exit(f"gunicorn did not become ready in {seconds} s; see {log_path}")


def stop(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# Reporting


def _percentile(samples, share):
    """The nearest-rank percentile."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _row(label, samples, kind=None):
    times = samples.times.get(kind, []) if kind else samples.all_times()
    count = samples.count(kind)
    errors = samples.error_count(kind)
    return (
        f"| {label} | {count:,} | {count / samples.seconds:,.1f} | "
        f"{_percentile(times, 0.5):,.0f} | {_percentile(times, 0.95):,.0f} | "
        f"{_percentile(times, 0.99):,.0f} | {max(times, default=math.nan):,.0f} | {errors} |"
    )


HEADER = (
    "| {label} | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def report(steps, cores):
    print("\nPer step (all kinds):\n")
    print(
        "| users | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | "
        "CPU gunicorn | CPU PostgreSQL | CPU load generator | machine busy |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for samples in steps:
        cpu = samples.cpu
        busy = cpu["machine"] / cores
        print(
            _row(str(samples.users), samples)
            + f" {cpu['gunicorn']:.2f} | {cpu.get('postgresql', math.nan):.2f} | "
            f"{cpu['load generator']:.2f} | {busy:.0%} |"
        )
    print("\nCPU in cores (1.00 = one core busy for the whole step).")

    for samples in steps:
        print(f"\n{samples.users} users, {samples.seconds:.1f} s, per kind:\n")
        print(HEADER.format(label="kind"))
        for kind in MIX:
            if kind in samples.times:
                print(_row(kind, samples, kind))
        print(_row("**all**", samples))
        for kind, errors in samples.errors.items():
            described = ", ".join(f"{what}: {n}" for what, n in errors.items())
            print(f"Errors of {kind}: {described}")
        for line in samples.error_paths:
            print(f"  e.g. {line}")

    overall = Samples(0)
    for samples in steps:
        overall.seconds += samples.seconds
        for kind, times in samples.times.items():
            overall.times.setdefault(kind, []).extend(times)
        for kind, errors in samples.errors.items():
            for what, n in errors.items():
                overall.errors.setdefault(kind, {})
                overall.errors[kind][what] = overall.errors[kind].get(what, 0) + n
    print(f"\nAll steps together ({overall.seconds:.0f} s), per kind:\n")
    print(HEADER.format(label="kind"))
    for kind in MIX:
        if kind in overall.times:
            print(_row(kind, overall, kind))
    print(_row("**all**", overall))


def verdict(samples):
    times = samples.all_times()
    rate = samples.count() / samples.seconds
    p95 = _percentile(times, 0.95)
    errors = samples.error_count()
    met = rate >= TARGET_RATE and p95 <= TARGET_P95_MS and errors == 0
    print(
        f"\nTarget at {samples.users} users (>= {TARGET_RATE} req/s, p95 <= {TARGET_P95_MS} ms, "
        f"no errors): {'met' if met else 'NOT met'} ({rate:,.0f} req/s, p95 {p95:,.0f} ms, "
        f"{errors} errors)."
    )


def per_kind(port, mix, users, seconds, seed, meters):
    """Each kind of request alone: its latency and the CPU it costs, per request."""
    print(f"\nEach kind alone, {users} users, {seconds:g} s each: CPU ms a request\n")
    print(
        "| kind | req/s | p50 ms | p95 ms | errors | gunicorn CPU ms | PostgreSQL CPU ms | "
        "load generator CPU ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in MIX:
        samples = run_step("127.0.0.1", port, OneKind(mix, kind), users, seconds, seed, 0, meters)
        times = samples.all_times()
        count = samples.count()
        cost = {
            name: share * samples.seconds * 1000 / max(count, 1)
            for name, share in samples.cpu.items()
        }
        print(
            f"| {kind} | {count / samples.seconds:,.1f} | {_percentile(times, 0.5):,.0f} | "
            f"{_percentile(times, 0.95):,.0f} | {samples.error_count()} | "
            f"{cost['gunicorn']:.1f} | {cost.get('postgresql', math.nan):.1f} | "
            f"{cost['load generator']:.2f} |",
            flush=True,
        )


def cross_check(port, path, users, seconds, seed, meters):
    """The same URL driven by wrk and by this client."""
    print(f"\nCross-check on one URL, {users} connections, {seconds} s each: {path}\n")
    ours = run_step("127.0.0.1", port, SingleUrl("one", path), users, seconds, seed, 0, meters)
    times = ours.times.get("one", [])
    print("| client | req/s | p50 ms | p99 ms | errors | client CPU (cores) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| this script | {ours.count() / ours.seconds:,.1f} | {_percentile(times, 0.5):,.0f} | "
        f"{_percentile(times, 0.99):,.0f} | {ours.error_count()} | "
        f"{ours.cpu['load generator']:.2f} |"
    )
    wrk = shutil.which("wrk")
    if not wrk:
        print("| wrk | not installed (Debian package wrk) | | | | |")
        return
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{users}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            f"{TIMEOUT_SECONDS}s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / seconds
    figures = _wrk_figures(result.stdout)
    print(
        f"| wrk | {figures.get('rate', '?')} | {figures.get('50%', '?')} | "
        f"{figures.get('99%', '?')} | {figures.get('errors', 0)} | {used:.2f} |"
    )


def _wrk_figures(output):
    figures = {}
    for line in output.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "Requests/sec:":
            figures["rate"] = f"{float(parts[1]):,.1f}"
        elif parts[0] in ("50%", "99%") and len(parts) == 2:
            figures[parts[0]] = _milliseconds(parts[1])
        elif parts[0] == "Non-2xx":
            figures["errors"] = figures.get("errors", 0) + int(parts[-1])
        elif parts[0] == "Socket" and "errors:" in parts:
            figures["errors"] = figures.get("errors", 0) + sum(
                int(value.strip(",")) for value in parts[3::2]
            )
    return figures


def _milliseconds(value):
    for unit, factor in (("ms", 1), ("us", 0.001), ("s", 1000)):
        if value.endswith(unit):
            return f"{float(value[: -len(unit)]) * factor:,.0f}"
    return value


# Main


def run(args, database_url):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="kp-load-") as folder:
        environment = {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "false",
            "STATIC_ROOT": os.path.join(folder, "static"),
            "MEDIA_ROOT": os.path.join(folder, "media"),
            "LOG_FORMAT": "json",
        }
        catalogue, description, postgres_pid = prepare(args, database_url, environment)
        port = _free_port()
        log_path = os.path.join(folder, "gunicorn.log")
        started = time.perf_counter()
        server = start_gunicorn(args, port, environment, log_path)
        try:
            wait_until_ready(server, port, log_path)
            workers = len(_children(server.pid))
            _progress(f"gunicorn ready on port {port}, {workers} workers", started)
            meters = {
                "gunicorn": process_tree_meter(server.pid),
                "load generator": own_meter,
                "machine": machine_meter,
            }
            if postgres_pid:
                meters["postgresql"] = process_tree_meter(postgres_pid)
            print(describe(args, description, workers, cores), flush=True)
            mix = Mix(catalogue, args.popularity, args.seed)
            if args.warmup:
                started = time.perf_counter()
                warm = run_step("127.0.0.1", port, mix, max(args.users), args.warmup, -1, 0, meters)
                _progress(
                    f"Warm-up: {warm.count():,} requests, {warm.error_count()} errors", started
                )
            steps = []
            for users in args.users:
                started = time.perf_counter()
                samples = run_step(
                    "127.0.0.1", port, mix, users, args.duration, args.seed, args.think, meters
                )
                steps.append(samples)
                _progress(
                    f"{users} users: {samples.count() / samples.seconds:,.1f} req/s, p95 "
                    f"{_percentile(samples.all_times(), 0.95):,.0f} ms, "
                    f"{samples.error_count()} errors",
                    started,
                )
            report(steps, cores)
            verdict(steps[-1])
            if args.per_kind:
                per_kind(port, mix, args.per_kind_users, args.per_kind, args.seed, meters)
            if args.cross_check:
                slug = catalogue.slugs[len(catalogue.slugs) // 2]
                cross_check(
                    port,
                    f"/kaytannot/{quote(slug)}/",
                    max(args.users),
                    args.cross_check,
                    0,
                    meters,
                )
            restarted_ok = True
            if args.restart_database:
                restarted_ok = restart_under_load(
                    port,
                    mix,
                    max(args.users),
                    max(args.duration, 3 * args.restart_database),
                    args.restart_database,
                    database_url,
                    meters,
                    args.seed + 1,
                )
            print(f"\nLoad average after the run: {_load_average()}.")
        finally:
            stop(server)
        with open(log_path) as log:
            errors = [line for line in log if '"level": "ERROR"' in line]
        # The database restart's 503 answers are logged as errors, one each.
        outage = [line for line in errors if '"logger": "config.resilience"' in line]
        others = [line for line in errors if line not in outage]
        if outage:
            print(f"\ngunicorn logged {len(outage):,} answers 503 (the database was down).")
        if others:
            print(f"\ngunicorn logged {len(others)} other errors, e.g.: {others[0][:500]}")
    failed = any(samples.error_count() for samples in steps) or not restarted_ok
    return 1 if failed else 0


def describe(args, database, workers, cores):
    from importlib.metadata import version

    threads = args.threads or int(os.environ.get("GUNICORN_THREADS") or 4)
    think = f"think time {args.think:g} s on average" if args.think else "no think time"
    mix = ", ".join(f"{kind} {share}%" for kind, share in MIX.items())
    languages = ", ".join(f"{code} {share}%" for code, share in LANGUAGES)
    popularity = (
        f"Zipf popularity (exponent {args.popularity:g})"
        if args.popularity
        else "uniform popularity"
    )
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (
        f"Load test: {database}. gunicorn {version('gunicorn')} (config/gunicorn.conf.py), "
        f"{workers} workers x {threads} threads. Python {platform.python_version()}, {cores} "
        f"CPUs, load average {_load_average()}. {now}.\n"
        f"Closed-loop users, {think}, {args.duration:g} s a step after {args.warmup:g} s of "
        f"warm-up at {max(args.users)} users. Mix: {mix}; languages {languages}; "
        f"{popularity} of practices, search words and facet values."
        + (f" PostgreSQL: {', '.join(args.postgres_setting)}." if args.postgres_setting else "")
        + f" Page cache: {os.environ.get('PAGE_CACHE_URL') or 'locmem:// (each process its own)'}."
    )


def _load_average():
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cumulative(weights):
    total = 0
    for weight in weights:
        total += weight
        yield total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count", type=int, default=50000, help="Practices to generate (default: 50000)."
    )
    parser.add_argument(
        "--users",
        type=int,
        action="append",
        help="Concurrent users of a step; repeat for several steps (default: 8, 16, 32, 64).",
    )
    parser.add_argument(
        "--duration", type=float, default=30, help="Seconds a step lasts (default: 30)."
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=15,
        help="Seconds of unmeasured requests at the highest step first (default: 15).",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="Average seconds a user waits between answers, exponentially distributed "
        "(default: 0, none).",
    )
    parser.add_argument(
        "--cross-check",
        type=float,
        default=10,
        metavar="SECONDS",
        help="Seconds of the one-URL cross-check with wrk and this client (default: 10; 0: none).",
    )
    parser.add_argument(
        "--per-kind",
        type=float,
        default=0,
        metavar="SECONDS",
        help="Then run each kind of request alone this long, and print its CPU cost per "
        "request in gunicorn and PostgreSQL (default: 0, not).",
    )
    parser.add_argument(
        "--per-kind-users",
        type=int,
        default=16,
        help="Users of each --per-kind run (default: 16).",
    )
    parser.add_argument(
        "--postgres-setting",
        action="append",
        metavar="NAME=VALUE",
        help="A PostgreSQL setting for gunicorn's connections, e.g. "
        "max_parallel_workers_per_gather=0 (repeatable).",
    )
    parser.add_argument(
        "--popularity",
        type=float,
        default=0.0,
        metavar="S",
        help="Zipf exponent of how often each practice, search word and facet value is asked "
        "for (rank r with weight 1 / r**S, the ranks shuffled): 0 (default) is uniform, every "
        "practice as likely; about 1 is what web pages' popularity follows.",
    )
    parser.add_argument(
        "--restart-database",
        type=float,
        default=0,
        metavar="SECONDS",
        help="Afterwards, stop the database server for this long in the middle of a step at "
        "the highest number of users, and report the answers and the data (default: 0, not). "
        "Needs the server on this machine (pg_ctl).",
    )
    parser.add_argument("--workers", type=int, help="gunicorn worker processes.")
    parser.add_argument("--threads", type=int, help="Threads per gunicorn worker.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the data and the mix.")
    parser.add_argument(
        "--existing",
        metavar="URL",
        help="Serve this PostgreSQL database as it is (filled earlier), instead of a new one.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A short run: 2,000 practices, 5 s a step, 3 s of warm-up and cross-check.",
    )
    args = parser.parse_args()
    if args.quick:
        args.count, args.duration, args.warmup = min(args.count, 2000), 5, 3
        args.cross_check = min(args.cross_check, 3)
    args.users = args.users or list(DEFAULT_USERS)

    if args.existing:
        return run(args, args.existing)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        # A throwaway PostgreSQL cluster for this run.
        script = str(ROOT / "scripts" / "with-postgres")
        os.execv(script, [script, sys.executable, __file__, *sys.argv[1:]])

    import psycopg

    name = f"kp_load_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(args, urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
