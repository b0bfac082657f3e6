#!/bin/sh
# Runs before the container's command (gunicorn, or e.g. `python manage.py db_worker`).
#   RUN_MIGRATIONS=true       apply the database migrations first (on one service only: two
#                             containers migrating at once get in each other's way)
#   LOAD_REFERENCE_DATA=true  then load the reference data (municipalities, regions, wellbeing
#                             services counties, themes, ...); running it again changes nothing.
#                             Follows RUN_MIGRATIONS when not set.
set -eu

case "${RUN_MIGRATIONS:-false}" in
    true | 1 | yes | on) migrate=true ;;
    *) migrate=false ;;
esac
case "${LOAD_REFERENCE_DATA:-$migrate}" in
    true | 1 | yes | on) reference=true ;;
    *) reference=false ;;
esac

if [ "$migrate" = true ]; then
    python manage.py migrate --no-input
fi
if [ "$reference" = true ]; then
    python manage.py load_reference_data
fi

exec "$@"
