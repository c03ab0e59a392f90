#!/usr/bin/env bash
# A throwaway PostgreSQL server for the benchmarks, started as the store tests start one
# (proxy/tests/common/postgres.rs): `initdb` in a temporary folder (run as `nobody` when
# root, since PostgreSQL refuses root), `postgres` on a free port of 127.0.0.1 only.
# Unlike the tests' server it keeps fsync on; commits are flushed by the WAL writer a
# moment later (synchronous_commit off), as the proxy's SQLite flushes its WAL only at
# checkpoints (synchronous NORMAL): neither store waits for a flush per booking.
# Prints `postgres://postgres@127.0.0.1:PORT/` once the server accepts connections, keeps
# it until its standard input closes (or BENCH_PG_SECONDS, 900 by default, pass), then
# stops it and removes the folder. With DATABASE_URL set (a server whose user may create
# databases) it prints that server's URL up to the database name and starts nothing.
# PG_BIN names PostgreSQL's programs; otherwise the newest /usr/lib/postgresql/*/bin.
#
#   coproc PG { bash scripts/bench/pg.sh; }
#   read -r -t 60 url <&"${PG[0]}"     # ... and closing "${PG[1]}" stops the server
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  # Up to the database name: the caller adds its own.
  printf '%s\n' "${DATABASE_URL%/*}/"
  exec cat >/dev/null
fi

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bin/initdb" ] || { echo "pg.sh: no initdb in ${bin:-/usr/lib/postgresql/*/bin} (make setup installs PostgreSQL)" >&2; exit 1; }

dir=$(mktemp -d -t booking-bench-pg-XXXXXX)
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  chown 65534:65534 "$dir"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
pid=
stop() {
  if [ -n "$pid" ]; then
    kill -INT "$pid" 2>/dev/null || true
    # A fast shutdown takes well under a second; at most 10 s, then it is killed.
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 1' INT TERM HUP

"${as_user[@]}" "$bin/initdb" -A trust -U postgres -E UTF8 --locale=C --no-sync -D "$dir/data" >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_user[@]}" "$bin/postgres" -D "$dir/data" -k "$dir" -h 127.0.0.1 -p "$port" \
  -c synchronous_commit=off -c max_connections=300 \
  </dev/null >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
  sleep 0.1
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres \
  || { echo "pg.sh: postgres did not start within 30 s" >&2; cat "$dir/log" >&2; exit 1; }
printf 'postgres://postgres@127.0.0.1:%s/\n' "$port"
timeout "${BENCH_PG_SECONDS:-900}" cat >/dev/null || true
