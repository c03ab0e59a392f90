#!/usr/bin/env bash
# Runs booking-proxy with the demo configuration (local SQLite provider, profile "demo").
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/demo
addr=$(awk -F'"' '/^listen/ { print $2; exit }' proxy/demo.toml)
echo
echo "  booking-proxy demo: open http://$addr/book/demo"
echo "  API: http://$addr/api/v1/profiles/demo    (Ctrl-C stops it)"
echo
exec target/release/booking-proxy serve --config proxy/demo.toml
