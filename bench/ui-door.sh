#!/usr/bin/env bash
# What immediate revocation costs the UI door (issue 19): the server functions and the
# live stream read the session row on every call, even beside a valid UI JWT cookie.
#
#   bash bench/ui-door.sh                        # 10 s per wrk run, 2,000 stream opens
#   DURATION=5 OPENS=1000 bash bench/ui-door.sh
#   BEFORE_BIN=/path/to/older/server bash bench/ui-door.sh   # also measure that binary
#
# For the release server on SQLite (HS256, development mode, as bench/run.sh), prints
# req/s and p99 of a UI server function (`POST /api/ui/task_summary`) and stream opens
# per second (`GET /api/ui/events` until `ready`), each called
#   - with the browser's cookies (session + UI JWT cookie): JWT verified, then the
#     session row read (the revocation check);
#   - with a bearer JWT instead: JWT verified, no session read. This is what the JWT
#     cookie path cost before the check, on the same binary.
# With BEFORE_BIN, the cookie path of that binary too (e.g. one built from 11d372a).
# wrk and the load client run on the same cores as the server: compare ratios.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

DURATION="${DURATION:-10}"
OPENS="${OPENS:-2000}"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
ensure_wrk

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
CLIENT_BIN="${CLIENT_BIN:-$CARGO_TARGET_DIR/release/examples/live_bench}"
if [ ! -x "$SERVER_BIN" ] || [ ! -x "$CLIENT_BIN" ] || [ "${REBUILD:-0}" = 1 ]; then
  say "building the release server and the load client (several minutes, once)"
  cargo build --release -j "${CARGO_JOBS:-1}" -p server --bin server --example live_bench
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-ui-door.XXXXXX")
server_pid=""
trap 'stop_server; rm -rf "$work"' EXIT

# "req/s p99_ms" of the server function, with the given extra headers.
server_fn() {
  wrk_load "$base/api/ui/task_summary" BENCH_METHOD=POST BENCH_HEADERS="$1"
}

# "opens/s p99_ms" of the UI stream with one request header.
opens() {
  "$CLIENT_BIN" opens "$base/api/ui/events" "$1" "$OPENS" 32 \
    | python3 -c '
import sys
for line in sys.stdin:
    if line.startswith("LIVE "):
        kv = dict(p.split("=") for p in line.split()[1:])
        print(kv["opens_per_s"], kv["p99_ms"])
'
}

cookie_headers() {
  printf 'Cookie: %s\nOrigin: %s\nAccept: application/json' "$cookies" "$base"
}

measure_cookie() {
  read -r fn_rps fn_p99 < <(server_fn "$(cookie_headers)")
  read -r open_rps open_p99 < <(opens "Cookie: $cookies")
  echo "$fn_rps $fn_p99 $open_rps $open_p99"
}

say "this build: $SERVER_BIN"
start_server "$SERVER_BIN" LIVE_MAX_STREAMS_PER_USER=1000000
bench_user
read -r c_fn c_fn99 c_open c_open99 < <(measure_cookie)
read -r b_fn b_fn99 < <(server_fn "$(printf 'Authorization: Bearer %s\nAccept: application/json' "$token")")
read -r b_open b_open99 < <(opens "Authorization: Bearer $token")
stop_server

before_row=""
if [ -n "${BEFORE_BIN:-}" ]; then
  say "before: $BEFORE_BIN"
  start_server "$BEFORE_BIN" LIVE_MAX_STREAMS_PER_USER=1000000
  bench_user
  read -r o_fn o_fn99 o_open o_open99 < <(measure_cookie)
  stop_server
  before_row="| before (\`BEFORE_BIN\`), cookies | $o_fn | $o_fn99 | $o_open | $o_open99 |"
fi

cat <<EOF

## The UI door's session check
$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, SQLite, wrk -t2 -c32 ${DURATION}s, $OPENS stream opens 32 at a time

| caller | server fn req/s | p99 ms | stream opens/s | p99 ms |
|---|---:|---:|---:|---:|
| cookies: JWT + session read (now) | $c_fn | $c_fn99 | $c_open | $c_open99 |
| bearer JWT, no session read | $b_fn | $b_fn99 | $b_open | $b_open99 |
$before_row
EOF
