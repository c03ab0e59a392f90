#!/usr/bin/env bash
# `make demo`: booking-proxy with proxy/demo.toml (local SQLite provider, profile "demo")
# and, on a second port (another origin), a host page embedding the widget.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/demo
addr=$(awk -F'"' '/^listen/ { print $2; exit }' proxy/demo.toml)
node scripts/demo-host.mjs 127.0.0.1:8081 "http://$addr" &
host_pid=$!
trap 'kill "$host_pid" 2>/dev/null || true' EXIT
echo
echo "  booking page:  http://$addr/book/demo"
echo "  host page:     http://127.0.0.1:8081/   (another origin, strict CSP)"
echo "  API:           http://$addr/api/v1/profiles/demo    (Ctrl-C stops both)"
echo
target/release/booking-proxy serve --config proxy/demo.toml
