#!/usr/bin/env bash
# Installs whatever is missing to build and run Taskdeck (and, with --test, to run its
# browser tests and its API contract test). Idempotent: a second run checks versions and
# takes seconds.
# Nothing is downloaded from outside crates.io, npm, PyPI, rustup and Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
# The contract test's fuzzer (.ci/contract.sh), and the Hypothesis it generates data with:
# both pinned, so that a seed gives the same test cases on every machine.
SCHEMATHESIS_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.17
VENV="$HOME/.cache/taskdeck/venv"
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ first" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# no_downloads: cargo-leptos must use the tools on PATH instead of fetching binaries.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; 12-18 minutes)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# The wasm-bindgen CLI must equal the crate version in Cargo.lock exactly.
wb_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\$"; then
  say "installing wasm-bindgen-cli $wb_version (once; about 5 minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

# npm packages: the browser tests, and binaryen's wasm-opt (Debian's is too old).
if [ ! -f end2end/node_modules/.package-lock.json ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if $want_test && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium
fi
# nginx (Debian's) for the multi-instance tests; its service is left stopped.
if $want_test; then .ci/install-nginx.sh; fi
# Schemathesis from PyPI, in a virtual environment of its own (never the system's Python).
schemathesis_ok() {
  "$VENV/bin/st" --version 2>/dev/null | grep -qx "st, version $SCHEMATHESIS_VERSION" \
    && "$VENV/bin/python" -c "import hypothesis, sys; sys.exit(hypothesis.__version__ != '$HYPOTHESIS_VERSION')" 2>/dev/null
}
if $want_test && ! schemathesis_ok; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into $VENV (once; about a minute)"
  command -v python3 >/dev/null || { echo "python3 not found: install Python 3.9+ first" >&2; exit 1; }
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv
  fi
  # A venv whose interpreter is gone (Python upgraded or moved) is made anew.
  "$VENV/bin/python" -c '' 2>/dev/null || { rm -rf "$VENV"; python3 -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
  schemathesis_ok || { echo "Schemathesis $SCHEMATHESIS_VERSION did not install" >&2; exit 1; }
fi
say "setup complete"
