#!/usr/bin/env bash
# The whole test suite: quality gate, then pytest on SQLite and on a throwaway PostgreSQL 15 cluster, side by side.
# Extra arguments go to pytest (e.g. scripts/test.sh -k import -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.test
unset DATABASE_URL

failed=()
step() {
  local name=$1
  shift
  echo
  echo "━━ $name"
  if "$@"; then echo "━━ $name : OK"; else echo "━━ $name : ÉCHEC"; failed+=("$name"); fi
}

step "ruff check" ruff check .
step "ruff format --check" ruff format --check .
step "makemigrations --check" python manage.py makemigrations --check --dry-run

# The two databases' passes run at the same time: each spends much of its time waiting (on its database, a browser,
# a server it started), so together they take little more than the longer one. The SQLite pass's output is shown
# once it has ended, after the PostgreSQL pass's.
# FCSF_SQLITE_PASS=0 skips the SQLite pass (while several changes are tested side by side on two cores).
sqlite_log=$(mktemp /tmp/fcsf-sqlite-pass.XXXXXX)
if [ "${FCSF_SQLITE_PASS:-1}" = 0 ]; then : >"$sqlite_log"; sleep 0 & else pytest "$@" >"$sqlite_log" 2>&1 & fi
sqlite_pid=$!

# PostgreSQL refuses to run as root: run its binaries as the postgres user when we are root.
PGBIN=/usr/lib/postgresql/15/bin
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
PGDATA=$(mktemp -d /tmp/fcsf-pgtest.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
PGPORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_postgres() {
  kill "$sqlite_pid" 2>/dev/null || true # only still running if this script stops early
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap stop_postgres EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o \
  "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
echo "PostgreSQL de test démarré sur 127.0.0.1:$PGPORT ($PGDATA)"
# The fault tests (tests/test_faults.py) stop and restart this cluster, and backups use its pg_dump.
export FCSF_TEST_PGDATA=$PGDATA FCSF_TEST_PGBIN=$PGBIN FCSF_TEST_PGPORT=$PGPORT
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/fcsf" step "pytest (PostgreSQL)" pytest "$@"

sqlite_pass_result() {
  local status=0
  wait "$sqlite_pid" || status=$?
  cat "$sqlite_log"
  rm -f "$sqlite_log"
  return "$status"
}
step "pytest (SQLite)" sqlite_pass_result

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "Échec : ${failed[*]}"
  exit 1
fi
echo "Tout est vert : qualité, SQLite et PostgreSQL."
