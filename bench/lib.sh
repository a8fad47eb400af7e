# Shared by the bench scripts (sourced, not run): messages, tools from Debian, ports and
# the release server's life cycle. Callers set `work` (a temporary directory) first.

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# wrk from Debian, installed when missing.
ensure_wrk() {
  command -v wrk >/dev/null && return
  say "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk \
    || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server BIN [NAME=value ...]: the release server on a free port with a fresh data
# directory under $work, in development mode on SQLite unless the settings say
# otherwise; sets `base` and `server_pid` and returns once /healthz answers.
start_server() {
  local bin=$1 port
  shift
  port=$(free_port)
  base="http://127.0.0.1:$port"
  rm -rf "$work/data"
  env LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=taskdeck LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" BETTER_AUTH_URL="$base" DATA_DIR="$work/data" \
    APP_ENV=development RATE_LIMIT=off JWT_ALGORITHM=HS256 JWT_EXPIRES_IN_SECS=10800 \
    BETTER_AUTH_SECRET=bench-secret-0123456789abcdef-0123456789 RUST_LOG=warn "$@" \
    "$bin" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs "$base/healthz" >/dev/null 2>&1 && return
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench: the server did not start" >&2
  exit 1
}

stop_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# wrk_load URL [wrk.lua's settings as NAME=value ...]: one wrk run (-t2 -c32, $DURATION
# seconds) through bench/wrk.lua; prints "req/s p99_ms". Fails when any answer was not
# a 2xx, so a figure is never one of errors.
wrk_load() {
  local url=$1
  shift
  env "$@" wrk -t2 -c32 -d"${DURATION:-10}s" -s "$(dirname "${BASH_SOURCE[0]}")/wrk.lua" "$url" \
    2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("BENCHJSON "):
        r = json.loads(line[len("BENCHJSON "):])
        bad = sum(n for code, n in r["statuses"] if not 200 <= code < 300)
        if bad:
            sys.exit("bench: %d answers were not 2xx" % bad)
        rps = r["requests"] / (r["duration_us"] / 1e6)
        print("%.0f %.2f" % (rps, r["latency_us"]["99"] / 1000))
'
}

# A user with 50 tasks on $base; sets `uid`, `token` (bearer JWT), `session` (the
# session cookie) and `cookies` (session + the UI's JWT cookie, as a browser holds them).
bench_user() {
  local headers="$work/headers" jwt
  curl -fs -D "$headers" -o "$work/user.json" -H 'content-type: application/json' \
    -d '{"name":"Bench","email":"bench-user@example.com","password":"bench user password"}' \
    "$base/api/auth/sign-up/email"
  session=$(grep -i '^set-cookie: better-auth.session_token=' "$headers" | head -1 | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  curl -fs -D "$headers" -o /dev/null -H "cookie: $session" -H "origin: $base" \
    -H 'accept: application/json' -X POST "$base/api/ui/task_summary"
  jwt=$(grep -i '^set-cookie: taskdeck.jwt=' "$headers" | head -1 | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  cookies="$jwt; $session"
  token=$(curl -fs -H "cookie: $session" "$base/api/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  uid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"]["id"])' "$work/user.json")
  for n in $(seq 50); do
    curl -fs -o /dev/null -H "authorization: Bearer $token" -H 'content-type: application/json' \
      -d "{\"title\":\"task $n\"}" "$base/api/$uid/tasks"
  done
}
