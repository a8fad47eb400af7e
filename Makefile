# Taskdeck: the two commands (run, test) and the developer loop.
# Each target installs what is missing first (see .ci/setup.sh), then does its job.
SHELL := /bin/bash
ENV := . .ci/env.sh &&

.PHONY: run test setup setup-test watch build fmt clippy

## make run: set everything up, build the release site and serve it on 127.0.0.1:3000
##           with the embedded SQLite database (data/app.db).
run: setup
	$(ENV) cargo leptos build --release
	$(ENV) LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=taskdeck \
	  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR=$${LEPTOS_SITE_ADDR:-127.0.0.1:3000} \
	  "$$CARGO_TARGET_DIR/release/server"

## make test: set everything up (incl. Chromium) and run the whole suite.
test: setup-test
	.ci/test.sh

## make watch: the development loop (rebuild + live reload on save).
watch: setup
	$(ENV) cargo leptos watch

setup:
	.ci/setup.sh

setup-test:
	.ci/setup.sh --test

build: setup
	$(ENV) cargo leptos build --release

fmt:
	cargo fmt --all
