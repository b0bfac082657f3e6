"""Time the spreadsheet import of practices on throwaway databases, beside
django-import-export's default row-by-row configuration, and print the figures.

    .venv/bin/python benchmarks/import.py                       # 10,000 rows, SQLite
    .venv/bin/python benchmarks/import.py --rows 1000 --skip-baseline
    scripts/with-postgres .venv/bin/python benchmarks/import.py # SQLite and PostgreSQL

The file: an Excel workbook under the import template's headings, every column filled the way
staff fill it in. Texts come from generate_practices' phrase banks (a name, a short
description and nine sections: about 3,000 characters a row); each row has 1-3 themes, 1-3
target groups, 0-2 funders (with a funding programme for the EU recovery funding), 1-3
municipalities with their regions and wellbeing services counties, 1-3 organisations (the
municipalities' and counties' own, named as generate_practices names them), 1-3 contacts
written ``Name (Title) <email>`` (the same people turn up on many rows), a start year, a
source, a status and a language; one row in four names a collection (kokonaisuus). Every
row has an identifier (Tunniste), which the baseline needs to find the practice again. All
names are those of load_reference_data, so every row is valid; the file is written once per
run (same --seed, same file) and imported into every database.

Each database starts fresh: migrations, load_reference_data and one staff user, nothing else
(a new SQLite file in a temporary folder and, when DATABASE_URL points at PostgreSQL, a new
database created on that server and dropped afterwards; the database DATABASE_URL names is
never written to). The baseline gets its own copy of that fresh database (a copy of the
SQLite file; CREATE DATABASE … TEMPLATE on PostgreSQL). Each import runs in a process of its
own with DEBUG off, and that process reports its peak resident memory (getrusage
ru_maxrss): the whole process, Python, Django and openpyxl included, so that the figure is
what a worker running the import would need.

Measured:

- ours: read_table (the file's checks and reading), plan_import (every row interpreted,
  matched and compared) and apply_import (as a real user: practices, organisations,
  collections, contacts, many-to-many rows, organisation roles, edit history, search index);
  then the same file imported again (it must come out all unchanged and write nothing);
- baseline: a plain ``import_export.resources.ModelResource`` for Practice, each column
  mapped to its Finnish heading with the library's default widgets (ForeignKeyWidget for the
  stage by Finnish name, ManyToManyWidget(field="name_fi", separator=";") for themes, target
  groups, funders, municipalities, regions and counties), use_bulk off, the file read with
  the library's XLSX format, then ``resource.import_data(dataset, dry_run=False)``. Columns
  its default widgets cannot express are left out: organisations (a through model with
  roles), contacts (a through model, and contacts to create), the collection (to create) and
  the status (Finnish words). It also writes no edit history. The baseline therefore does
  less than ours, and the ratio is conservative. The site's signals re-index each practice
  it saves when the transaction commits; that time is shown on its own.
"""

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, server_version, setup_django

FILE_NAME = "practices.xlsx"
USERNAME = "tuoja"

# People who are contacts for several practices: (first names, last names, titles).
FIRST_NAMES = [
    "Aino",
    "Anna",
    "Antti",
    "Eero",
    "Elina",
    "Hanna",
    "Heikki",
    "Jari",
    "Johanna",
    "Juha",
    "Kaisa",
    "Kari",
    "Katja",
    "Laura",
    "Leena",
    "Liisa",
    "Marja",
    "Markku",
    "Matti",
    "Mika",
    "Minna",
    "Niina",
    "Outi",
    "Paula",
    "Pekka",
    "Petri",
    "Riikka",
    "Sari",
    "Satu",
    "Taru",
    "Timo",
    "Tuula",
    "Ville",
]
LAST_NAMES = [
    "Aalto",
    "Heikkinen",
    "Hämäläinen",
    "Järvinen",
    "Karjalainen",
    "Koskinen",
    "Korhonen",
    "Laine",
    "Lehtonen",
    "Leinonen",
    "Mäkelä",
    "Mäkinen",
    "Nieminen",
    "Ojala",
    "Rahkama",
    "Saarinen",
    "Salminen",
    "Turunen",
    "Virtanen",
]
TITLES = (
    "Asiakkuuspäällikkö",
    "Kehittämiskoordinaattori",
    "Projektipäällikkö",
    "Palveluesihenkilö",
    "Sosiaaliohjaaja",
    "Terveydenhoitaja",
    "Hyvinvointikoordinaattori",
    "Erityisasiantuntija",
)
COLLECTIONS = (
    "Tulevaisuuden sosiaali- ja terveyskeskus",
    "Lapsi- ja perhepalveluiden muutosohjelma",
    "Kestävän kasvun Suomi",
    "Hyvinvoinnin ja terveyden edistämisen verkosto",
    "Ikäohjelma",
    "Mielenterveysstrategia",
)
STATUSES = ("Luonnos", "Luonnos", "Tarkastettavana", "Julkaistu", "Julkaistu", "Arkistoitu")


