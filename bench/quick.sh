#!/usr/bin/env bash
# The per-request figures in a few minutes: the ceiling (`GET /api/me`, a JWT check and
# a tiny JSON), the 50-task list, a create and a title-only update, in both JWT modes
# (HS256, EdDSA).
#
#   bash bench/quick.sh                              # this checkout's release server
#   BEFORE_BIN=/path/to/older/server bash bench/quick.sh   # and that binary, side by side
#   BEFORE_REV=5751fd1 bash bench/quick.sh           # builds that commit first (once)
#   PEER=1 bash bench/quick.sh                       # and the FastAPI peer (list, create)
#
# DURATION (seconds per wrk run, 5), REPEAT (runs per figure, interleaved between the
# binaries; medians, 3), SERVER_BIN (skip the build, measure that binary). Builds what
# it needs with `cargo build --release -p server` (the API only: no site, no WASM).
# Prints a Markdown table; see bench/README.md.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
ensure_wrk

server_binaries

args=(--server-bin "$SERVER_BIN" --duration "${DURATION:-5}" --repeat "${REPEAT:-3}")
[ -n "${BEFORE_BIN:-}" ] && args+=(--before-bin "$BEFORE_BIN")
if [ "${PEER:-0}" = 1 ]; then
  PEER_DIR="${PEER_DIR:-$(dirname "$REPO")/shared/peers/fastapi}"
  ensure_peer_venv
  args+=(--peer "$PEER_DIR" --python "$BENCH/.venv/bin/python")
fi
exec python3 "$BENCH/quick.py" "${args[@]}"
