#!/usr/bin/env bash
# schemathesis against a live server: a throwaway PostgreSQL, the référentiels and the sample fiches, the bulk
# files, `manage.py runserver` with the rate limit off, then `st run` with every check on the served OpenAPI
# document. Usage: bash bench/schemathesis_live.sh [MAX_EXAMPLES per operation, default 300]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
source scripts/postgres.sh
examples=${1:-300}
data=$(mktemp -d /tmp/fcsf-st.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
port=$(pg_free_port)
web=$(pg_free_port)
pg_cluster_init "$data/pg"
pg_cluster_start "$data/pg" "$port"
server=
cleanup() {
  local status=$?
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  pg_cluster_stop "$data/pg" fast || true
  rm -rf "$data"
  exit "$status"
}
trap cleanup EXIT
"${pg_as[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres fcsf
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/fcsf" RATELIMIT_ENABLED=0 OPENDATA_ROOT="$data/donnees"
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.dev
python manage.py migrate --no-input -v 0
python manage.py import_fiches fixtures/fiches/ >/dev/null
python manage.py publish_open_data
python manage.py runserver --noreload "127.0.0.1:$web" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$web/api/" >/dev/null && break; sleep 0.2; done
st run "http://127.0.0.1:$web/api/openapi.json" --checks all --max-examples "$examples" --workers 1
