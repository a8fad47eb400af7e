#!/usr/bin/env bash
# Contract test: Schemathesis, an independent fuzzer (installed by `.ci/setup.sh --test`),
# generates requests from /api/openapi.json, valid and invalid, and checks every answer
# against the document (`--checks all`): invalid input accepted, valid input refused, a
# status code, header or body the document does not promise, or any 5xx fails the stage.
# It runs the release server binary (built by the site-build stage) on a free port with a
# fresh SQLite data directory, signs a user up, and fuzzes with that user's JWT.
#
# About 1,500 test cases over the 7 request/response operations (CONTRACT_MAX_EXAMPLES
# per operation and phase), with a fixed seed (CONTRACT_SEED) so that a failure
# reproduces. The event stream (`streamTaskEvents`) is left out: its 200 never ends, so
# a fuzzer reading whole bodies would wait on every case; `server/tests/api/openapi/`
# and `live.rs` check its statuses and events instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh

VENV="${TASKDECK_VENV:-$HOME/.cache/taskdeck/venv}"
ST="$VENV/bin/st"
PY="$VENV/bin/python"
SERVER_BIN="${CONTRACT_SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
MAX_EXAMPLES="${CONTRACT_MAX_EXAMPLES:-150}"
SEED="${CONTRACT_SEED:-12}"

[ -x "$ST" ] || { echo "contract: $ST missing: run .ci/setup.sh --test" >&2; exit 1; }
[ -x "$SERVER_BIN" ] || { echo "contract: $SERVER_BIN missing: run cargo leptos build --release" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-contract.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mkdir -p "$work/data"

LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=taskdeck LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" BETTER_AUTH_URL="$base" DATA_DIR="$work/data" \
  RUST_LOG=warn "$SERVER_BIN" >"$work/server.log" 2>&1 &
server_pid=$!

# Waits for /healthz, signs a user up and prints a JWT for it (the standard library only).
token=$(BASE="$base" SERVER_PID="$server_pid" "$PY" - <<'EOF'
import http.cookiejar, json, os, sys, time, urllib.request

base = os.environ["BASE"]
deadline = time.monotonic() + 30
while True:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as res:
            if res.status == 200:
                break
    except OSError:
        pass
    try:
        os.kill(int(os.environ["SERVER_PID"]), 0)
    except OSError:
        sys.exit("contract: the server exited")
    if time.monotonic() > deadline:
        sys.exit("contract: the server did not start in 30 s")
    time.sleep(0.1)

opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
body = {"name": "Contract", "email": "contract@example.com", "password": "contract-password-1234"}
opener.open(urllib.request.Request(
    f"{base}/api/auth/sign-up/email",
    data=json.dumps(body).encode(),
    headers={"content-type": "application/json", "origin": base},
), timeout=30).read()
with opener.open(f"{base}/api/auth/token", timeout=30) as res:
    print(json.load(res)["token"])
EOF
) || { echo "contract: no JWT" >&2; tail -n 50 "$work/server.log" >&2; exit 1; }

start=$SECONDS
status=0
# From the scratch directory: Schemathesis writes its reports in the working directory.
# One worker: with two, CPython 3.11's `ast` module (Hypothesis reads lambdas' source)
# races ("AST constructor recursion depth mismatch"), and the run is short anyway.
(cd "$work" && "$ST" run "$base/api/openapi.json" \
  --checks all \
  --exclude-operation-id streamTaskEvents \
  --header "Authorization: Bearer $token" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 1 \
  --generation-database none \
  --no-color \
  --report junit --report-dir "$work/report") >"$work/st.log" 2>&1 || status=$?
elapsed=$((SECONDS - start))

# The server must still be up, and must not have panicked: a crash is a failure even
# if every answer conformed.
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "contract: the server died during the run" >&2
  status=1
fi
if grep -q 'panicked' "$work/server.log"; then
  echo "contract: the server panicked" >&2
  status=1
fi

if [ "$status" -ne 0 ]; then
  cat "$work/st.log"
  echo "--- server log (last 50 lines)"
  tail -n 50 "$work/server.log"
fi
# One line: Schemathesis's count of test cases and its final tally.
cases=$(grep -A1 '^Test cases:' "$work/st.log" | tail -n 1 | sed 's/^ *//' || true)
tally=$(grep -E '^=+ .* in [0-9.]+s =+$' "$work/st.log" | tail -n 1 | sed -E 's/^=+ (.*) =+$/\1/' || true)
verdict=PASS
[ "$status" -eq 0 ] || verdict=FAIL
echo "contract: $verdict: ${cases:-no test cases}; ${tally:-no summary}" \
  "(schemathesis $("$ST" --version | awk '{print $NF}'), seed $SEED, ${elapsed}s)"
exit "$status"
