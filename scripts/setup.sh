#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine, and nothing twice:
# apt packages (PostgreSQL 15, Chromium), the virtual environment, Python packages, npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || apt_packages+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
command -v java >/dev/null || apt_packages+=(default-jre-headless)
[ -x /usr/bin/redis-server ] || apt_packages+=(redis-server)  # the shared cache of several app servers (tests too)
command -v npm >/dev/null || apt_packages+=(npm)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Paquets système manquants : ${apt_packages[*]}. Installez-les (sudo apt-get install ${apt_packages[*]}) puis relancez." >&2
    exit 1
  fi
  echo "→ apt-get install ${apt_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The Debian package starts a cluster of its own: we use throwaway ones, so stop it.
  command -v pg_ctlcluster >/dev/null && pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
fi

# Python: a virtual environment pinned by requirements/constraints.txt, reinstalled only when they change.
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements/constraints.txt -nt "$stamp" ]; then
  echo "→ pip install"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]' 2>&1 \
    | grep -v "file:///opt/pypi-more" || true
  .venv/bin/python -c "import django, django_filters, import_export, psycopg, playwright, pytest_django" \
    && touch "$stamp"
fi

# npm: the accessibility engine and the HTML checker used by the tests (package-lock.json pins them).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "→ npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
