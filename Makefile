# booking-widget task runner. `make demo` and `make test` are the README's two commands;
# both first run `make setup`, which installs whatever is missing (idempotent).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER := /usr/bin/chromedriver
# A CI run builds once: no incremental caches, which would double the target folder.
ifdef CI
export CARGO_INCREMENTAL := 0
endif
WASM := --target wasm32-unknown-unknown
SIZE_BUDGET ?= 110000

.PHONY: setup build widget demo test lint test-wire test-unit test-proxy test-wasm test-e2e test-contract size bench

setup:
	@bash scripts/setup.sh

## build: the release widget in dist/ and the release proxy in target/release/booking-proxy
build: setup widget
	cargo build --release -p booking-proxy -p provider-fakes

# The widget's release build compiles std itself with panics as plain aborts, so no panic
# messages or formatting code reach the wasm (about 16 KB gzip less), with std's
# optimize_for_size code (smaller sort and formatting, 2.6 KB) and `{:?}` compiled to
# nothing (-Zfmt-debug=none, 3.8 KB: no Debug output is shown to visitors). Generic code
# is instantiated in each crate that uses it (-Zshare-generics=n; at opt-level "z" rustc
# would otherwise reuse the wire crate's copies, which then cannot be inlined: 1.7 KB).
# The linker leaves out wasm-streams' JavaScript classes, which leptos links through server_fn
# and no page uses: their exports would keep their code alive (scripts/wasm-link.sh, 4.1 KB).
# Stable rustc takes these unstable flags with RUSTC_BOOTSTRAP, for this one command only.
# RUSTFLAGS replaces .cargo/config.toml's flags, so erase_components is repeated here.
WIDGET_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zshare-generics=n \
	-Clinker=$(CURDIR)/scripts/wasm-link.sh"

# After Trunk: wasm names shortened, glue and loader minified
# (scripts/minify.mjs).
# Then each payload file gets its .gz and .br copy, which booking-proxy serves.
# The manage bundle (manage.html: the same widget with manage mode) goes to dist/manage,
# loaded only by manage pages, so the booking bundle carries none of it.
widget:
	$(WIDGET_ENV) trunk build --release --offline
	$(WIDGET_ENV) trunk build manage.html --release --offline --dist dist/manage --public-url /manage/
	node scripts/minify.mjs dist
	node scripts/minify.mjs dist/manage --no-loader
	node scripts/compress.mjs dist
	node scripts/compress.mjs dist/manage

## demo: build, then run booking-proxy with proxy/demo.toml (local SQLite provider, plus
## one profile per remote provider against its fake)
demo: build
	@bash scripts/demo.sh

## test: formatting, lints (native and wasm32), proxy tests, browser tests, size report
test: setup lint test-wire test-unit test-proxy test-contract test-wasm widget test-e2e size

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p booking-widget -p booking-wire --features booking-wire/js $(WASM) --all-targets -- -D warnings
	cargo clippy -p booking-widget -p booking-wire --features booking-wire/js,manage $(WASM) --all-targets -- -D warnings

test-wire:
	cargo test -p booking-wire

# The widget's pure logic (calendar maths, slots by day, prefill typing, strings), natively
test-unit:
	cargo test -p booking-widget --lib

## test-contract: schemathesis, every check, against a real proxy and its OpenAPI document
test-contract:
	bash scripts/contract.sh

test-proxy:
	cargo test -p booking-proxy -p provider-fakes

# wasm-bindgen-test in headless Chromium (the runner is set in .cargo/config.toml)
test-wasm:
	cargo test -p booking-widget $(WASM) --test '*'

# Playwright (playwright-core) driving Debian's Chromium against the real proxy
test-e2e:
	cargo build -p booking-proxy -p provider-fakes
	node --test --test-concurrency=1 tests/e2e/

# Fails when the payload (loader, glue, wasm, CSS) is over 110 KB (110,000 bytes) gzipped,
# the loader counted too. BENCHMARKS.md has the current figures, docs/size.md the rules.
size:
	@SIZE_BUDGET=$(SIZE_BUDGET) bash scripts/size-report.sh dist

## bench: payload size, the slot engine (criterion), the upstream slots cache (1,000
## requests in 45 s against the Cal.com fake), a loopback load run (wrk), a scale run
## (bookings on SQLite, on PostgreSQL and on three instances sharing it; reads with 10 and
## 10,000 profiles in PostgreSQL), and the time
## to a clickable free day on three networks (Playwright, release proxy), Lighthouse's
## mobile and desktop audits of the booking page and an embedding page, the widget's
## start with a month of 1,500 to 4,500 slots, and the start-up's long tasks on a
## simulated phone (an embed, the booking page), and what a page's first use of Intl costs
bench: setup widget
	@bash scripts/size-report.sh dist
	cargo bench -p booking-proxy --bench slots
	cargo bench -p booking-proxy --bench upstream_cache
	cargo build --release -p booking-proxy
	@bash scripts/bench/load.sh
	@bash scripts/bench/scale.sh
	BOOKING_PROXY_BIN=target/release/booking-proxy node scripts/bench/ttc.mjs
	BOOKING_PROXY_BIN=target/release/booking-proxy node scripts/bench/lighthouse.mjs
	BOOKING_PROXY_BIN=target/release/booking-proxy node scripts/bench/density.mjs
	BOOKING_PROXY_BIN=target/release/booking-proxy node scripts/bench/tasks.mjs
	BOOKING_PROXY_BIN=target/release/booking-proxy PAGE=/book/open node scripts/bench/tasks.mjs
	node scripts/bench/intl.mjs
