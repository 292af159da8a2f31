#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: Unix socket in a temporary
# directory, no TCP, trust authentication, nothing kept.
#
#   tests/pg/cluster.sh cargo test          run a command with a cluster, then stop it
#   eval "$(tests/pg/cluster.sh start)"      start one and export its variables
#   tests/pg/cluster.sh stop                 stop the one in INTERGIRO_KEYS_TEST_PG_DIR
#   tests/pg/cluster.sh pause|resume DIR      stop its server, keeping its data; start it again
#   tests/pg/cluster.sh crash DIR             stop its server as a crash would (immediate), keeping its data
#
# The variables: INTERGIRO_KEYS_TEST_PG (a superuser's connection URL, with
# which the tests make one database per test) and INTERGIRO_KEYS_TEST_PG_DIR.
# tests/pg/cli.sh runs the whole CLI suite against PostgreSQL under one.
set -euo pipefail

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bin=$candidate
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "cluster.sh: no PostgreSQL server found (install the postgresql package, or set PG_BIN)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: root runs it as the postgres account.
as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/intergiro-keys-pg.XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # fsync off: a test cluster is thrown away, durability buys nothing.
  as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "export INTERGIRO_KEYS_TEST_PG_DIR='$dir'"
  echo "export INTERGIRO_KEYS_TEST_PG='postgresql://postgres@/postgres?host=$dir'"
}

stop() {
  local dir=${1:-${INTERGIRO_KEYS_TEST_PG_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "cluster.sh: no cluster to stop" >&2; exit 1; }
  as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  rm -rf "$dir"
}

# Stops the server of the cluster in $1 and keeps its data, to start it again
# with `resume`: how a test takes the store away from a running client.
pause() {
  as_server "$bin/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null
}

# Stops the server of the cluster in $1 at once, as a crash or power loss
# would (crash recovery on the next start).
crash() {
  as_server "$bin/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null
}

resume() {
  as_server "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w \
    -o "-k $1 -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause) pause "$2" ;;
  resume) resume "$2" ;;
  crash) crash "$2" ;;
  "" | -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *)
    eval "$(start)"
    trap 'stop "$INTERGIRO_KEYS_TEST_PG_DIR"' EXIT
    "$@"
    ;;
esac
