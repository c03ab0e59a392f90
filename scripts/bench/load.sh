#!/usr/bin/env bash
# Loopback load run of the release proxy (wrk, 127.0.0.1 only, bounded in time):
# /healthz and the slots endpoint in the same run, then booking POST throughput.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${BENCH_SECONDS:-10}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
# A typical profile for the slots run, plain and with the host's calendar (the demo's
# sample feed, from a file): the cached case next to the plain one.
typical='provider = "local"
title = "Bench"
time_zone = "America/New_York"
durations = [30, 60]
slot_step = 15
buffer = 10
horizon_days = 60
hours = { mon = ["09:00-12:00", "13:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }'
cat >"$dir/bench.toml" <<TOML
[server]
listen = "127.0.0.1:0"
database = "sqlite://bench.db"
[limits]
bookings_per_minute = 1000000000
[profiles.bench]
$typical
[profiles.cal]
$typical
[[profiles.cal.calendars]]
ics_url = "file://$PWD/demo/host-calendar.ics"
cache_seconds = 3600
# Every 5 minutes around the clock for two years: room for every POST of the run.
[profiles.load]
provider = "local"
title = "Load"
time_zone = "UTC"
durations = [5]
horizon_days = 730
hours = { mon = ["00:00-24:00"], tue = ["00:00-24:00"], wed = ["00:00-24:00"], thu = ["00:00-24:00"], fri = ["00:00-24:00"], sat = ["00:00-24:00"], sun = ["00:00-24:00"] }
TOML
RUST_LOG=warn target/release/booking-proxy serve --config "$dir/bench.toml" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out")
from=$(date -u -d '+1 day' +%F); to=$(date -u -d '+7 days' +%F)
slots="$base/api/v1/profiles/bench/slots?from=$from&to=$to&time_zone=Europe/Paris&duration=30"
echo "slots response: $(curl -s "$slots" | grep -o '"start"' | wc -l) slots for 7 days"
cal_slots=${slots/profiles\/bench/profiles\/cal}
echo "with the calendar: $(curl -s "$cal_slots" | grep -o '"start"' | wc -l) slots for 7 days"
curl -s -o /dev/null -w "a first booking POST: HTTP %{http_code}\n" -H 'content-type: application/json' \
  -d "{\"start\":\"$(date -u -d '+400 days' +%F)T00:00:00Z\",\"duration\":5,\"time_zone\":\"UTC\",\"name\":\"Check\",\"email\":\"check@example.com\"}" \
  "$base/api/v1/profiles/load/bookings"

run() { # name, wrk args...
  local name=$1; shift
  local out; out=$(wrk --latency -t2 -c32 -d"${DURATION}s" "$@")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-34s %12s req/s   p99 %s\n' "$name" "$rps" "$p99"
  grep -E "Non-2xx|Socket errors" <<<"$out" || true
}
echo "wrk -t2 -c32 -d${DURATION}s on 127.0.0.1 (release build)"
run "GET /healthz" "$base/healthz"
run "GET slots (7 days, 30 min)" "$slots"
run "GET slots, calendar cached" "$cal_slots"
# Starts on the 5-minute grid from tomorrow 00:00 UTC.
export BENCH_BASE_EPOCH=$(date -u -d "$(date -u -d '+1 day' +%F)" +%s)
run "POST bookings (all distinct)" -s scripts/bench/book.lua "$base/api/v1/profiles/load/bookings"
echo "bookings stored: $(target/release/booking-proxy bookings --config "$dir/bench.toml" list | tail -n +2 | wc -l)"
