#!/usr/bin/env bash
# One instance or three behind nginx, on one PostgreSQL database (issue 19).
#
#   bash bench/cluster.sh                 # 10 s per run, about 1.5 minutes
#   DURATION=3 bash bench/cluster.sh      # a smoke test of the script itself
#
# The same two loads against three targets, one after the other:
#   - GET /api/{uid}/tasks (50 tasks) with a bearer JWT (EdDSA, from /api/auth/token);
#   - POST /api/ui/list_tasks, the UI's server function, with the session and JWT cookies;
# targets: instance A directly; nginx with A alone behind it; nginx round robin over
# A, B and C. Prints req/s, p50, p99 and unexpected answers per run (wrk -t2 -c32,
# bench/wrk.lua), with the machine and the commit.
#
# On 2 cores the instances, nginx and wrk share the same cores: the 3-instance row shows
# what the proxy and the extra instances cost, not what scaling out gains.
#
# Needs PostgreSQL on PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test) and
# psql; installs wrk and nginx from Debian if missing; builds the release server if
# $CARGO_TARGET_DIR/release/server is missing. Everything listens on 127.0.0.1.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Tools: wrk (Debian), nginx (Debian, its service left stopped), psql.
if ! command -v wrk >/dev/null; then
  say "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk \
    || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk; }
fi
"$REPO/.ci/install-nginx.sh"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
command -v psql >/dev/null || { echo "cluster.sh: psql is required (apt-get install postgresql-client)" >&2; exit 1; }
psql -q "$PG_ADMIN_URL" -c 'SELECT 1' >/dev/null \
  || { echo "cluster.sh: no PostgreSQL at $PG_ADMIN_URL (set PG_ADMIN_URL)" >&2; exit 1; }

# 2. The release server (as bench/live-sync.sh: only the binary, no site is needed).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
if [ ! -x "$SERVER_BIN" ]; then
  say "no release binary at $SERVER_BIN: cargo build --release -p server (several minutes)"
  cargo build --release -p server
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-cluster.XXXXXX")
db="taskdeck_bench_cluster_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() { # url pid log
  for _ in $(seq 100); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.1
  done
  echo "cluster.sh: $1 did not answer in 10 s" >&2; cat "$3" >&2; exit 1
}

# 3. One database, three instances: production's settings except mail and limits
#    (development mode writes mail to a file; RATE_LIMIT=off so that nothing is refused).
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE \"$db\"" >/dev/null
db_url="${PG_ADMIN_URL%/*}/$db"
one_port=$(free_port) three_port=$(free_port)
public="http://127.0.0.1:$three_port"
ports=()
for name in a b c; do
  port=$(free_port)
  ports+=("$port")
  LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=taskdeck LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" BETTER_AUTH_URL="$public" DATA_DIR="$work/$name" \
    DATABASE_URL="$db_url" TRUSTED_PROXIES=127.0.0.1 APP_ENV=development RATE_LIMIT=off \
    JWT_EXPIRES_IN_SECS=10800 BETTER_AUTH_SECRET=cluster-bench-secret-0123456789abcdef \
    RUST_LOG=warn "$SERVER_BIN" >"$work/$name.log" 2>&1 &
  pids+=("$!")
  # One after the other: the first applies the migrations.
  wait_for "http://127.0.0.1:$port/readyz" "$!" "$work/$name.log"
done

