#!/usr/bin/env bash
# Load while an import runs (issue 8): wrk hammers the list, detail and search pages of a gunicorn instance for
# DURATION with CONNECTIONS connections while `manage.py import_fiches` writes another batch of fiches into the
# same PostgreSQL. Prints throughput, latency, errors (socket errors + answers other than 2xx/3xx) and the
# import's outcome. Run by hand (apt-get install wrk); only ever targets 127.0.0.1.
#
#   bash bench/load_under_import.sh                      # own throwaway PostgreSQL 15 cluster, 5,000 + 2,000 fiches
#   BASE=20000 IMPORTED=4000 DURATION=60s CONNECTIONS=64 WEB_CONCURRENCY=4 bash bench/load_under_import.sh
#
# Production settings (fcsf_actions.settings.base, DEBUG=0, collected static files, the security middleware and
# the rate limiter on) except HTTPS (plain HTTP on 127.0.0.1) and the rate limits, raised so that one client
# address (wrk) is not throttled.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-5000}
IMPORTED=${IMPORTED:-2000}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-4}
PYTHON=.venv/bin/python
source scripts/postgres.sh

work=$(mktemp -d /tmp/fcsf-load-import.XXXXXX)
chmod 755 "$work" # the postgres user (when root) reaches its cluster in there
PGDATA=$work/pg
PGPORT=$(pg_free_port)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  pg_cluster_stop "$PGDATA" immediate
  rm -rf "$work"
}
trap cleanup EXIT
pg_cluster_init "$PGDATA" --no-sync
pg_cluster_start "$PGDATA" "$PGPORT" -c fsync=off -c synchronous_commit=off -c full_page_writes=off

export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/fcsf
export DJANGO_SETTINGS_MODULE=fcsf_actions.settings.base DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')}
export STATIC_ROOT=$work/static ACCESS_LOG= SECURE_SSL_REDIRECT=0 LOG_FORMAT=json
export RATELIMIT_RECHERCHE=1000000/60 RATELIMIT_EXPORTS=1000000/60 RATELIMIT_API=1000000/60
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres fcsf
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0

echo "→ génération : $BASE fiches en base, $IMPORTED à importer pendant la charge"
.venv/bin/python - "$work" "$BASE" "$IMPORTED" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, ".")
from bench.generate_fiches import generate, write_files

work, base, imported = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
fiches = generate(base + imported, seed=8, structures=max(10, (base + imported) // 30))
write_files(fiches[:base], work / "base", per_file=1000)
write_files(fiches[base:], work / "pendant", per_file=500)
PY
.venv/bin/python manage.py import_fiches "$work/base" >/dev/null 2>&1

.venv/bin/python - "$work" <<'PY'
import sys
from urllib.parse import quote

import django

django.setup()
from actions.models import Action

work = sys.argv[1]
slugs = list(Action.objects.published().order_by("?").values_list("slug", flat=True)[:300])
paths = ["/actions/", "/actions/?page=3", "/actions/?tri=titre", "/actions/?dimension=citoyennete"]
paths += [f"/actions/{slug}/" for slug in slugs[:40]]
paths += ["/actions/?q=jardin", "/actions/?q=jeunes", "/actions/?q=numérique", "/actions/?q=repas partagé"]
paths += ["/actions/?q=parentalité&dimension=citoyennete", "/"]
with open(f"{work}/urls.txt", "w") as out:
    out.write("\n".join(quote(path, safe="/?=&") for path in paths) + "\n")  # wrk sends them as they are
print(f"{len(paths)} adresses : liste, {len(slugs[:40])} fiches, recherches")
PY

PORT=$(pg_free_port)
BIND=127.0.0.1:$PORT .venv/bin/gunicorn -c gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/sante/" 2>/dev/null && break; sleep 0.2; done

# The floor of this stack on this machine, at this moment: the same server answering robots.txt (no database).
echo /robots.txt >"$work/floor.txt"
floor=$(URLS="$work/floor.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/load_under_import.lua \
  "http://127.0.0.1:$PORT" | grep '^RESULT')
floor_rps=$(echo "$floor" | sed 's/.* rps=\([0-9.]*\) .*/\1/')
echo "→ plancher (robots.txt, sans base, 10 s) : $floor_rps requêtes/s"

echo "→ import de $IMPORTED fiches et wrk ($THREADS threads, $CONNECTIONS connexions, $DURATION) en même temps"
started=$(date +%s.%N)
( .venv/bin/python manage.py import_fiches "$work/pendant" >"$work/import.out" 2>"$work/import.err"; echo $? >"$work/import.rc"
  date +%s.%N >"$work/import.end" ) &
importer=$!
# wrk's timeout is gunicorn's: a request still queued after 30 s is an error, a slow one is not.
result=$(URLS="$work/urls.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 30s \
  -s bench/load_under_import.lua "http://127.0.0.1:$PORT" | grep '^RESULT')
wait "$importer"
eval "${result#RESULT }"
errors=$((s429 + s4xx + s500 + s502 + s503 + s5xx + connect + read + write + timeout))
import_seconds=$(echo "$(cat "$work/import.end") - $started" | bc)

echo
echo "| requêtes/s | p50 ms | p90 ms | p99 ms | max ms | requêtes | erreurs | import pendant la charge |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|"
printf '| %s | %s | %s | %s | %s | %s | %s | code %s, %.0f s : %s |\n' "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$max_ms" \
  "$requests" "$errors" "$(cat "$work/import.rc")" "$import_seconds" "$(tail -1 "$work/import.out")"
echo
echo "Réponses : 2xx=$s2xx 3xx=$s3xx 429=$s429 4xx=$s4xx 500=$s500 502=$s502 503=$s503 autres 5xx=$s5xx ;" \
  "erreurs de socket : connect=$connect read=$read write=$write timeout=$timeout"
echo "Charge de la machine (load average) : $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Lignes d’erreur du serveur : $(grep -c '"level": "ERROR"' "$work/gunicorn.log" || true)"
echo "Actions en base après : $(.venv/bin/python manage.py shell --no-imports -c \
  'from actions.models import Action; print(Action.objects.count())' 2>/dev/null)"
