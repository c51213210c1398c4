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

# Renders every page in every language at 1280 and 375 px (target/screenshots/) and copies
# the README's pictures into docs/screenshots/.
README_SHOTS := customers-en-1280 customers-search-en-1280 draft-email-en-1280 m365-invitation-en-1280 m365-accept-en-1280 \
	refused-modified-link-zh-TW-1280 gov-invitation-en-1280 21v-invitation-zh-CN-1280 \
	m365-invitation-zh-TW-375 customers-zh-CN-375 m365-new-organization-zh-CN-375 language-menu-en-1280 \
	approval-pending-en-1280 account-menu-en-1280 \
	customer-account-en-1280 partner-relationships-en-1280 partner-relationships-zh-TW-375 remove-roles-en-1280 \
	partner-activity-en-1280 customer-activity-zh-CN-375 \
	users-en-1280 user-en-1280 set-password-zh-CN-375 customer-users-zh-TW-375 \
	indirect-providers-en-1280 indirect-resellers-zh-TW-1280 indirect-invitation-en-1280 indirect-invitation-zh-CN-375 \
	api-keys-en-1280 api-docs-zh-CN-375 webhook-en-1280 webhooks-zh-CN-375 \
	dap-conflict-en-1280 billing-decision-zh-TW-375 forgot-password-sent-zh-CN-375 mail-set-password-en-1280
screenshots: bootstrap build
	mkdir -p target/screenshots docs/screenshots
	$(SERVE_ENV) scripts/e2e --config screenshots.config.ts
	rm -f docs/screenshots/*.png
	for s in $(README_SHOTS); do cp target/screenshots/$$s.png docs/screenshots/; done
