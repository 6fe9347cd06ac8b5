#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into the PostgreSQL database named by DATABASE_URL, then checks it
# (README « Sauvegardes »). The database must exist (createdb); what it holds is replaced (pg_restore --clean),
# in a single transaction: a restore that fails leaves the database as it was.
# Usage: DATABASE_URL=postgres://… bash scripts/restore.sh backups/fcsf-20260101-120000.dump
# Exit code: 0 restored and identical to the backup's checksum, 1 restored but different, 2 restore failed.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL doit désigner la base où restaurer (postgres://…)}"
dump=${1:?Usage : bash scripts/restore.sh FICHIER.dump}
[ -f "$dump" ] || { echo "$dump : fichier introuvable." >&2; exit 2; }
pg_restore=${PGBIN:+$PGBIN/}pg_restore
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-fcsf_actions.settings.base}

if ! "$pg_restore" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$dump"; then
  echo "Restauration refusée par PostgreSQL : la base n’a pas changé." >&2
  exit 2
fi
expected=${dump%.dump}.empreinte
if [ ! -f "$expected" ]; then
  echo "Restauré. Pas de fichier $expected à comparer."
  exit 0
fi
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
.venv/bin/python manage.py catalogue_checksum >"$actual"
if diff -u "$expected" "$actual"; then
  echo "Restauré et vérifié : le catalogue est identique à la sauvegarde."
else
  echo "Restauré, mais le catalogue diffère de la sauvegarde (différences ci-dessus)." >&2
  exit 1
fi
