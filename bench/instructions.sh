#!/usr/bin/env bash
# Instructions per request of `GET /api/me`, the 50-task list, a create, a title-only
# update (bearer JWT, in both JWT modes) and `get-session` (the session cookie), counted
# by callgrind: repeatable on a busy machine, where req/s are not.
#
#   bash bench/instructions.sh                          # this checkout's release server
#   BEFORE_BIN=/path/to/older/server bash bench/instructions.sh   # and that one, with the change
#   BEFORE_REV=5751fd1 bash bench/instructions.sh       # builds that commit first (once)
#
# REQUESTS (counted per endpoint, 1000), WARMUP (100), SERVER_BIN (skip the build),
# KEEP=DIR (keep each endpoint's dump there, for `callgrind_annotate`).
# valgrind from Debian if missing. About 2 minutes per binary. See bench/README.md.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
command -v valgrind >/dev/null || { say "installing valgrind (Debian package)"; apt_install valgrind; }

server_binaries

args=(--server-bin "$SERVER_BIN" --requests "${REQUESTS:-1000}" --warmup "${WARMUP:-100}")
[ -n "${BEFORE_BIN:-}" ] && args+=(--before-bin "$BEFORE_BIN")
[ -n "${KEEP:-}" ] && args+=(--keep "$KEEP")
exec python3 "$BENCH/instructions.py" "${args[@]}"
