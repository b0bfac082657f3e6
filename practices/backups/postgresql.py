"""PostgreSQL: dumps with pg_dump, restores with pg_restore and psql.

The programs are found on PATH or in `pg_config --bindir`, and reach the database of
DATABASES through the libpq environment variables (the password in PGPASSWORD, never on a
command line).
"""

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .common import MIGRATIONS_TABLE, BackupError, count_records, migration_state


def pg_program(name):
    """The path of a PostgreSQL client program: on PATH, else in `pg_config --bindir`."""
    found = shutil.which(name)
    if found:
        return found
    try:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        bindir = ""
    if bindir and os.access(Path(bindir) / name, os.X_OK):
        return str(Path(bindir) / name)
    raise BackupError(
        _(
            "%(program)s was not found: install the PostgreSQL client programs (Debian: "
            "postgresql-client) of the database server's major version or newer."
        )
        % {"program": name}
    )


def pg_major_version(program):
    """The major version of a client program: 15 for "pg_dump (PostgreSQL) 15.18"."""
    output = subprocess.run(
        [program, "--version"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"\)\s*(\d+)", output)
    return int(found.group(1)) if found else 0


# libpq connection parameters that DATABASES[...]["OPTIONS"] may hold, and their environment
# variables.
_LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


def pg_environment(settings_dict):
    """The environment for pg_dump, pg_restore and psql to reach the configured database.
    The password goes in PGPASSWORD, never on a command line (where `ps` shows it)."""
    environment = dict(os.environ)
    values = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    for option, variable in _LIBPQ_ENVIRONMENT.items():
        values[variable] = (settings_dict.get("OPTIONS") or {}).get(option)
    values["PGAPPNAME"] = "kaytantopankki-backup"
    for variable, value in values.items():
        if value not in (None, ""):
            environment[variable] = str(value)
    return environment


def _run(command, *, environment, what):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s failed (exit status %(status)s): %(error)s")
            % {"what": what, "status": result.returncode, "error": result.stderr.strip()}
        )
    return result


def dump(connection, destination):
    """pg_dump the database into destination; the counts, read in the dumped snapshot."""
    pg_dump = pg_program("pg_dump")
    client_major = pg_major_version(pg_dump)
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if client_major < server_major:
        raise BackupError(
            _(
                "%(program)s is version %(client)s but the database server is version "
                "%(server)s: install the PostgreSQL %(server)s client programs or newer."
            )
            % {"program": pg_dump, "client": client_major, "server": server_major}
        )
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One snapshot for the counts and the dump: the transaction stays open while
        # pg_dump reads the snapshot it exports.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_schema()")
        snapshot, schema = cursor.fetchone()

        def count_table(table):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            return cursor.fetchone()[0]

        counts = count_records(count_table)
        cursor.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE}")
        migrations = migration_state(cursor.fetchall())
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={destination}",
            ],
            environment=pg_environment(connection.settings_dict),
            what="pg_dump",
        )
    details = {
        "server_version": connection.pg_version,
        "pg_dump_version": client_major,
        "schema": schema,
    }
    return counts, migrations, details


# Opens the restore's transaction, and drops every table, view, sequence and function of the
# given schemas that no extension owns, so that the database holds exactly what the archive
# holds afterwards (also when it has tables of migrations newer than the archive).
_PRELUDE = """
BEGIN;
SELECT pg_catalog.set_config('search_path', '', false);
SET client_min_messages = warning;
{create_schemas}
DO $restore$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT format(
            'DROP %s IF EXISTS %I.%I CASCADE',
            CASE c.relkind
                WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE'
            END,
            n.nspname, c.relname)
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY (ARRAY[{schemas}])
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT EXISTS (
              SELECT FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relkind IN ('r', 'p') DESC, c.relname
    LOOP
        EXECUTE statement;
    END LOOP;
    FOR statement IN
        SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::pg_catalog.regprocedure)
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY (ARRAY[{schemas}])
          AND p.prokind IN ('f', 'p', 'w')
          AND NOT EXISTS (
              SELECT FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE statement;
    END LOOP;
END
$restore$;
"""

