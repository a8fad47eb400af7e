#!/usr/bin/env bash
# Live sync under load (issue 14): what 1,000 open event streams cost one instance.
#
#   bash bench/live-sync.sh                  # 1,000 streams (250 users x 4), 10 s per wrk run
#   STREAMS_USERS=500 STREAMS_PER_USER=2 WRITES=400 DURATION=5 bash bench/live-sync.sh
#
# Prints, for the release server on SQLite (HS256, development mode, as bench/run.sh):
#   - resident memory before and with the streams open (VmRSS, /proc/<pid>/status), per stream;
#   - the tasks API with and without the streams open: req/s and p99 of GET list (50
#     tasks) and PATCH complete (whose events go to the writer's own 4 streams), by
#     `oha` if installed, else `wrk` (Debian's, installed if missing; bench/wrk.lua);
#   - delivery latency, write sent -> event read on each of the user's streams, p50/p99,
#     measured by the load client (server/examples/live_bench.rs), one write at a time.
# The load generator runs on the same cores as the server: read ratios, not absolutes.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

USERS="${STREAMS_USERS:-250}"
PER_USER="${STREAMS_PER_USER:-4}"
WRITES="${WRITES:-300}"
DURATION="${DURATION:-10}"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

# 1. A load generator: oha if present, else wrk from Debian (as bench/run.sh).
if command -v oha >/dev/null; then
  LOADGEN=oha
else
  LOADGEN=wrk
  ensure_wrk
fi

# 2. The release server and the load client (an example: outside the normal build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
CLIENT_BIN="${CLIENT_BIN:-$CARGO_TARGET_DIR/release/examples/live_bench}"
if [ ! -x "$SERVER_BIN" ] || [ ! -x "$CLIENT_BIN" ] || [ "${REBUILD:-0}" = 1 ]; then
  say "building the release server and the load client (several minutes, once)"
  cargo build --release -j "${CARGO_JOBS:-1}" -p server --bin server --example live_bench
fi

# 1,000 streams are 1,000 sockets on each side, plus wrk's.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((USERS * PER_USER + 200)) ] \
  || { echo "live-sync: open-file limit $(ulimit -n) is too low for $((USERS * PER_USER)) streams" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-live.XXXXXX")
server_pid="" client_pid=""
cleanup() {
  for pid in $client_pid $server_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

start_server "$SERVER_BIN"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }

# 3. Users (each with a JWT and a task); the first gets 49 more, for the list.
say "signing up $USERS users"
"$CLIENT_BIN" prepare "$base" "$USERS" "$work/users.json" | sed 's/^LIVE /  /' >&2
read -r uid token < <(python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))[0]; print(u["id"], u["token"])' "$work/users.json")
task=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["task"])' "$work/users.json")
for n in $(seq 49); do
  curl -fs -o /dev/null -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"title\":\"list item $n\"}" "$base/api/$uid/tasks"
done

# One load run: "req/s p99_ms" of METHOD PATH.
load() {
  local method=$1 path=$2
  if [ "$LOADGEN" = oha ]; then
    oha -z "${DURATION}s" -c 32 -m "$method" -H "authorization: Bearer $token" \
      --no-tui --output-format json "$base$path" 2>/dev/null \
      | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("%.0f %.2f" % (r["summary"]["requestsPerSec"], r["latencyPercentiles"]["p99"] * 1000))
'
  else
    wrk_load "$base$path" BENCH_METHOD="$method" BENCH_TOKEN="$token"
  fi
}

measure() {
  list=$(load GET "/api/$uid/tasks")
  patch=$(load PATCH "/api/$uid/tasks/$task/complete")
  echo "$list $patch"
}

say "the tasks API without streams ($LOADGEN, ${DURATION} s per run)"
read -r list_rps0 list_p990 patch_rps0 patch_p990 < <(measure)
rss_before=$(rss_kib)

# 4. The streams: opened, then held while the API is measured again.
say "opening $((USERS * PER_USER)) streams"
mkdir -p "$work/ctl"
"$CLIENT_BIN" hold "$base" "$work/users.json" "$PER_USER" "$WRITES" "$work/ctl" >"$work/client.out" 2>"$work/client.err" &
client_pid=$!
for _ in $(seq 1200); do
  [ -e "$work/ctl/ready" ] && break
  kill -0 "$client_pid" 2>/dev/null || { cat "$work/client.err" >&2; exit 1; }
  sleep 0.1
done
[ -e "$work/ctl/ready" ] || { echo "live-sync: the streams did not open" >&2; exit 1; }
sleep 1
rss_with=$(rss_kib)
say "the tasks API with the streams open"
read -r list_rps1 list_p991 patch_rps1 patch_p991 < <(measure)
rss_after_load=$(rss_kib)

# 5. Delivery latency, streams still open.
say "delivery latency ($WRITES writes, one at a time)"
touch "$work/ctl/go"
wait "$client_pid" || { cat "$work/client.err" >&2; exit 1; }
client_pid=""
val() { grep -o "$1=[0-9.]*" "$work/client.out" | head -1 | cut -d= -f2; }

streams=$(val streams)
per_stream=$(python3 -c "print(f'{($rss_with - $rss_before) * 1024 / $streams / 1024:.1f}')")
cat <<EOF

## Live sync: $streams open streams ($USERS users x $PER_USER), one instance, SQLite
$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load generator: $LOADGEN -c32 ${DURATION}s

| memory (VmRSS) | KiB |
|---|---:|
| before the streams | $rss_before |
| with $streams streams open | $rss_with |
| per stream | $per_stream KiB |
| with the streams, after the load runs | $rss_after_load |

| tasks API | without streams | with $streams streams |
|---|---:|---:|
| GET list (50 tasks) req/s | $list_rps0 | $list_rps1 |
| GET list p99 ms | $list_p990 | $list_p991 |
| PATCH complete req/s (events to 4 streams) | $patch_rps0 | $patch_rps1 |
| PATCH complete p99 ms | $patch_p990 | $patch_p991 |

| delivery: write sent -> event read | ms |
|---|---:|
| p50 | $(val p50_ms) |
| p99 | $(val p99_ms) |
| max | $(val max_ms) |
| the write's own answer, p50 / p99 | $(val write_p50_ms) / $(val write_p99_ms) |

($(val deliveries) deliveries; streams opened in $(val open_seconds) s)
EOF
