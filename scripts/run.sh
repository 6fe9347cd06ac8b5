#!/usr/bin/env bash
# Runs the catalogue on http://127.0.0.1:8000 with the référentiels, roles and sample fiches loaded (again without
# change on later runs). Without DATABASE_URL, on the project's own PostgreSQL in .pgdata/ (scripts/postgres.sh),
# started here and stopped when this command ends; with it, on that database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
source scripts/postgres.sh
[ -n "${DATABASE_URL:-}" ] || pg_project_start
# Notification e-mails are written on this console unless EMAIL_URL or EMAIL_HOST names a server.
[ -n "${EMAIL_URL:-}${EMAIL_HOST:-}" ] || export EMAIL_URL=console://
python manage.py migrate --no-input
python manage.py load_referentiels
python manage.py create_roles
python manage.py import_fiches fixtures/fiches/
echo
echo "Catalogue : http://127.0.0.1:8000/   Administration : http://127.0.0.1:8000/admin/"
echo "Pour créer un compte administrateur (dans un autre terminal) : .venv/bin/python manage.py createsuperuser"
pg_serve python manage.py runserver 127.0.0.1:8000