def _ascii(text):
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def build_file(path, rows, seed):
    """Write a workbook of `rows` valid practices to `path` (Django set up, reference data
    loaded)."""
    from django.utils.text import slugify

    from organisations.models import Municipality, WellbeingServicesCounty
    from practices.management.commands.generate_practices import (
        GENERIC_GROUP,
        GROUP_FORMS,
        RRP_PROGRAMMES,
        TextComposer,
        municipal_organisation_name,
    )
    from practices.models import DevelopmentStage, Funder, TargetGroup, Theme
    from practices.spreadsheets.export import write_xlsx
    from practices.spreadsheets.reading import HEADINGS

    rng = random.Random(seed)
    text = TextComposer(rng)
    municipalities = list(
        Municipality.objects.order_by("code").values(
            "name_fi", "region__name_fi", "wellbeing_county_id", "wellbeing_county__name_fi"
        )
    )
    by_county = {}
    for municipality in municipalities:
        by_county.setdefault(municipality["wellbeing_county_id"], []).append(municipality)
    county_kinds = dict(WellbeingServicesCounty.objects.values_list("pk", "kind"))
    stages = list(DevelopmentStage.objects.values_list("name_fi", flat=True))
    themes = list(Theme.objects.values_list("slug", "name_fi"))
    groups = list(TargetGroup.objects.values_list("slug", "name_fi"))
    funders = list(Funder.objects.values_list("slug", "name_fi"))
    domains = [f"{_ascii(m['name_fi'])}.fi" for m in municipalities]
    people = [
        (f"{first} {last}", rng.choice(TITLES), rng.choice(domains))
        for first in FIRST_NAMES
        for last in rng.sample(LAST_NAMES, 6)
    ]

    table = []
    slugs = set()
    for _number in range(rows):
        home = rng.choice(municipalities)
        chosen = [home]
        neighbours = [m for m in by_county.get(home["wellbeing_county_id"], []) if m is not home]
        if neighbours:
            chosen += rng.sample(neighbours, min(len(neighbours), rng.choice((0, 0, 1, 2))))
        organisations = [municipal_organisation_name(m["name_fi"]) for m in chosen]
        county = home["wellbeing_county__name_fi"]
        if county and county_kinds[home["wellbeing_county_id"]] == "county" and rng.random() < 0.4:
            organisations.insert(0, county)
        organisations = organisations[:3]

        picked_themes = rng.sample(themes, rng.choice((1, 2, 2, 3)))
        picked_groups = rng.sample(groups, rng.choice((1, 1, 2, 3)))
        picked_funders = rng.sample(funders, rng.choice((0, 1, 1, 2)))
        forms = [GROUP_FORMS.get(slug, GENERIC_GROUP) for slug, _name in picked_groups]
        start_year = rng.randint(2010, 2025)
        texts = text.practice_texts(
            [slug for slug, _name in picked_themes], forms, organisations, start_year
        )
        name = text.name(forms[0])
        slug = base = slugify(name)[:240]
        count = 2
        while slug in slugs:
            slug = f"{base}-{count}"
            count += 1
        slugs.add(slug)
        contacts = []
        for person, title, domain in rng.sample(people, rng.choice((1, 1, 2, 3))):
            first, last = person.split(" ", 1)
            email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
            contacts.append(f"{person} ({title}) <{email}>")
        programme = ""
        if any(slug == "eu-rrp" for slug, _name in picked_funders):
            programme = rng.choice(RRP_PROGRAMMES)
        source = rng.choice(
            (f"https://www.{domains[municipalities.index(home)]}/", "Innokylä", "THL:n raportti")
        )
        cells = {
            "identifier": slug,
            "name": name,
            **{key.removesuffix("_fi"): value for key, value in texts.items()},
            "stage": rng.choice(stages),
            "target_groups": "; ".join(name for _slug, name in picked_groups),
            "themes": "; ".join(name for _slug, name in picked_themes),
            "funders": "; ".join(name for _slug, name in picked_funders),
            "funding_programme": programme,
            "organisations": "; ".join(organisations),
            "municipalities": "; ".join(m["name_fi"] for m in chosen),
            "regions": "; ".join(dict.fromkeys(m["region__name_fi"] for m in chosen)),
            "wellbeing_counties": "; ".join(
                dict.fromkeys(
                    m["wellbeing_county__name_fi"] for m in chosen if m["wellbeing_county_id"]
                )
            ),
            "collection": rng.choice(COLLECTIONS) if rng.random() < 0.25 else "",
            "contacts": "; ".join(contacts),
            "start_year": str(start_year),
            "source": source,
            "status": rng.choice(STATUSES),
            "content_language": "fi",
        }
        table.append([cells[key] for key in HEADINGS])
    write_xlsx(table, str(path))


