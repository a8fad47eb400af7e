#!/usr/bin/env bash
# The planning views (Today, Upcoming, my order) and export at 50 and 100,000 tasks.
#
#   bash bench/planning.sh                         # SQLite, this checkout's release server
#   DATABASE_URL=postgres://… bash bench/planning.sh
#
# DURATION, REPEAT, BIG (the large user's tasks, 100000), SERVER_BIN as in quick.sh.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
ensure_wrk
server_binaries

exec python3 "$BENCH/planning.py" --server-bin "$SERVER_BIN" --duration "${DURATION:-5}" \
  --repeat "${REPEAT:-3}" --big "${BIG:-100000}" --database-url "${DATABASE_URL:-}"
