#!/usr/bin/env bash
# Taskdeck vs the original FastAPI backend, side by side on this machine.
#
#   bash bench/run.sh            # default run (about 4-5 minutes)
#   bash bench/run.sh --big      # adds the 1,000,000-task scaling step
#   bash bench/run.sh --quick    # 3 s per load run, for a smoke test
#
# Set-up is idempotent and only uses Debian's packages (wrk) and PyPI (the peer's
# virtualenv in bench/.venv); a second run starts measuring within seconds.
# The table goes to stdout and to bench/results/latest.md (see bench/README.md).
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
PEER="${PEER_DIR:-$(dirname "$REPO")/shared/peers/fastapi}"
cd "$REPO"

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. wrk, from Debian.
if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk \
    || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk; }
fi
command -v sqlite3 >/dev/null || say "note: sqlite3 CLI not found (not needed: python's sqlite3 is used)"

# 2. The FastAPI peer's virtualenv, from PyPI; re-installed only when requirements change.
[ -f "$PEER/main.py" ] || { echo "FastAPI peer not found at $PEER (set PEER_DIR)" >&2; exit 1; }
want="$(sha256sum "$PEER/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$BENCH/.venv/bin/uvicorn" ] || [ "$(cat "$BENCH/.venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  say "creating the peer's virtualenv in bench/.venv (PyPI)"
  python3 -m venv "$BENCH/.venv"
  "$BENCH/.venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
  "$BENCH/.venv/bin/pip" install -q -r "$PEER/requirements.txt"
  echo "$want" > "$BENCH/.venv/.requirements.sha256"
fi

# 3. Taskdeck's release binary (built by `make build`; built here only if missing).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
if [ ! -x "$SERVER_BIN" ]; then
  say "no release binary at $SERVER_BIN: running make build (several minutes, once)"
  make build
fi

# 4. Measure.
exec python3 "$BENCH/bench.py" --repo "$REPO" --peer "$PEER" --server-bin "$SERVER_BIN" \
  --python "$BENCH/.venv/bin/python" "$@"
