#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already there at the
# right version. Safe to run again and again; `make demo` and `make test` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Rust: the wasm target and the formatting/lint components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy rust-src; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done
# The widget's release build compiles std from rust-src (see WIDGET_ENV in the Makefile);
# Trunk builds offline, so std's own dependencies are fetched here.
RUSTC_BOOTSTRAP=1 cargo fetch -q --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"

# Trunk (0.22 needs a newer rustc than this machine has).
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (a few minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen CLI; not --locked: one of its pinned dependencies is gone from the registry.
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $BINDGEN_VERSION (several minutes)"
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION" --force
fi

# Debian's Chromium and its driver for the browser tests; wrk for the load benchmark;
# PostgreSQL for the store's tests on it.
# (Debian's binaryen is too old and breaks the bundle: wasm-opt comes from npm below.)
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
have wrk || missing+=(wrk)
have node || missing+=(nodejs)
have npm || missing+=(npm)
# PostgreSQL's programs and btree_gist: the store tests start a throwaway cluster.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
compgen -G '/usr/share/postgresql/*/extension/btree_gist.control' >/dev/null \
  || missing+=(postgresql-contrib)
# nginx for the test of three instances behind it (proxy/tests/behind_nginx.rs), which runs
# its own from a temporary config. Debian 12's `nginx` is the plain server (its nginx-light
# only adds a module the test does not use).
new_nginx=
if [ ! -x /usr/sbin/nginx ]; then missing+=(nginx); new_nginx=1; fi
# A Japanese font, so the screenshots of the Japanese steps show text, not empty boxes.
[ -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] || missing+=(fonts-ipafont-gothic)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
# The package starts and enables Debian's nginx service (on port 80); nothing here uses it,
# so one this script installed is stopped and left disabled.
if [ -n "$new_nginx" ]; then
  say "stopping and disabling the nginx service"
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now nginx >/dev/null 2>&1 || true
  else
    as_root service nginx stop >/dev/null 2>&1 || true
    as_root update-rc.d nginx disable >/dev/null 2>&1 || true
  fi
fi

# npm packages from the committed lock file: playwright-core, axe-core, binaryen (wasm-opt),
# terser (minifies the glue and the loader).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.setup-lock; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.setup-lock
fi
# Lighthouse for `make bench`, kept apart from the test tooling (scripts/bench/package.json).
if [ ! -f scripts/bench/node_modules/.package-lock.json ] \
  || ! cmp -s scripts/bench/package-lock.json scripts/bench/node_modules/.setup-lock; then
  say "npm ci (scripts/bench)"
  npm ci --prefix scripts/bench --no-audit --no-fund --loglevel=error
  cp scripts/bench/package-lock.json scripts/bench/node_modules/.setup-lock
fi

# Python tools the tests run (schemathesis for the API contract; a real SMTP server, an
# iCalendar parser and the Standard Webhooks verifier for notifications), pinned in
# proxy/tests/support/requirements.txt, in a project-local .venv/.
REQUIREMENTS=proxy/tests/support/requirements.txt
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then apt_install python3-venv; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! cmp -s "$REQUIREMENTS" .venv/.setup-requirements; then
  say "pip install -r $REQUIREMENTS"
  .venv/bin/pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" .venv/.setup-requirements
fi

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
