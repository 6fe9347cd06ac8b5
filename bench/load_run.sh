#!/usr/bin/env bash
# Throughput under load: gunicorn as in production (scripts/serve.sh settings) on 127.0.0.1, wrk against it.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:55432/fcsf_pages_100000 bash bench/load_run.sh
#   DURATION=30s CONNECTIONS=32 WEB_CONCURRENCY=4 CACHE_URL=redis://127.0.0.1:6379/0 bash bench/load_run.sh
#
# Run by hand (apt-get install wrk). Only ever targets 127.0.0.1. For each scenario prints requests/s, latency
# and errors (socket errors + non-2xx/3xx answers) in the steady state, after a first pass over its URLs (timed
# too: the cost right after a publish), next to the floor of the stack on this machine: the same
# server answering a trivial Django view (robots.txt: no database, no template), so the ratio shows our overhead.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL doit désigner la base de mesure (bench/page_latency.py --prepare)}"
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
work=$(mktemp -d /tmp/fcsf-load.XXXXXX)
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.base DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')}
export STATIC_ROOT=$work/static BIND=127.0.0.1:$PORT ACCESS_LOG= RATELIMIT_ENABLED=0 SECURE_SSL_REDIRECT=0
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py migrate --no-input -v0

# The URLs of each scenario: a few hundred different fiches for the detail page.
.venv/bin/python - "$work" <<'PY'
import os, sys
from urllib.parse import quote
import django
django.setup()
from actions.models import Action
work = sys.argv[1]
slugs = list(Action.objects.published().order_by("?").values_list("slug", flat=True)[:500])
scenarios = {
    "plancher": ["/robots.txt"],
    "liste": ["/actions/", "/actions/?page=2", "/actions/?tri=titre"],
    "detail": [f"/actions/{slug}/" for slug in slugs],
    "recherche": ["/actions/?q=jardin", "/actions/?q=numérique", "/actions/?q=jeunes parents", "/actions/?q=repas"],
}
for name, paths in scenarios.items():
    with open(f"{work}/{name}.txt", "w") as out:
        out.write("\n".join(quote(path, safe="/?=&") for path in paths) + "\n")  # a request line has no space
PY

.venv/bin/gunicorn -c gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/robots.txt" 2>/dev/null && break; sleep 0.2; done

echo "gunicorn ${WEB_CONCURRENCY} workers sur 127.0.0.1:$PORT, wrk ${THREADS} threads, ${CONNECTIONS} connexions, ${DURATION}"
echo
echo "| scénario | requêtes/s | p50 ms | p99 ms | requêtes | erreurs | dont |"
echo "|---|---:|---:|---:|---:|---:|---|"
for name in ${SCENARIOS:-plancher liste detail recherche}; do
  if [ "$name" != plancher ]; then
    # First pass: every URL once, as many at a time as there are workers (the cold cost, e.g. after a publish);
    # wrk then measures the steady state, where pages come from the cache until the next change.
    count=$(wc -l <"$work/$name.txt")
    started=$(date +%s.%N)
    sed "s|^|http://127.0.0.1:$PORT|" "$work/$name.txt" | xargs -P "$WEB_CONCURRENCY" -I{} curl -fsS -o /dev/null {}
    echo "| $name, premier passage (cache froid) | $(.venv/bin/python -c "print(f'{$count / ($(date +%s.%N) - $started):.1f}')") | | | $count | | |"
  fi
  result=$(URLS="$work/$name.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/load_under_import.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
  eval "${result#RESULT }"
  errors=$((s429 + s4xx + s500 + s502 + s503 + s5xx + connect + read + write + timeout))
  kinds=""  # which errors: answers by status, then wrk's own (timeout: no answer within wrk's 2 s)
  for kind in s429 s4xx s500 s502 s503 s5xx connect read write timeout; do
    [ "${!kind}" != 0 ] && kinds="$kinds $kind=${!kind}"
  done
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50_ms" "$p99_ms" "$requests" "$errors" "${kinds# }"
done
