#!/usr/bin/env bash
# Scale run of the release proxy (wrk, 127.0.0.1 only, bounded in time), printed as one
# markdown table:
#  1. booking POSTs, each for a new slot, on one instance on SQLite, one on PostgreSQL and
#     three on one PostgreSQL (wrk's threads spread round-robin over the three ports);
#  2. the profile and slots GETs of profiles stored in PostgreSQL (`booking-proxy profiles
#     import`), with 10 and with 10,000 of them in the database, each request for a
#     profile drawn at random.
# PostgreSQL is a throwaway server of scripts/bench/pg.sh (DATABASE_URL: an existing
# one, whose databases the run creates and drops). BENCH_SECONDS: each wrk run (10);
# BOOKING_PROXY_BIN: the proxy (target/release/booking-proxy under CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${BENCH_SECONDS:-10}
BIN=${BOOKING_PROXY_BIN:-${CARGO_TARGET_DIR:-target}/release/booking-proxy}
# The same load in every case: three wrk threads (one per instance when there are three),
# 16 connections each, as many as an instance's PostgreSQL pool.
WRK=(wrk --latency -t3 -c48 -d"${DURATION}s")
[ -x "$BIN" ] || { echo "scale.sh: no $BIN (cargo build --release -p booking-proxy)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "scale.sh: wrk is missing (make setup)" >&2; exit 1; }
command -v psql >/dev/null || { echo "scale.sh: psql is missing (make setup)" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
pg_pid=
cleanup() {
  stop_proxies
  if [ -n "${pg_url:-}" ] && [ -n "${DATABASE_URL:-}" ]; then
    local db
    for db in $(psql -At "${pg_url}postgres" -c "SELECT datname FROM pg_database WHERE datname LIKE 'booking_bench\_$$\_%'" 2>/dev/null); do
      psql -q "${pg_url}postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  # Closing pg.sh's standard input stops the server and removes its folder.
  if [ -n "$pg_pid" ]; then
    exec {pg_in}>&- 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
stop_proxies() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export PGCONNECT_TIMEOUT=10

coproc PG { bash scripts/bench/pg.sh; }
pg_pid=$PG_PID
pg_in=${PG[1]}
read -r -t 60 pg_url <&"${PG[0]}" || { echo "scale.sh: PostgreSQL did not start" >&2; exit 1; }

# A new database on the server: its URL. (All of them are named booking_bench_PID_….)
new_database() { # name
  local db="booking_bench_$$_$1"
  psql -q "${pg_url}postgres" -c "CREATE DATABASE $db" >/dev/null
  printf '%s%s' "$pg_url" "$db"
}

# A config file for one database: prints its path.
config() { # name, database URL, extra TOML
  local file="$dir/$1.toml"
  cat >"$file" <<TOML
[server]
listen = "127.0.0.1:0"
database = "$2"
[limits]
bookings_per_minute = 1000000000
$3
TOML
  printf '%s' "$file"
}

# Every 5 minutes around the clock for two years: room for every POST of the run.
load_profile='[profiles.load]
provider = "local"
title = "Load"
time_zone = "UTC"
durations = [5]
horizon_days = 730
hours = { mon = ["00:00-24:00"], tue = ["00:00-24:00"], wed = ["00:00-24:00"], thu = ["00:00-24:00"], fri = ["00:00-24:00"], sat = ["00:00-24:00"], sun = ["00:00-24:00"] }'

# Starts an instance on a config and sets `port` once it listens (30 s at most).
start() { # config
  local n=${#pids[@]}
  RUST_LOG=warn "$BIN" serve --config "$1" >"$dir/out.$n" 2>"$dir/err.$n" &
  pids+=($!)
  local _
  for _ in $(seq 300); do
    grep -q listening "$dir/out.$n" 2>/dev/null && break
    kill -0 "${pids[$n]}" 2>/dev/null || break
    sleep 0.1
  done
  port=$(grep -o '127.0.0.1:[0-9]*' "$dir/out.$n" | cut -d: -f2 || true)
  [ -n "$port" ] || { echo "scale.sh: the proxy did not start:" >&2; cat "$dir/err.$n" >&2; exit 1; }
}

# 12345 as 12,345.
thousands() { sed -E ':a; s/([0-9])([0-9]{3})($|[^0-9])/\1,\2\3/; ta' <<<"$1"; }
# wrk's 850.00us, 12.34ms or 1.20s in milliseconds: "0.85 ms", "12.3 ms", "1,200 ms".
millis() {
  awk -v t="$1" 'BEGIN {
    v = t + 0; if (t ~ /us$/) v /= 1000; else if (t ~ /[0-9]s$/) v *= 1000
    printf (v < 10 ? "%.2f ms" : v < 100 ? "%.1f ms" : "%.0f ms"), v
  }' | sed -E ':a; s/([0-9])([0-9]{3})($|[^0-9])/\1,\2\3/; ta'
}

rows=()
unwanted=
# One wrk run: a row of the table (what, the status wanted, wrk's arguments). Any other
# status is noted in `unwanted`: the run then fails once the table is printed.
run() { # name, wanted status, wrk args...
  local name=$1 wanted=$2; shift 2
  local out; out=$("${WRK[@]}" "$@")
  local seconds p50 p99 statuses good
  seconds=$(grep -o 'requests in [0-9.]*s' <<<"$out" | grep -o '[0-9.]*' | head -n 1)
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  statuses=$(sed -n 's/^statuses: //p' <<<"$out")
  good=$(grep -o "\b$wanted=[0-9]*" <<<"$statuses" | cut -d= -f2 || true)
  if [ -z "$good" ] || [ "$statuses" != "$wanted=$good" ]; then unwanted+="$name: ${statuses:-no answers}; "; fi
  local errors; errors=$(grep -E "Socket errors" <<<"$out" | sed 's/^ *//' || true)
  local rate; rate=$(awk -v n="${good:-0}" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  rows+=("| $name | $(thousands "$rate") | $(millis "$p50") | $(millis "$p99") | $(thousands "${statuses:-none}")${errors:+; $errors} |")
  printf '%s\n' "${rows[-1]}"
}

# Booking POSTs from tomorrow 00:00 UTC on the 5-minute grid (book.lua); every case starts
# on an empty database, so every POST is for a free slot.
export BENCH_BASE_EPOCH=$(date -u -d "$(date -u -d '+1 day' +%F)" +%s)
book() { # name, port, ports for spread.lua
  BENCH_PORTS=$3 run "$1" 201 -s scripts/bench/book.lua "http://127.0.0.1:$2/api/v1/profiles/load/bookings"
}
stored() { # config
  RUST_LOG=warn timeout 60 "$BIN" bookings --config "$1" list --profile load | tail -n +2 | wc -l
}
about="$(nproc) cores; ${WRK[*]} on 127.0.0.1; release build; PostgreSQL $(psql -At "${pg_url}postgres" -c 'SHOW server_version' | cut -d' ' -f1)"
header="| run | per second | p50 | p99 | answers by status |
|---|---:|---:|---:|---|"
printf '%s\n%s\n' "$about" "$header"

mkdir "$dir/sqlite"
cfg=$(config sqlite/one "sqlite://bookings.db" "$load_profile")
start "$cfg"
book "booking POSTs, 1 instance, SQLite" "$port" ""
stop_proxies
stored_sqlite=$(stored "$cfg")

cfg=$(config pg-one "$(new_database one)" "$load_profile")
start "$cfg"
book "booking POSTs, 1 instance, PostgreSQL" "$port" ""
stop_proxies
stored_one=$(stored "$cfg")

cfg=$(config pg-three "$(new_database three)" "$load_profile")
# The first one migrates the database; the other two find it done.
ports=()
for _ in 1 2 3; do start "$cfg"; ports+=("$port"); done
book "booking POSTs, 3 instances, 1 PostgreSQL" "${ports[0]}" "$(IFS=,; echo "${ports[*]}")"
stop_proxies
notes=("bookings stored afterwards: $(thousands "$stored_sqlite") on SQLite, $(thousands "$stored_one") by one instance on PostgreSQL, $(thousands "$(stored "$cfg")") by three (the 201s, and the requests still being answered when wrk stopped)")

# Part 2: profiles stored in the database.
if ! "$BIN" profiles --help >/dev/null 2>&1; then
  notes+=("profiles in the database: not measured, this booking-proxy has no \`profiles import\`")
else
  # 10,000 local profiles of a few kinds: work hours in one of four zones, 30- or 60-minute
  # slots, every 15 or 30 minutes.
  awk -v n=10000 'BEGIN {
    split("UTC Europe/Paris America/New_York Asia/Tokyo", zones, " ")
    for (i = 1; i <= n; i++) {
      printf "[profiles.p%d]\nprovider = \"local\"\ntitle = \"Profile %d\"\n", i, i
      printf "time_zone = \"%s\"\ndurations = [%s]\nslot_step = %d\nhorizon_days = 60\n",
        zones[i % 4 + 1], (i % 2 ? "30" : "30, 60"), (i % 3 ? 15 : 30)
      printf "hours = { mon = [\"09:00-12:00\", \"13:00-17:00\"], tue = [\"09:00-17:00\"], wed = [\"09:00-17:00\"], thu = [\"09:00-17:00\"], fri = [\"09:00-16:00\"] }\n\n"
    }
  }' >"$dir/import10000.toml"
  awk '/^\[profiles\.p11\]$/ { exit } { print }' "$dir/import10000.toml" >"$dir/import10.toml"
  from=$(date -u -d '+1 day' +%F); to=$(date -u -d '+7 days' +%F)
  imported=() memory=()
  for count in 10 10000; do
    cfg=$(config "stored$count" "$(new_database "stored$count")" "")
    file="$dir/import$count.toml"
    began=$(date +%s%N)
    RUST_LOG=warn timeout 120 "$BIN" profiles --config "$cfg" import "$file" >/dev/null
    shown=$(thousands "$count")
    imported+=("$shown in $(thousands $((($(date +%s%N) - began) / 1000000))) ms")
    start "$cfg"
    # The first runs build each profile when it is first asked for (one database read)
    # and compute its slots; the second ones find them kept.
    for pass in "first run" "second run"; do
      BENCH_PROFILES=$count BENCH_PATH="/api/v1/profiles/{id}" \
        run "profile GET, $shown profiles in PostgreSQL, $pass" 200 -s scripts/bench/read.lua "http://127.0.0.1:$port"
      BENCH_PROFILES=$count BENCH_PATH="/api/v1/profiles/{id}/slots?from=$from&to=$to&time_zone=UTC" \
        run "slots GET (7 days), $shown profiles in PostgreSQL, $pass" 200 -s scripts/bench/read.lua "http://127.0.0.1:$port"
    done
    memory+=("$(awk '/^VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/${pids[0]}/status") with $shown")
    stop_proxies
  done
  notes+=("\`profiles import\`: ${imported[0]}, ${imported[1]}")
  notes+=("the proxy's resident memory after the reads: ${memory[0]}, ${memory[1]} profiles")
fi

echo
echo "$about; every case on a database of its own"
echo "(per second: the 201s of booking POSTs, the 200s of GETs)"
echo
printf '%s\n' "$header" "${rows[@]}"
echo
printf -- '- %s\n' "${notes[@]}"
if [ -n "$unwanted" ]; then
  echo "scale.sh: answers other than those wanted (the figures do not measure what they say): ${unwanted%; }" >&2
  exit 1
fi
