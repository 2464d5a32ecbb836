#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests, or stops one.
#
#   eval "$(scripts/start-postgres.sh)"         # prints export DATABASE_URL=… and PG_TEMP_DIR=…
#   scripts/start-postgres.sh stop "$PG_TEMP_DIR"
#
# Installs PostgreSQL from the distribution's packages when initdb/pg_ctl cannot be found,
# initialises a cluster in a new temporary folder owned by the `postgres` user
# (`initdb --auth=trust`), starts it on 127.0.0.1 on a free port with its socket in that
# folder, and creates the database `grantpath_test`. Every run makes a new cluster, so it is
# safe to run again; only stdout carries the export lines, progress goes to stderr.
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }

find_bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local dir
  # Newest version first.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a command as the postgres user (this script may itself run as postgres).
as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

bin_dir="$(find_bin_dir || true)"

if [ "${1:-}" = "stop" ]; then
  dir="${2:-${PG_TEMP_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "usage: $0 stop <dir printed as PG_TEMP_DIR> (no cluster found at '${dir}')"
    exit 2
  fi
  if [ -z "$bin_dir" ]; then log "pg_ctl not found"; exit 1; fi
  if as_postgres "$bin_dir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_postgres "$bin_dir/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  else
    log "server in $dir is not running"
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
  exit 0
fi

if [ -n "${1:-}" ]; then
  log "unknown argument '$1' (usage: $0 | $0 stop <dir>)"
  exit 2
fi

if [ -z "$bin_dir" ]; then
  log "PostgreSQL not found: installing it with apt-get"
  if [ "$(id -u)" -ne 0 ]; then log "need root to install PostgreSQL"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin_dir="$(find_bin_dir)" || { log "PostgreSQL installed but initdb/pg_ctl still not found"; exit 1; }
fi

if ! id postgres >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then log "no postgres user and not root"; exit 1; fi
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

dir="$(mktemp -d "${TMPDIR:-/tmp}/grantpath-pg.XXXXXX")"
chmod 700 "$dir"
chown postgres "$dir"
port="$(free_port)"

log "initialising a cluster in $dir/data (PostgreSQL binaries in $bin_dir)"
as_postgres "$bin_dir/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --no-locale >/dev/null
as_postgres "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >&2 || {
  log "the server did not start; its log:"
  cat "$dir/server.log" >&2 || true
  exit 1
}
# A client tool: next to pg_ctl, on PATH, or in any installed version's folder.
pg_tool() {
  local candidate
  for candidate in "$bin_dir/$1" "$(command -v "$1" 2>/dev/null || true)" /usr/lib/postgresql/*/bin/"$1"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}
if createdb_bin="$(pg_tool createdb)"; then
  as_postgres "$createdb_bin" -h 127.0.0.1 -p "$port" -U postgres grantpath_test >&2
elif psql_bin="$(pg_tool psql)"; then
  as_postgres "$psql_bin" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE grantpath_test" >&2
else
  # No client tools: the single-user backend cannot run while the server does, so ask node's pg.
  log "neither createdb nor psql found"; exit 1
fi
log "PostgreSQL listening on 127.0.0.1:$port; stop it with: $0 stop $dir"

echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/grantpath_test"
echo "export PG_TEMP_DIR=$dir"
