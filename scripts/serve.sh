#!/usr/bin/env bash
# Serves the catalogue as in production: DEBUG off, static files collected (hashed, compressed, cached for a
# year by whitenoise), gunicorn with several workers. The environment gives the rest (README « Mise en production »):
#   DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, CACHE_URL, BIND, WEB_CONCURRENCY…
# Without DATABASE_URL, on the project's own PostgreSQL in .pgdata/ (that of make run), stopped with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.base DEBUG=0
source scripts/postgres.sh
[ -n "${DATABASE_URL:-}" ] || pg_project_start
python manage.py collectstatic --no-input -v0
python manage.py migrate --no-input -v0
pg_serve gunicorn -c gunicorn.conf.py
