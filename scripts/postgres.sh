# PostgreSQL 15 clusters of this project, from the Debian binaries that scripts/setup.sh installs. Sourced, not run:
#   source scripts/postgres.sh
#   pg_project_start                 # make run / make serve: the project's own cluster in .pgdata/, kept between runs,
#   pg_serve COMMAND…                # stopped when the script ends (see below)
#   pg_cluster_init DIR [OPTIONS…]   # a cluster in DIR unless it has one (extra initdb options)
#   pg_cluster_start DIR PORT [OPTIONS…] / pg_cluster_stop DIR [MODE]   # make test, bench: throwaway clusters
# Every cluster listens on 127.0.0.1 only, its Unix socket in its own folder, and trusts local connections as the
# `postgres` role. PostgreSQL refuses to run as root: as root, its server programs run as the postgres user.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_DEFAULT_PORT=54329
pg_as=()
[ "$(id -u)" = 0 ] && pg_as=(runuser -u postgres --)

pg_free_port() {
  "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_cluster_init() {
  local data=$1
  shift
  [ -f "$data/PG_VERSION" ] && return 0
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  "${pg_as[@]}" "$PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 "$@" >/dev/null
}

pg_cluster_start() {
  local data=$1 port=$2 sockets=$1
  shift 2
  # A Unix socket's path is at most 107 bytes: in a deeply nested folder, TCP only.
  [ $((${#data} + 20)) -le 107 ] || sockets=
  "${pg_as[@]}" "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k '$sockets' $*" start >/dev/null
}

pg_cluster_stop() {
  "${pg_as[@]}" "$PGBIN/pg_ctl" -D "$1" -m "${2:-fast}" -w stop >/dev/null 2>&1 || true
}

# ── the project's own cluster (make run, make serve without DATABASE_URL) ──────────────────────────────────────
# In .pgdata/ (git-ignored; remove it to start from an empty catalogue). As root, when the postgres user cannot reach
# the project (under /root for instance), the cluster lives in the postgres user's home and .pgdata is a link to it.
# Its port: 54329, or a free one when that is taken, kept in .pgdata/fcsf-port (settings read it when DATABASE_URL
# is unset, so that manage.py finds the cluster from another terminal). The database is `fcsf`.

pg_project_data=
pg_project_child=

pg_project_start() {
  local data=$PWD/.pgdata port
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PWD"; then
    local home
    home=$(getent passwd postgres | cut -d: -f6)
    data=$home/fcsf/$(printf %s "$PWD" | sha1sum | cut -c1-16)
    if [ -d .pgdata ] && [ ! -L .pgdata ]; then
      echo "L’utilisateur postgres n’a pas accès à $PWD/.pgdata : déplacez le projet ou supprimez .pgdata." >&2
      return 1
    fi
    # No link: .pgdata was removed to start again, so is this project's cluster.
    [ -L .pgdata ] || rm -rf "$data"
    mkdir -p "$home/fcsf" && chown postgres:postgres "$home/fcsf"
    ln -sfn "$data" .pgdata
  fi
  if "${pg_as[@]}" "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "Le PostgreSQL du projet ($data) tourne déjà : un autre « make run » est-il ouvert ?" >&2
    echo "Sinon, arrêtez-le : ${pg_as[*]} $PGBIN/pg_ctl -D $data stop" >&2
    return 1
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "→ nouveau cluster PostgreSQL dans .pgdata/"
    pg_cluster_init "$data"
  fi
  port=$(cat "$data/fcsf-port" 2>/dev/null || echo "$PG_DEFAULT_PORT")
  if pg_port_taken "$port"; then
    port=$(pg_free_port)
  fi
  echo "$port" >"$data/fcsf-port"
  pg_project_data=$data
  trap pg_project_stop EXIT
  trap pg_project_interrupted INT
  trap 'exit 143' TERM
  pg_cluster_start "$data" "$port"
  if [ -z "$("$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'fcsf'")" ]; then
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres fcsf
  fi
  export DATABASE_URL=postgres://postgres@127.0.0.1:$port/fcsf
  echo "PostgreSQL du projet démarré : $DATABASE_URL (données dans .pgdata/)"
}

pg_project_stop() {
  if [ -n "$pg_project_child" ]; then
    kill "$pg_project_child" 2>/dev/null || true
    wait "$pg_project_child" 2>/dev/null || true
  fi
  if [ -n "$pg_project_data" ]; then
    pg_cluster_stop "$pg_project_data"
    echo "PostgreSQL du projet arrêté."
  fi
}

# Ctrl-C is how one stops make run: a failure only before the server runs.
pg_project_interrupted() {
  if [ -n "$pg_project_child" ]; then exit 0; else exit 130; fi
}

# Runs COMMAND until it ends or the script is interrupted. With the project's cluster, COMMAND runs as a child, so
# that the cluster is stopped after it; on another server, COMMAND replaces the script (its signals reach it).
pg_serve() {
  if [ -z "$pg_project_data" ]; then
    exec "$@"
  fi
  "$@" &
  pg_project_child=$!
  wait "$pg_project_child"
}