# Entries of the archive's table of contents left out of the restore: schemas (created by the
# prelude if missing) and comments on extensions and schemas, which only their owner may set.
_SKIPPED_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:SCHEMA|COMMENT - (?:EXTENSION|SCHEMA)) ")


def _sql_literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def restore(connection, unpacked, work_dir):
    """Replace the database with the unpacked archive's dump, in one transaction."""
    database = unpacked.manifest["database"]
    pg_restore = pg_program("pg_restore")
    psql = pg_program("psql")
    restore_major = pg_major_version(pg_restore)
    dump_major = database.get("pg_dump_version") or 0
    if restore_major < dump_major:
        raise BackupError(
            _(
                "The archive was made with pg_dump %(dump)s, but %(program)s is version "
                "%(restore)s: install the PostgreSQL %(dump)s client programs or newer."
            )
            % {"dump": dump_major, "program": pg_restore, "restore": restore_major}
        )
    environment = pg_environment(connection.settings_dict)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (current_schema,) = cursor.fetchone()
    server_version = connection.pg_version
    # Close this process's connection: the restore drops the tables it may have used.
    connection.close()

    listing = _run(
        [pg_restore, "--list", str(unpacked.dump)], environment=environment, what="pg_restore"
    ).stdout
    toc = work_dir / "restore.list"
    toc.write_text(
        "".join(
            (";" + line if _SKIPPED_TOC_ENTRY.match(line) else line)
            for line in listing.splitlines(keepends=True)
        )
    )
    schemas = sorted({database.get("schema") or "public", current_schema or "public"})
    prelude = work_dir / "restore-prelude.sql"
    prelude.write_text(
        _PRELUDE.format(
            schemas=", ".join(_sql_literal(schema) for schema in schemas),
            create_schemas="".join(
                f'CREATE SCHEMA IF NOT EXISTS "{schema.replace(chr(34), chr(34) * 2)}";\n'
                for schema in schemas
                if schema != "public"
            ),
        )
    )
    # pg_restore writes the SQL, psql runs the prelude and it in one transaction, committed
    # at the end: either the database is the archive's, or it is as it was.
    restore_errors = work_dir / "pg_restore.err"
    psql_errors = work_dir / "psql.err"
    with open(restore_errors, "wb") as errors, open(psql_errors, "wb") as runner_errors:
        reader = subprocess.Popen(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                f"--use-list={toc}",
                "--file=-",
                str(unpacked.dump),
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=environment,
        )
        runner = subprocess.Popen(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                f"--file={prelude}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=runner_errors,
            env=environment,
        )
        try:
            for line in reader.stdout:
                # pg_restore 17 and newer sets a parameter that older servers do not know.
                if server_version < 170000 and line.strip() == b"SET transaction_timeout = 0;":
                    continue
                runner.stdin.write(line)
            reader.stdout.close()
            reader_status = reader.wait()
            # Only a complete script is committed: without COMMIT, psql's session ends with
            # the transaction open, and the server rolls it back.
            if reader_status == 0:
                runner.stdin.write(b"\nCOMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error; its output says which
        finally:
            with contextlib.suppress(BrokenPipeError):
                runner.stdin.close()
            reader.stdout.close()
            reader_status = reader.wait()
            runner_status = runner.wait()
    if runner_status != 0 or reader_status != 0:
        message = (
            psql_errors.read_text(errors="replace").strip()
            or restore_errors.read_text(errors="replace").strip()
        )
        raise BackupError(
            _("Restoring the database failed, and it was left as it was: %(error)s")
            % {"error": message[-2000:]}
        )
    with connection.cursor() as cursor:
        # pg_restore leaves the planner without statistics.
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_catalog.pg_tables"
            " WHERE schemaname = ANY (%s) AND tableowner = current_user",
            [schemas],
        )
        for schema, table in cursor.fetchall():
            quote = connection.ops.quote_name
            cursor.execute(f"ANALYZE {quote(schema)}.{quote(table)}")
