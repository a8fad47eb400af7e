#!/usr/bin/env bash
# Taskdeck vs the original FastAPI backend, side by side on this machine.
#
#   bash bench/run.sh            # default run (about 4-5 minutes)
#   bash bench/run.sh --big      # adds the 1,000,000-task scaling step
#   bash bench/run.sh --quick    # 3 s per load run, for a smoke test
#   bash bench/run.sh --pages-only [--quick]   # only the page figures (no peer)
#   bash bench/run.sh --argon2-sweep           # only the sign-in storm, per argon2id setting
#
# Set-up is idempotent and only uses Debian's packages (wrk, chromium), PyPI (the peer's
# virtualenv in bench/.venv) and npm (end2end's Playwright, without a browser download);
# a second run starts measuring within seconds.
# The table goes to stdout and to bench/results/latest.md (see bench/README.md).
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
PEER="${PEER_DIR:-$(dirname "$REPO")/shared/peers/fastapi}"
cd "$REPO"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
pages_only=0 pages=1 site_given=0 sweep=0
for arg in "$@"; do
  case "$arg" in
    --pages-only) pages_only=1 ;;
    --argon2-sweep) sweep=1 pages=0 ;;
    --no-pages) pages=0 ;;
    --site-root|--site-root=*) site_given=1 ;;
  esac
done

# 1. wrk, from Debian.
ensure_wrk
command -v sqlite3 >/dev/null || say "note: sqlite3 CLI not found (not needed: python's sqlite3 is used)"

# 2. The FastAPI peer's virtualenv, from PyPI; re-installed only when requirements change.
if [ "$pages_only" = 0 ] && [ "$sweep" = 0 ]; then
  PEER_DIR="$PEER" ensure_peer_venv
fi

# 3. Taskdeck's release binary (built by `make build`; built here only if missing).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
if [ ! -x "$SERVER_BIN" ] && [ "$sweep" = 1 ]; then
  # The sweep only calls the API: the server binary is enough, no site or WASM.
  say "no release binary at $SERVER_BIN: cargo build --release -p server (several minutes)"
  cargo build --release -p server
elif [ ! -x "$SERVER_BIN" ]; then
  say "no release binary at $SERVER_BIN: running make build (several minutes, once)"
  make build
elif [ "$pages" = 1 ] && [ "$site_given" = 0 ] && [ ! -f target/site/pkg/taskdeck.wasm ]; then
  say "no built site in target/site (the page figures need it): running make build"
  make build
fi

# 4. For the time to hydrated: Debian's Chromium and end2end's Playwright (npm, no
#    browser download; `make build` installs it already). Without Node the script says so
#    in the report and skips that table.
if [ "$pages" = 1 ]; then ensure_browser; fi

# 5. Measure.
exec python3 "$BENCH/bench.py" --repo "$REPO" --peer "$PEER" --server-bin "$SERVER_BIN" \
  --python "$BENCH/.venv/bin/python" "$@"