# 4. nginx: one port with A alone behind it, one round robin over A, B and C; the
#    README's proxy settings (X-Forwarded-For, HTTP/1.1 keep-alive, no buffering).
upstream_all=""
for port in "${ports[@]}"; do upstream_all+="    server 127.0.0.1:$port;"$'\n'; done
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
error_log error.log warn;
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path client_body;
  proxy_temp_path proxy;
  fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi;
  scgi_temp_path scgi;
  upstream one { server 127.0.0.1:${ports[0]}; keepalive 64; }
  upstream three {
$upstream_all    keepalive 64;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$http_host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  proxy_buffering off;
  server { listen 127.0.0.1:$one_port; location / { proxy_pass http://one; } }
  server { listen 127.0.0.1:$three_port; location / { proxy_pass http://three; } }
}
CONF
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx/" >"$work/nginx/stderr.log" 2>&1 &
pids+=("$!")
wait_for "http://127.0.0.1:$three_port/readyz" "$!" "$work/nginx/stderr.log"
wait_for "http://127.0.0.1:$one_port/readyz" "${pids[-1]}" "$work/nginx/stderr.log"

# 5. A user with 50 tasks, a bearer JWT, and the UI's two cookies.
direct="http://127.0.0.1:${ports[0]}"
curl -fs -c "$work/jar" -H 'content-type: application/json' \
  -d '{"name":"Bench User","email":"bench@example.com","password":"password for the bench"}' \
  "$direct/api/auth/sign-up/email" >"$work/user.json"
uid=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <"$work/user.json")
token=$(curl -fs -b "$work/jar" "$direct/api/auth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
for i in $(seq 50); do
  curl -fs -o /dev/null -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"title\":\"bench task $i\"}" "$direct/api/$uid/tasks"
done
# The first server function call sets the JWT cookie beside the session cookie.
curl -fs -o /dev/null -b "$work/jar" -c "$work/jar" -H "origin: $public" \
  -H 'accept: application/json' -d '' "$direct/api/ui/list_tasks"
cookies=$(awk '!/^#/ || /^#HttpOnly_/ { if (NF >= 7) printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$work/jar")
case "$cookies" in *taskdeck.jwt=*) ;; *) echo "cluster.sh: no JWT cookie ($cookies)" >&2; exit 1 ;; esac

# 6. Measure: a short warm-up, then the run, per load and target.
run() { # label base kind
  local url check
  local -a curl_args
  if [ "$3" = api ]; then
    url="$2/api/$uid/tasks"
    export BENCH_METHOD=GET BENCH_TOKEN="$token" BENCH_BODY="" BENCH_HEADERS=""
    curl_args=(-H "authorization: Bearer $token")
  else
    url="$2/api/ui/list_tasks"
    export BENCH_METHOD=POST BENCH_TOKEN="" BENCH_BODY=""
    export BENCH_HEADERS="Cookie: $cookies
Origin: $public
Accept: application/json
Content-Type: application/x-www-form-urlencoded"
    curl_args=(-X POST -H "cookie: $cookies" -H "origin: $public" -H 'accept: application/json')
  fi
  # Checked once before measuring: a 200, and no new JWT cookie minted (the one sent is used).
  check=$(curl -s -o /dev/null -D "$work/headers" -w '%{http_code}' "${curl_args[@]}" "$url")
  [ "$check" = 200 ] || { echo "cluster.sh: $1 answered $check before the run" >&2; exit 1; }
  if grep -qi '^set-cookie: taskdeck.jwt=' "$work/headers"; then
    echo "cluster.sh: $1 minted a new JWT cookie: the one sent was not used" >&2; exit 1
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$BENCH/wrk.lua" "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH/wrk.lua" "$url" \
    | sed -n 's/^BENCHJSON //p' >"$work/run.json"
  python3 - "$1" "$work/run.json" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
ok = sum(n for code, n in r["statuses"] if code == 200)
unexpected = r["requests"] - ok + sum(r["errors"].values())
rps = r["requests"] / (r["duration_us"] / 1e6)
lat = r["latency_us"]
print(f"| {label} | {rps:,.0f} | {lat['50'] / 1000:.2f} | {lat['99'] / 1000:.2f} | {unexpected} |")
PY
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## 1 vs 3 instances behind nginx, PostgreSQL ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit)"
echo
echo "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on the same cores. On 2 cores this shows the proxy's overhead, not scaling."
echo
echo "| load, target | req/s | p50 ms | p99 ms | unexpected |"
echo "|---|---:|---:|---:|---:|"
for kind in api ui; do
  if [ "$kind" = api ]; then what="GET tasks (bearer JWT)"; else what="UI list_tasks (cookies)"; fi
  run "$what, 1 instance direct" "$direct" "$kind"
  run "$what, 1 instance behind nginx" "http://127.0.0.1:$one_port" "$kind"
  run "$what, 3 instances behind nginx" "http://127.0.0.1:$three_port" "$kind"
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
# The start-up notes of development mode (rate limiting off, mail to a file) are expected.
echo "Other warning/error lines in the server and nginx logs (first 10):"
for log in "$work"/*.log "$work/nginx/error.log"; do
  [ -f "$log" ] || continue
  grep -iE 'warn|error' "$log" | grep -v 'protection relaxed' | sed "s|^|  $(basename "$log"): |" || true
done | head -10
