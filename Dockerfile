# syntax=docker/dockerfile:1
# Käytäntöpankki: one image for the web servers (gunicorn, the default command) and the
# background worker (`python manage.py db_worker`). docs/deployment.md describes how to run it;
# compose.yaml runs it with PostgreSQL.
#
# Debian bookworm brings the PostgreSQL 15 client programs, which back up and restore a
# PostgreSQL 15 server (compose.yaml's). For a newer server, build on an image whose client
# programs are at least as new, e.g.
#   docker build --build-arg PYTHON_IMAGE=python:3.13-slim-trixie .   (PostgreSQL 17 client)
ARG PYTHON_IMAGE=python:3.13-slim-bookworm

# --- Build: the Python packages, compiled translations, collected static files ------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

# gettext's msgfmt compiles the translations; only the build needs it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
WORKDIR /app

# The pinned dependencies of pyproject.toml first, in a layer that a change of the code does
# not rebuild. The project itself is no package (the code runs from /app): installing it
# installs its dependencies.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Production settings need SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS to load. These values
# exist only while this step runs: nothing here connects to a database, and the key is random
# and thrown away.
RUN export DEBUG=false \
        SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        ALLOWED_HOSTS=build.invalid \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --no-input -v 0 \
    && python -m compileall -q /app

# --- Runtime ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

# libvoikko1 + voikko-fi: base forms and compound parts of Finnish words for the search
# (without them it falls back to Snowball stems). postgresql-client: pg_dump, pg_restore and
# psql for `manage.py backup_site` and `restore_site`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libvoikko1 voikko-fi postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 kaytantopankki \
    && useradd --system --uid 10001 --gid kaytantopankki --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin kaytantopankki

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# The uploads and the backups are written by the application's user (mount volumes here).
RUN install -d -o kaytantopankki -g kaytantopankki -m 0750 /app/media /app/backups

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

WORKDIR /app
USER kaytantopankki
EXPOSE 8000

# /healthz answers while the process does (it does not touch the database).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.conf.py"]
