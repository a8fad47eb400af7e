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
# A, B and C. Prints req/s and p99 per run (wrk -t2 -c32, bench/wrk.lua, after a 2-s
# warm-up; any answer other than a 2xx fails the run), with the machine and the commit.
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
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

# 1. Tools: wrk (Debian), nginx (Debian, its service left stopped), psql.
ensure_wrk
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

# 5. A user with 50 tasks, a bearer JWT and the UI's two cookies, made through nginx
#    (the origin the instances trust is nginx's).
base="$public"
bench_user
direct="http://127.0.0.1:${ports[0]}"

# 6. Measure: per load and target, a check, a 2-s warm-up, then the run.
run() { # label base kind
  local url check
  local -a load curl_args
  if [ "$3" = api ]; then
    url="$2/api/$uid/tasks"
    load=(BENCH_METHOD=GET BENCH_TOKEN="$token")
    curl_args=(-H "authorization: Bearer $token")
  else
    url="$2/api/ui/list_tasks"
    load=(BENCH_METHOD=POST BENCH_HEADERS="Cookie: $cookies
Origin: $public
Accept: application/json")
    curl_args=(-X POST -H "cookie: $cookies" -H "origin: $public" -H 'accept: application/json')
  fi
  # A 200 that mints no new JWT cookie (the one sent is the one used).
  check=$(curl -s -o /dev/null -D "$work/headers" -w '%{http_code}' "${curl_args[@]}" "$url")
  [ "$check" = 200 ] || { echo "cluster.sh: $1 answered $check before the run" >&2; exit 1; }
  if grep -qi '^set-cookie: taskdeck.jwt=' "$work/headers"; then
    echo "cluster.sh: $1 minted a new JWT cookie: the one sent was not used" >&2; exit 1
  fi
  DURATION=2 wrk_load "$url" "${load[@]}" >/dev/null
  local figures
  figures=$(wrk_load "$url" "${load[@]}")
  printf '| %s | %s | %s |\n' "$1" "${figures% *}" "${figures#* }"
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## 1 vs 3 instances behind nginx, PostgreSQL ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit)"
echo
echo "$(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg);"
echo "wrk -t2 -c32 -d${DURATION}s on the same cores. On 2 cores this shows the proxy's overhead, not scaling."
echo
echo "| load, target | req/s | p99 ms |"
echo "|---|---:|---:|"
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
