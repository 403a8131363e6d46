#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: `start` prints the environment the tests
# read (MEDSCRIBE_TEST_PG_URL, MEDSCRIBE_TEST_PGDATA, MEDSCRIBE_TEST_PGBIN), `stop` ends it.
# Loopback only, trust authentication, fsync off: a test fixture, never a real database.
#   eval "$(scripts/test-postgres.sh start)"; ...; scripts/test-postgres.sh stop
set -euo pipefail
root="${MEDSCRIBE_TEST_PG_DIR:-/tmp/medscribe-test-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -n "$bin" ] || { echo "test-postgres: PostgreSQL is not installed (make test installs it)" >&2; exit 1; }
port="${MEDSCRIBE_TEST_PG_PORT:-55432}"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  start)
    if [ ! -f "$root/data/PG_VERSION" ]; then
      rm -rf "$root"; mkdir -p "$root"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$root"
      as_pg "$bin/initdb" -D "$root/data" -A trust -U medscribe >"$root/initdb.log" 2>&1 \
        || { cat "$root/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -o \
        "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start \
        </dev/null >/dev/null 2>&1 || { cat "$root/server.log" >&2; exit 1; }
      # Freshly started, so no test is using it: drop databases earlier runs left behind.
      for db in $("$bin/psql" -h 127.0.0.1 -p "$port" -U medscribe -d postgres -Atc \
          "SELECT datname FROM pg_database WHERE datname LIKE 'medscribe\_%t\_%'"); do
        "$bin/psql" -h 127.0.0.1 -p "$port" -U medscribe -d postgres -qc "DROP DATABASE $db" >/dev/null
      done
    fi
    echo "export MEDSCRIBE_TEST_PG_URL=postgres://medscribe@127.0.0.1:$port/postgres"
    echo "export MEDSCRIBE_TEST_PGDATA=$root/data"
    echo "export MEDSCRIBE_TEST_PGBIN=$bin"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
