# Closer — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
WEB := web
BIN_DEBUG := target/debug/closer
BIN_RELEASE := target/release/closer
# PostgreSQL server the tests create their throwaway databases on.
export CLOSER_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: help run build test test-rust test-web-unit test-e2e web-deps web-build lint fmt api-types bench bench-reads clean

help:
	@echo "make run    build the dashboard and the release binary, serve on SQLite at http://127.0.0.1:8080"
	@echo "make test   every test: Rust on SQLite and PostgreSQL, web unit tests, Playwright in Chromium"
	@echo "make build  target/release/closer with the dashboard inside"
	@echo "make lint   rustfmt, clippy, eslint, prettier"
	@echo "make api-types  regenerate web/openapi.json and web/src/api/types.ts from the code"
	@echo "make bench  load benchmarks against the release binary (see README)"
	@echo "make bench-reads  lead reads on a seeded million leads, SQLite and PostgreSQL"

# Install web dependencies only when the lockfile changed since the last install.
$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	# `npm ci` refuses this lockfile (npm 11 leaves the other platforms' optional Tailwind
	# binaries out of it); `npm install` follows the lockfile's pinned versions all the same.
	cd $(WEB) && $(NPM) install --no-audit --no-fund
	touch $@

web-deps: $(WEB)/node_modules/.installed

web-build: web-deps
	cd $(WEB) && $(NPM) run build

build: web-build
	$(CARGO) build --release --locked -p closer-server

run: build
	$(BIN_RELEASE) serve

test: web-build test-rust test-web-unit test-e2e

test-rust:
	$(CARGO) test --locked --workspace

test-web-unit: web-deps
	cd $(WEB) && $(NPM) test

# Drives the debug binary the Rust tests just built; it serves web/dist from disk.
test-e2e: web-build
	$(CARGO) build --locked -p closer-server
	cd $(WEB) && CLOSER_BIN=$(abspath $(BIN_DEBUG)) $(NPM) run e2e

lint: web-deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	cd $(WEB) && $(NPM) run lint && $(NPM) run format:check

fmt: web-deps
	$(CARGO) fmt --all
	cd $(WEB) && $(NPM) run format

api-types: web-deps
	$(CARGO) run --quiet -p closer-server -- openapi > $(WEB)/openapi.json
	cd $(WEB) && $(NPM) run gen:api

bench: build
	scripts/bench-auth-me.sh
	scripts/bench-webhook.sh
	scripts/bench-forged-webhook.sh
	$(CARGO) bench --locked -p closer-agent --bench decision

bench-reads: build
	scripts/bench-lead-reads.sh

clean:
	$(CARGO) clean
	rm -rf $(WEB)/dist $(WEB)/node_modules
