#!/usr/bin/env bash
# Backs up the PostgreSQL database named by DATABASE_URL into a folder (README « Sauvegardes »):
#   NAME.dump        pg_dump custom format: everything (catalogue, accounts, history, sessions); restore.sh reads it
#   NAME.jsonl       the catalogue alone, without accounts or history: manage.py import_catalogue reads it into any
#                    instance (another server, another PostgreSQL version, a copy to share or test with)
#   NAME.empreinte   the catalogue's rows and checksum per table, to check a restore against
# Usage: DATABASE_URL=postgres://… bash scripts/backup.sh [FOLDER]     (default: backups/)
# Each file is written under a temporary name and renamed once complete: an interrupted backup leaves no file
# that looks whole. PGBIN may name the folder of pg_dump (default: the one on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL doit désigner la base à sauvegarder (postgres://…)}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "DATABASE_URL n’est pas une base PostgreSQL (postgres://…)." >&2; exit 2 ;;
esac
folder=${1:-backups}
mkdir -p "$folder"
name="$folder/fcsf-$(date +%Y%m%d-%H%M%S)"
pg_dump=${PGBIN:+$PGBIN/}pg_dump
python=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-fcsf_actions.settings.base}

trap 'rm -f "$name.dump.partiel" "$name.empreinte.partiel"' EXIT
"$pg_dump" --format=custom --no-owner --no-privileges --file="$name.dump.partiel" "$DATABASE_URL"
mv "$name.dump.partiel" "$name.dump"
"$python" manage.py export_catalogue "$name.jsonl" >/dev/null
"$python" manage.py catalogue_checksum >"$name.empreinte.partiel"
mv "$name.empreinte.partiel" "$name.empreinte"
echo "Sauvegarde écrite : $name.dump, $name.jsonl, $name.empreinte"