# --- The measured imports (each in a process of its own) -------------------------------------


def _peak_mb():
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _current_mb():
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


class _IndexTimer:
    """Adds up the time spent in practices.search.index_practices (called by apply_import and
    by the signals' on-commit re-indexing)."""

    def __init__(self):
        import practices.search

        self.seconds = 0.0
        self.calls = 0
        self.module = practices.search
        self.original = practices.search.index_practices

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        practices.search.index_practices = timed

    def reset(self):
        self.seconds, self.calls = 0.0, 0


def _written_rows():
    from django.contrib.admin.models import LogEntry

    from contacts.models import Contact
    from organisations.models import Organisation
    from practices.models import Collection, Practice, PracticeContact, PracticeOrganisation

    counts = {
        "practices": Practice.objects.count(),
        "many-to-many": sum(
            getattr(Practice, name).through.objects.count()
            for name in (
                "themes",
                "target_groups",
                "funders",
                "municipalities",
                "regions",
                "wellbeing_counties",
            )
        ),
        "organisations": Organisation.objects.count(),
        "roles": PracticeOrganisation.objects.count(),
        "contacts": Contact.objects.count(),
        "contact links": PracticeContact.objects.count(),
        "collections": Collection.objects.count(),
        "history": LogEntry.objects.count(),
    }
    return counts


