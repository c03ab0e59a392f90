#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis (every check, bounded in time)
# against a debug booking-proxy on a free loopback port in a temporary folder. Fails on
# any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
cp proxy/tests/contract/open.toml proxy/tests/contract/schemathesis.toml "$dir/"
cargo build -q -p booking-proxy
BW_CONTRACT_ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export BW_CONTRACT_ADMIN_TOKEN
(cd "$dir" && RUST_LOG=warn exec "$root/target/debug/booking-proxy" serve --config open.toml >out 2>err) &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out") || { cat "$dir/err"; exit 1; }

curl -sf "$base/api/v1/openapi.json" >"$dir/openapi.json"
"$root/.venv/bin/openapi-spec-validator" --schema 3.1 "$dir/openapi.json"

# One real booking, so the manage routes are tested past their 404.
from=$(date -u -d '+2 days' +%F)
start=$(curl -sf "$base/api/v1/profiles/open/slots?from=$from&to=$from" | grep -o '"start":"[^"]*"' | head -1 | cut -d'"' -f4)
created=$(curl -sf -H 'content-type: application/json' \
  -d "{\"start\":\"$start\",\"duration\":30,\"time_zone\":\"UTC\",\"name\":\"Contract\",\"email\":\"contract@example.com\"}" \
  "$base/api/v1/profiles/open/bookings")
BW_MANAGE_TOKEN=$(grep -o '"manage_token":"[^"]*"' <<<"$created" | cut -d'"' -f4)
export BW_MANAGE_TOKEN

cd "$dir"
timeout 600 "$root/.venv/bin/schemathesis" --config-file schemathesis.toml run \
  "$base/api/v1/openapi.json" --checks all --workers 2 --max-time 120 \
  --seed "${CONTRACT_SEED:-1}" --warnings off
