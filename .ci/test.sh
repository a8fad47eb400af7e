#!/usr/bin/env bash
# The whole test suite, in stages, each with a one-line summary:
# formatting, no new import cycle in the core, lints (server and WASM feature sets),
# Rust tests on SQLite and PostgreSQL, the release site build, the API contract test
# against it (Schemathesis fuzzing /api/openapi.json), and the Playwright suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
# Incremental caches only pay off in an edit loop; in CI they are gigabytes of waste.
export CARGO_INCREMENTAL=0

summary=()
stage() {
  local name=$1; shift
  local start=$SECONDS
  echo "::: stage $name"
  if "$@"; then
    summary+=("PASS  $name ($((SECONDS - start))s)")
    echo "::: stage $name passed in $((SECONDS - start))s"
  else
    summary+=("FAIL  $name ($((SECONDS - start))s)")
    printf '%s\n' "${summary[@]}"
    echo "::: stage $name FAILED"
    exit 1
  fi
}

# PostgreSQL: required when reachable (always, on this project's machines) or named.
if [ -n "${TEST_DATABASE_URL:-}" ] || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  export REQUIRE_POSTGRES=1
  pg_note="sqlite + postgres"
else
  pg_note="sqlite only: no PostgreSQL at 127.0.0.1:5432 (set TEST_DATABASE_URL)"
  echo "warning: $pg_note"
fi

stage fmt cargo fmt --all -- --check
stage core-cycles python3 .ci/core-cycles.py
stage clippy-ssr cargo clippy -p taskdeck -p app -p server --all-targets --features app/ssr -- -D warnings
stage clippy-hydrate cargo clippy -p app -p frontend --target wasm32-unknown-unknown -- -D warnings
stage "rust-tests ($pg_note)" cargo test -p taskdeck -p app -p server --features app/ssr
stage site-build cargo leptos build --release
stage contract bash .ci/contract.sh
stage playwright bash -c 'cd end2end && npx playwright test'

echo
echo "Summary:"
printf '  %s\n' "${summary[@]}"