def child_prepare(args):
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    get_user_model().objects.create_user(
        USERNAME, "tuoja@example.fi", "a-long-password-1", is_staff=True
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    path = Path(args.file)
    if not path.exists():
        started = time.perf_counter()
        build_file(path, args.rows, args.seed)
        print(
            f"  wrote {path.name}: {args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB, "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    print(json.dumps({"version": server_version(connection)}))


def child_ours(args):
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from practices.spreadsheets.importing import apply_import, plan_import
    from practices.spreadsheets.reading import read_table

    user = get_user_model().objects.get(username=USERNAME)
    indexing = _IndexTimer()
    before_mb = _current_mb()

    def run():
        times = {}
        started = time.perf_counter()
        with open(args.file, "rb") as file:
            table = read_table(file, filename=FILE_NAME)
        times["read"] = time.perf_counter() - started
        if not table.is_valid:
            sys.exit(f"read_table: {[str(error) for error in table.errors[:5]]}")
        started = time.perf_counter()
        plan = plan_import(table)
        times["plan"] = time.perf_counter() - started
        if not plan.is_valid:
            sys.exit(f"plan_import: {[(e.row, e.column, str(e)) for e in plan.errors[:5]]}")
        started = time.perf_counter()
        result = apply_import(plan, user=user)
        times["apply"] = time.perf_counter() - started
        times["total"] = times["read"] + times["plan"] + times["apply"]
        return times, plan, result

    times, plan, result = run()
    if not result.applied or result.created != args.rows:
        sys.exit(f"apply_import created {result.created} of {args.rows}")
    report = {
        "first": times,
        "indexing": indexing.seconds,
        "peak_mb": _peak_mb(),
        "before_mb": before_mb,
        "written": _written_rows(),
    }
    del plan, result

    indexing.reset()
    with CaptureQueriesContext(connection) as captured:
        times, plan, result = run()
    if len(plan.unchanged) != args.rows:
        sys.exit(f"re-import: {len(plan.new)} new, {len(plan.updated)} updated")
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    if writes:
        sys.exit(f"re-import wrote: {writes[:3]}")
    report["again"] = times
    report["again_queries"] = len(captured.captured_queries)
    report["again_written"] = _written_rows()
    report["peak_mb_after_again"] = _peak_mb()
    print(json.dumps(report))


def baseline_resource():
    from import_export import fields, resources, widgets

    from organisations.models import Municipality, Region, WellbeingServicesCounty
    from practices.models import DevelopmentStage, Funder, Practice, TargetGroup, Theme
    from practices.spreadsheets.reading import HEADINGS

    def text(key, attribute=None):
        # The widget ModelResource picks for a CharField or TextField with blank=True.
        return fields.Field(
            attribute=attribute or f"{key}_fi",
            column_name=HEADINGS[key],
            widget=widgets.CharWidget(allow_blank=True),
        )

    def many(key, model):
        return fields.Field(
            attribute=key,
            column_name=HEADINGS[key],
            widget=widgets.ManyToManyWidget(model, field="name_fi", separator=";"),
        )

    class PracticeResource(resources.ModelResource):
        slug = fields.Field(attribute="slug", column_name=HEADINGS["identifier"])
        name = text("name")
        summary = text("summary")
        need_and_goals = text("need_and_goals")
        target_change = text("target_change")
        target_group_description = text("target_group_description")
        solution = text("solution")
        results = text("results")
        evaluation = text("evaluation")
        adoption_conditions = text("adoption_conditions")
        tips_for_adopters = text("tips_for_adopters")
        resources_and_costs = text("resources_and_costs")
        stage = fields.Field(
            attribute="stage",
            column_name=HEADINGS["stage"],
            widget=widgets.ForeignKeyWidget(DevelopmentStage, field="name_fi"),
        )
        target_groups = many("target_groups", TargetGroup)
        themes = many("themes", Theme)
        funders = many("funders", Funder)
        funding_programme = text("funding_programme", "funding_programme")
        municipalities = many("municipalities", Municipality)
        regions = many("regions", Region)
        wellbeing_counties = many("wellbeing_counties", WellbeingServicesCounty)
        start_year = fields.Field(
            attribute="start_year",
            column_name=HEADINGS["start_year"],
            widget=widgets.IntegerWidget(),
        )
        source_name = text("source", "source_name")
        content_language = text("content_language", "content_language")

        class Meta:
            model = Practice
            import_id_fields = ("slug",)
            fields = (
                "slug",
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
                "stage",
                "target_groups",
                "themes",
                "funders",
                "funding_programme",
                "municipalities",
                "regions",
                "wellbeing_counties",
                "start_year",
                "source_name",
                "content_language",
            )

    return PracticeResource()


def child_baseline(args):
    setup_django(args.database_url)
    from import_export.formats.base_formats import XLSX

    from practices.models import Practice

    indexing = _IndexTimer()
    before_mb = _current_mb()
    times = {}
    started = time.perf_counter()
    with open(args.file, "rb") as file:
        dataset = XLSX().create_dataset(file.read())
    times["read"] = time.perf_counter() - started
    resource_ = baseline_resource()
    started = time.perf_counter()
    result = resource_.import_data(dataset, dry_run=False)
    times["import"] = time.perf_counter() - started
    times["total"] = times["read"] + times["import"]
    if result.has_errors() or result.has_validation_errors():
        errors = [str(error.error) for error in result.base_errors[:3]]
        for line, row_errors in result.row_errors()[:3]:
            errors.append(f"{line}: {row_errors[0].error!r}")
        sys.exit(f"baseline import failed: {errors}")
    if Practice.objects.count() != args.rows:
        sys.exit(f"baseline created {Practice.objects.count()} of {args.rows}")
    print(
        json.dumps(
            {
                "times": times,
                "indexing": indexing.seconds,
                "indexing_calls": indexing.calls,
                "peak_mb": _peak_mb(),
                "before_mb": before_mb,
                "written": _written_rows(),
            }
        )
    )


# --- Driving it -------------------------------------------------------------------------------


def _child(mode, database_url, args):
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--database-url",
        database_url,
        "--rows",
        str(args.rows),
        "--seed",
        str(args.seed),
        "--file",
        str(args.file),
    ]
    result = subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"{mode} on {urlsplit(database_url).scheme} failed.")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _measure(label, ours_url, baseline_url, copy, args):
    print(f"{label}: preparing a fresh database", file=sys.stderr)
    version = _child("prepare", ours_url, args)["version"]
    copy()
    print(f"{label}: our import", file=sys.stderr)
    ours = _child("ours", ours_url, args)
    baseline = None
    if not args.skip_baseline:
        print(f"{label}: django-import-export's default configuration", file=sys.stderr)
        baseline = _child("baseline", baseline_url, args)
    return {"label": f"{label} {version}", "ours": ours, "baseline": baseline}


