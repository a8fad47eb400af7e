# Shared by the bench scripts (sourced, not run): messages, tools from Debian, ports and
# the release server's life cycle. Callers set `work` (a temporary directory) first.

say() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages, with an index update only when the first try fails.
apt_install() {
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" \
    || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"; }
}

# wrk from Debian, installed when missing.
ensure_wrk() {
  command -v wrk >/dev/null && return
  say "installing wrk (Debian package)"
  apt_install wrk
}

# Debian's Chromium (unless CHROMIUM_PATH names one) and end2end's Playwright (npm,
# no browser download), installed when missing; run from the repository's root.
ensure_browser() {
  if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then
    say "installing chromium (Debian package)"
    apt_install chromium
  fi
  if command -v npm >/dev/null && [ ! -f end2end/node_modules/@playwright/test/package.json ]; then
    say "installing end2end's npm packages (no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# The FastAPI peer's virtualenv in bench/.venv, from PyPI with the peer's
# requirements.txt; re-installed only when that file changes. PEER_DIR is the peer.
ensure_peer_venv() {
  local bench want
  bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  [ -f "$PEER_DIR/main.py" ] || { echo "FastAPI peer not found at $PEER_DIR (set PEER_DIR)" >&2; exit 1; }
  want="$(sha256sum "$PEER_DIR/requirements.txt" | cut -d' ' -f1)"
  if [ ! -x "$bench/.venv/bin/uvicorn" ] || [ "$(cat "$bench/.venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    say "creating the peer's virtualenv in bench/.venv (PyPI)"
    python3 -m venv "$bench/.venv"
    "$bench/.venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
    "$bench/.venv/bin/pip" install -q -r "$PEER_DIR/requirements.txt"
    echo "$want" > "$bench/.venv/.requirements.sha256"
  fi
}

# before_binary REV: the release server built from commit REV, in a worktree of its own
# under ~/.cache/taskdeck/before/REV with its own target directory (beside
# $CARGO_TARGET_DIR, so the current build is not thrown away); built once, then reused.
# Prints the binary's path.
before_binary() {
  local rev dir target
  rev="$(git rev-parse --short "$1")"
  dir="$HOME/.cache/taskdeck/before/$rev"
  target="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}-before"
  if [ ! -x "$dir/server" ]; then
    say "building the server of $rev (several minutes, once): $dir"
    [ -d "$dir/src" ] || git worktree add --detach "$dir/src" "$rev" >&2
    (cd "$dir/src" && CARGO_TARGET_DIR="$target" LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-taskdeck}" \
      cargo build --release -p server --bin server >&2)
    cp "$target/release/server" "$dir/server"
  fi
  echo "$dir/server"
}

# server_binaries: SERVER_BIN, built from this checkout unless given (`cargo build
# --release -p server`, seconds when up to date), and BEFORE_BIN from BEFORE_REV when
# only the commit is given. LEPTOS_OUTPUT_NAME as cargo-leptos sets it, so that the
# crates that read it at compile time are reused from `make build`'s cache.
server_binaries() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
  if [ -z "${SERVER_BIN:-}" ]; then
    say "building the release server (seconds when up to date)"
    LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-taskdeck}" cargo build --release -p server --bin server
    SERVER_BIN="$CARGO_TARGET_DIR/release/server"
  fi
  if [ -n "${BEFORE_REV:-}" ] && [ -z "${BEFORE_BIN:-}" ]; then
    BEFORE_BIN="$(before_binary "$BEFORE_REV")"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server BIN [NAME=value ...]: the release server on a free port with a fresh data
# directory under $work, in development mode on SQLite unless the settings say
# otherwise, serving the site in $SITE_ROOT (target/site); sets `base` and `server_pid`
# and returns once /healthz answers.
start_server() {
  local bin=$1 port
  shift
  port=$(free_port)
  base="http://127.0.0.1:$port"
  rm -rf "$work/data"
  env LEPTOS_SITE_ROOT="${SITE_ROOT:-target/site}" LEPTOS_OUTPUT_NAME=taskdeck LEPTOS_SITE_PKG_DIR=pkg \
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
