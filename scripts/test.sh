#!/usr/bin/env bash
# The whole test suite: quality gate, then pytest on a throwaway PostgreSQL 15 cluster (scripts/postgres.sh), stopped
# and removed at the end, also on failure.
# Without arguments, pytest runs in three phases on parallel workers (pytest-xdist, one test database each;
# FCSF_TEST_WORKERS=auto by default, one per core): the tests in a rolled-back transaction, then the transactional
# ones (they flush the database: apart, as pytest-django puts them last in one process), then the `serial` tests
# alone (they stop and restart the cluster). One verdict. Options for every phase: PYTEST_ADDOPTS="--durations=20".
# With arguments, one plain pytest run with them (e.g. scripts/test.sh tests/actions -k import -x; -n 2 only with
# -m "not transactional", the order of transactional tests is not kept on workers).
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

source scripts/postgres.sh
PGDATA=$(mktemp -d /tmp/fcsf-pgtest.XXXXXX)
PGPORT=$(pg_free_port)
trap 'pg_cluster_stop "$PGDATA" immediate; rm -rf "$PGDATA"' EXIT
pg_cluster_init "$PGDATA" --no-sync
pg_cluster_start "$PGDATA" "$PGPORT" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
echo "PostgreSQL de test démarré sur 127.0.0.1:$PGPORT ($PGDATA)"
# makemigrations also checks the history of the migrations applied to a database: the cluster's empty one.
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres" step "makemigrations --check" \
  python manage.py makemigrations --check --dry-run
# The fault tests (tests/test_faults.py) stop and restart this cluster, and backups use its pg_dump.
export FCSF_TEST_PGDATA=$PGDATA FCSF_TEST_PGBIN=$PGBIN FCSF_TEST_PGPORT=$PGPORT
# pytest's exit code 5 (no test collected) fails too.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/fcsf"
if [ $# -gt 0 ]; then
  step "pytest" pytest "$@"
else
  workers=${FCSF_TEST_WORKERS:-auto}
  step "pytest, en parallèle (-n $workers)" pytest -m "not serial and not transactional" -n "$workers" --dist worksteal
  step "pytest, tests transactionnels en parallèle (-n $workers)" \
    pytest -m "transactional and not serial" -n "$workers" --dist worksteal
  step "pytest, seuls sur le cluster (serial)" pytest -m serial
fi
unset DATABASE_URL

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "Échec : ${failed[*]}"
  exit 1
fi
echo "Tout est vert : qualité et tests sur PostgreSQL."
