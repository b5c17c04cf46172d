#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free port on 127.0.0.1.
#
#   scripts/postgres-test-cluster.sh start   prints TEST_DATABASE_URL=postgres://postgres@127.0.0.1:<port>/statusrelay_test
#                                            and PGTEST_DIR=<data dir> (eval-able lines)
#   scripts/postgres-test-cluster.sh stop <data dir>
#
# Runs as root (CI and the developer machines are root): installs the Debian package when the
# server binaries are missing, and runs the server as the postgres user with trust auth on
# loopback only. The data directory holds the socket too, so nothing else on the machine is touched.
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin
  if ! bin=$(find_bin); then
    echo "postgres-test-cluster: installing the postgresql package" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    bin=$(find_bin)
  fi
  local dir port
  dir=$(mktemp -d /tmp/statusrelay-pg.XXXXXX)
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir" --auth=trust --username=postgres >"$dir.initdb.log" 2>&1 \
    || { cat "$dir.initdb.log" >&2; exit 1; }
  port=$(free_port)
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300" start >&2
  runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres statusrelay_test
  echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/statusrelay_test"
  echo "PGTEST_DIR=$dir"
}

stop() {
  local dir=${1:?usage: $0 stop <data dir>} bin
  bin=$(find_bin)
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2 || true
  rm -rf "$dir" "$dir.initdb.log"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop <data dir>" >&2; exit 2 ;;
esac
