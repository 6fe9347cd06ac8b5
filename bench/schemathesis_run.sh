#!/usr/bin/env bash
# schemathesis against the live API: every check, valid and invalid requests generated from /api/openapi.json,
# sent to gunicorn on 127.0.0.1 (rate limit off), on a throwaway PostgreSQL cluster holding the real sample
# (fixtures/fiches) and the tests' catalogue (tests/api/catalogue.py: drafts and submitted actions that must
# never show). gunicorn's limit on the length of the request line is lifted (see below). Stops at the end, also on failure; prints schemathesis' summary (number of generated cases,
# failures) and exits with its code.
#
#   bash bench/schemathesis_run.sh                       # 400 cases at most per operation and phase
#   MAX_EXAMPLES=1000 SEED=7 bash bench/schemathesis_run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES=${MAX_EXAMPLES:-400}
SEED=${SEED:-20}
WORKERS=${WORKERS:-2}
export PATH="$PWD/.venv/bin:$PATH"
work=$(mktemp -d /tmp/fcsf-schemathesis.XXXXXX)
chmod 755 "$work"

source scripts/postgres.sh
PGDATA=$work/pg
PGPORT=$(pg_free_port)
PORT=$(pg_free_port)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  pg_cluster_stop "$PGDATA" immediate
  rm -rf "$work"
}
trap cleanup EXIT
pg_cluster_init "$PGDATA" --no-sync
pg_cluster_start "$PGDATA" "$PGPORT" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres fcsf

export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/fcsf
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.base DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')}
export STATIC_ROOT=$work/static BIND=127.0.0.1:$PORT ACCESS_LOG= RATELIMIT_ENABLED=0 SECURE_SSL_REDIRECT=0
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
python manage.py migrate --no-input -v0
python manage.py collectstatic --no-input -v0
python manage.py import_fiches fixtures/fiches/actions-export-1.txt >"$work/import.log" 2>&1 || {
  cat "$work/import.log" >&2
  exit 1
}
python - <<'PY'
import django

django.setup()
from actions.models import Action
from tests.api.catalogue import build_catalogue

build_catalogue()
published = Action.objects.published().count()
print(f"Catalogue : {published} actions publiées sur {Action.objects.count()}.")
PY

# gunicorn's own limit on the request line (4,094 bytes) lifted: generated queries go beyond it, and gunicorn's
# 414 never reaches the application (in production the front server has its limit too, 8 KiB for nginx).
# What is tested is the application's answer to any query.
GUNICORN_CMD_ARGS="--limit-request-line 0" gunicorn -c gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/" 2>/dev/null && break; sleep 0.2; done

echo "schemathesis $(python -c 'import schemathesis; print(schemathesis.__version__)') contre http://127.0.0.1:$PORT/api/ :" \
  "toutes les vérifications, $MAX_EXAMPLES cas au plus par opération et par phase, graine $SEED"
status=0
# From the work folder: schemathesis keeps a cache of the failures it found in .schemathesis/ of the current one.
(cd "$work" && schemathesis run "http://127.0.0.1:$PORT/api/openapi.json" \
  --checks all --mode all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers "$WORKERS" \
  --generation-database none --no-color --request-timeout 30 --suppress-health-check all \
  --report junit --report-junit-path "$work/junit.xml") || status=$?
python - "$work/junit.xml" <<'PY' || true
import sys
import xml.etree.ElementTree as ET

suites = ET.parse(sys.argv[1]).getroot()
print("JUnit :", {key: suites.get(key) for key in ("tests", "failures", "errors", "time")})
PY
if grep -q "Traceback\|Internal Server Error" "$work/gunicorn.log"; then
  echo "Erreurs dans le journal du serveur :" >&2
  grep -B2 -A20 "Traceback" "$work/gunicorn.log" | head -80 >&2
  status=1
fi
exit "$status"
