#!/usr/bin/env bash
# Runs the catalogue on http://127.0.0.1:8000 with the sample fiches loaded (SQLite unless DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
# Notification e-mails are written on this console unless EMAIL_URL or EMAIL_HOST names a server.
[ -n "${EMAIL_URL:-}${EMAIL_HOST:-}" ] || export EMAIL_URL=console://
python manage.py migrate --no-input
python manage.py load_referentiels
python manage.py create_roles
if python manage.py help import_fiches >/dev/null 2>&1; then
  python manage.py import_fiches fixtures/fiches/
fi
echo
echo "Catalogue : http://127.0.0.1:8000/   Administration : http://127.0.0.1:8000/admin/"
echo "Pour créer un compte administrateur : .venv/bin/python manage.py createsuperuser"
exec python manage.py runserver 127.0.0.1:8000