def _report(results, args):
    print(f"\n{args.rows:,} rows. Seconds; memory is the import process's peak RSS in MB.")
    print(
        "committed: read + plan + apply without the search index update, which apply_import "
        "runs after the import's transaction has committed."
    )
    header = (
        f"{'database':<16} {'read':>6} {'plan':>6} {'apply':>6} {'(index)':>8} {'committed':>9} "
        f"{'total':>7} "
        f"{'peak MB':>8} {'again':>6} {'again SQL':>9} {'baseline':>9} {'(index)':>8} "
        f"{'base MB':>8} {'x':>6} {'x w/o index':>11}"
    )
    print(header)
    for result in results:
        ours, baseline = result["ours"], result["baseline"]
        first, again = ours["first"], ours["again"]
        line = (
            f"{result['label']:<16} {first['read']:>6.1f} {first['plan']:>6.1f} "
            f"{first['apply']:>6.1f} {ours['indexing']:>8.1f} "
            f"{first['total'] - ours['indexing']:>9.1f} {first['total']:>7.1f} "
            f"{ours['peak_mb']:>8.0f} {again['total']:>6.1f} {ours['again_queries']:>9}"
        )
        if baseline:
            total = baseline["times"]["total"]
            line += (
                f" {total:>9.1f} {baseline['indexing']:>8.1f} {baseline['peak_mb']:>8.0f}"
                f" {total / first['total']:>6.1f}"
                f" {(total - baseline['indexing']) / first['total']:>11.1f}"
            )
        print(line)
    print("\nRows in the database after the first import (ours; baseline):")
    for result in results:
        ours, baseline = result["ours"], result["baseline"]
        written = ", ".join(f"{key} {value:,}" for key, value in ours["written"].items())
        print(f"  {result['label']}: {written}")
        if baseline:
            written = ", ".join(f"{key} {value:,}" for key, value in baseline["written"].items())
            print(f"  {result['label']} baseline: {written}")
        print(
            f"  {result['label']}: RSS before reading the file {ours['before_mb']:.0f} MB; "
            f"re-import: read {ours['again']['read']:.1f} s, plan {ours['again']['plan']:.1f} "
            f"s, apply {ours['again']['apply']:.2f} s, nothing written"
        )
        if baseline:
            print(
                f"  {result['label']} baseline: read {baseline['times']['read']:.1f} s, "
                f"import_data {baseline['times']['import']:.1f} s, of which re-indexing on "
                f"commit {baseline['indexing']:.1f} s in {baseline['indexing_calls']:,} calls"
            )
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10000, help="Rows in the file (10000).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the file's contents (1).")
    parser.add_argument(
        "--skip-baseline",
        action="store_true",
        help="Do not run django-import-export's default configuration.",
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="Only PostgreSQL.")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the temporary folder (the workbook and the SQLite databases).",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        {"prepare": child_prepare, "ours": child_ours, "baseline": child_baseline}[args.child](args)
        return

    server_url = os.environ.get("DATABASE_URL", "")
    postgres = server_url.startswith(("postgres://", "postgresql://"))
    memory = ""
    if hasattr(os, "sysconf"):
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Import benchmark: {args.rows:,} rows (seed {args.seed}). Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs{memory}, load average {load}. "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        flush=True,
    )
    folder = tempfile.mkdtemp(prefix="kp-import-bench-")
    args.file = Path(folder) / FILE_NAME
    results = []
    try:
        if not args.skip_sqlite:
            ours_path, baseline_path = Path(folder) / "ours.sqlite3", Path(folder) / "base.sqlite3"
            results.append(
                _measure(
                    "SQLite",
                    f"sqlite:///{ours_path}",
                    f"sqlite:///{baseline_path}",
                    lambda: shutil.copyfile(ours_path, baseline_path),
                    args,
                )
            )
        if postgres:
            import psycopg

            ours_name = f"kp_import_bench_{os.getpid()}"
            baseline_name = f"{ours_name}_baseline"

            def url(name):
                return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))

            def copy():
                with psycopg.connect(server_url, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{baseline_name}" TEMPLATE "{ours_name}"')

            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{ours_name}"')
            try:
                results.append(
                    _measure("PostgreSQL", url(ours_name), url(baseline_name), copy, args)
                )
            finally:
                with psycopg.connect(server_url, autocommit=True) as admin:
                    for name in (ours_name, baseline_name):
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"Load average after: {load}", file=sys.stderr)
        _report(results, args)
    finally:
        if args.keep:
            print(f"Kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
