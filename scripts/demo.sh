#!/usr/bin/env bash
# `make demo`: booking-proxy with proxy/demo.toml (local SQLite provider, profile "demo";
# one profile per remote provider against provider-fakes on ports 8090-8093) and, on a
# second port (another origin), a host page embedding the widget.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/demo/mail
addr=$(awk -F'"' '/^listen/ { print $2; exit }' proxy/demo.toml)
# Demo keys only: the fakes accept exactly these, and no real provider is ever called.
export CALCOM_API_KEY=cal_demo_fake AURINKO_API_KEY=aurinko-demo-fake
export JICOO_API_KEY=sk_demo_fake VYTE_API_KEY=vyte-demo-fake
target/release/provider-fakes 8090 &
fakes_pid=$!
node scripts/demo-host.mjs 127.0.0.1:8081 "http://$addr" &
host_pid=$!
trap 'kill "$host_pid" "$fakes_pid" 2>/dev/null || true' EXIT
echo
echo "  booking page:  http://$addr/book/demo"
echo "  with the host's calendar (demo/host-calendar.ics): http://$addr/book/calendar"
echo "  host page:     http://127.0.0.1:8081/   (another origin, strict CSP)"
echo "  API:           http://$addr/api/v1/profiles/demo    (Ctrl-C stops all)"
echo "  fake providers: http://$addr/book/calcom  /book/aurinko  /book/jicoo  /book/vyte"
echo "  mail:          $PWD/target/demo/mail/   (one .eml per email, with its invitation;"
echo "                 target/release/booking-proxy outbox --config proxy/demo.toml list)"
echo
target/release/booking-proxy serve --config proxy/demo.toml
