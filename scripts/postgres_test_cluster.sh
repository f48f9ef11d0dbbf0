#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: a temporary folder, an unprivileged owner, a local port.
#
#   eval "$(bash scripts/postgres_test_cluster.sh start)"   # exports CUSTOS_TEST_POSTGRES_URL, CUSTOS_TEST_POSTGRES_DIR
#   bash scripts/postgres_test_cluster.sh stop "$CUSTOS_TEST_POSTGRES_DIR"
#
# The server listens on 127.0.0.1 only (and a socket inside the folder), asks a password over TCP
# (scram-sha-256, as a lab server would: examiners' roles are tested for real), and is removed whole on
# stop. Run as root (CI), it runs as the unprivileged `postgres` user that Debian's package creates
# (initdb refuses root); otherwise as the calling user.
set -euo pipefail

PG_BIN="${CUSTOS_PG_BIN:-}"
if [ -z "$PG_BIN" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && PG_BIN="$candidate"
  done
fi
if [ -z "$PG_BIN" ] && command -v initdb >/dev/null 2>&1; then
  PG_BIN="$(dirname "$(command -v initdb)")"
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'EOF'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

start() {
  if [ -z "$PG_BIN" ]; then
    echo "postgres_test_cluster: no PostgreSQL server found (install the postgresql package)" >&2
    exit 2
  fi
  local dir port password
  dir="$(mktemp -d "${TMPDIR:-/tmp}/custos-pg.XXXXXX")"
  port="$(free_port)"
  password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  chmod 700 "$dir"
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 600 "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U custos_admin --pwfile="$dir/pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "export CUSTOS_TEST_POSTGRES_DIR='$dir'"
  echo "export CUSTOS_TEST_POSTGRES_URL='postgresql://custos_admin:$password@127.0.0.1:$port/postgres'"
}

stop() {
  local dir="${1:-${CUSTOS_TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
