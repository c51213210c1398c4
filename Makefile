# The two commands: `make run` serves Accord, `make test` runs every check and test.
SHELL := /bin/bash
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

# How the release server is started (see README.md for every setting).
SERVE_ENV := LEPTOS_OUTPUT_NAME=accord LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=true

.PHONY: run test bootstrap build lint unit e2e bench screenshots

run: bootstrap build
	$(SERVE_ENV) ACCORD_DEMO=1 ./target/release/accord

test: bootstrap lint unit build e2e

bootstrap:
	@scripts/bootstrap

build:
	cargo leptos build --release

lint:
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	scripts/ensure-postgres
	cargo test --features ssr

e2e:
	$(SERVE_ENV) scripts/e2e

bench: bootstrap build
	$(SERVE_ENV) scripts/bench

# Renders the README's screenshots from the real pages.
screenshots: bootstrap build
	$(SERVE_ENV) scripts/e2e --config screenshots.config.ts
