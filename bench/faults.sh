#!/usr/bin/env bash
# Fault injection against Taskdeck's release binary (see bench/README.md, "Faults"):
#
#   (a) kill -9 in the middle of a write load on SQLite, restart on the same file:
#       every acknowledged (201) task is there, PRAGMA integrity_check is ok;
#   (b) the same on PostgreSQL (a database created here and dropped afterwards);
#   (c) PostgreSQL unavailable: ALLOW_CONNECTIONS false + pg_terminate_backend on this
#       script's own database (the shared PostgreSQL server keeps running): requests
#       fail fast with 503, /readyz is 503, and everything recovers by itself once
#       connections are allowed again.
#
#   bash bench/faults.sh              # about 40 s
#   ROUNDS=5 bash bench/faults.sh     # more kill -9 rounds per backend (default 3)
#
# Needs: the release binary (`make build`; not built here), python3 (standard library
# only), psql for (b) and (c) with PostgreSQL on PG_ADMIN_URL (default
# postgres://postgres@127.0.0.1:5432/test). Without PostgreSQL, (b) and (c) are skipped.
# Exit status: 0 when every check passed (or was skipped), 1 otherwise.
set -uo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
ROUNDS="${ROUNDS:-3}"
LOAD_SECS="${LOAD_SECS:-2}"
THREADS="${THREADS:-8}"
REQUEST_TIMEOUT_SECS=10

if [ ! -x "$SERVER_BIN" ]; then
  echo "faults.sh: no release binary at $SERVER_BIN."
  echo "Build it first with:  make build   (then run: bash bench/faults.sh)"
  exit 0
fi
command -v python3 >/dev/null || { echo "faults.sh: python3 is required" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-faults.XXXXXX")"
SERVER_PID=""
LOAD_PID=""
PG_DB=""
RESULTS=()
FAILED=0

say() { printf '==> %s\n' "$*" >&2; }
record() { # record PASS|FAIL|SKIP "text"
  RESULTS+=("$(printf '%-4s %s' "$1" "$2")")
  [ "$1" = FAIL ] && FAILED=1
  printf '    %-4s %s\n' "$1" "$2" >&2
}
psql_admin() { psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qAtX "$@"; }
pg_url_for() { python3 - "$PG_ADMIN_URL" "$1" <<'EOF'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, "")))
EOF
}

MAIN_PID=$$
cleanup() {
  # Background subshells inherit the trap: only the main shell cleans up.
  [ "$BASHPID" = "$MAIN_PID" ] || return 0
  # Only the processes this script started, by their ids.
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$PG_DB" ]; then
    psql_admin -c "ALTER DATABASE \"$PG_DB\" ALLOW_CONNECTIONS true" >/dev/null 2>&1
    psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the Python side: load generator, probes, verification (standard library only) -----
cat >"$WORK/tool.py" <<'EOF'
import http.cookiejar, json, os, sqlite3, statistics, sys, threading, time, urllib.error, urllib.request

def call(method, url, token=None, body=None, timeout=30, opener=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    started = time.monotonic()
    try:
        with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as r:
            return r.status, r.read(), time.monotonic() - started, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - started, dict(e.headers)
    except Exception as e:  # refused, reset, timeout
        return None, repr(e).encode(), time.monotonic() - started, {}

def signup(base, email):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    s, b, _, _ = call("POST", base + "/api/auth/sign-up/email",
                      body={"name": "Fault", "email": email, "password": "fault injection pw"}, opener=opener)
    assert s == 200, (s, b)
    uid = json.loads(b)["user"]["id"]
    s, b, _, _ = call("GET", base + "/api/auth/token", opener=opener)
    assert s == 200, (s, b)
    print(uid, json.loads(b)["token"])

def load(base, uid, token, out, stop, threads):
    """POSTs until `stop` exists; every 201 id is appended (and flushed) to `out`."""
    lock = threading.Lock()
    stats = {}
    f = open(out, "a", buffering=1)
    def worker(w):
        n = 0
        while not os.path.exists(stop):
            n += 1
            title = f"fault w{w} n{n} t{time.time():.3f}"
            s, b, _, _ = call("POST", f"{base}/api/{uid}/tasks", token, {"title": title, "tags": ["fault"]}, timeout=5)
            with lock:
                stats[s] = stats.get(s, 0) + 1
                if s == 201:
                    f.write(f"{json.loads(b)['id']}\t{title}\n")
                    f.flush()
            if s != 201:
                time.sleep(0.05)
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(int(threads))]
    for t in ts: t.start()
    for t in ts: t.join()
    f.close()
    print(json.dumps({str(k): v for k, v in stats.items()}))

def acked(path):
    out = {}
    for line in open(path):
        i, title = line.rstrip("\n").split("\t", 1)
        out[int(i)] = title
    return out

def verify_api(base, uid, token, ackfile):
    """Every acknowledged id is listed with its title; prints a JSON report."""
    want = acked(ackfile)
    seen, offset, total = {}, 0, None
    while True:
        s, b, _, h = call("GET", f"{base}/api/{uid}/tasks?limit=200&offset={offset}&sort=created&order=asc", token)
        assert s == 200, (s, b)
        page = json.loads(b)
        total = int({k.lower(): v for k, v in h.items()}["x-total-count"])
        for t in page:
            seen[t["id"]] = t["title"]
        offset += len(page)
        if not page or offset >= total:
            break
    missing = [i for i in want if i not in seen]
    changed = [i for i in want if i in seen and seen[i] != want[i]]
    print(json.dumps({"acknowledged": len(want), "listed": len(seen), "total": total,
                      "missing": missing[:10], "n_missing": len(missing), "changed": changed[:10]}))

def integrity(dbfile, ackfile):
    want = acked(ackfile)
    con = sqlite3.connect(dbfile)
    check = con.execute("PRAGMA integrity_check").fetchall()
    fk = con.execute("PRAGMA foreign_key_check").fetchall()
    ids = {r[0] for r in con.execute('SELECT "id" FROM "task"')}
    tags = con.execute('SELECT COUNT(*) FROM "task_tag" tt LEFT JOIN "task" t ON t."id" = tt."task_id" WHERE t."id" IS NULL').fetchone()[0]
    con.close()
    print(json.dumps({"integrity_check": [r[0] for r in check], "foreign_key_violations": len(fk),
                      "rows": len(ids), "n_missing": len([i for i in want if i not in ids]),
                      "orphan_tags": tags}))

def probe(base, method, path, token, n, timeout):
    """n concurrent requests; prints statuses and latency stats."""
    res = [None] * int(n)
    def one(k):
        body = None
        if method == "POST":
            body = ({"email": "faults-postgres@example.com", "password": "fault injection pw"}
                    if path.endswith("/sign-in/email") else {"title": "during the outage"})
        s, b, t, _ = call(method, base + path, token, body, timeout=float(timeout))
        res[k] = (s, t, b[:120].decode("utf-8", "replace"))
    ts = [threading.Thread(target=one, args=(k,)) for k in range(int(n))]
    for t in ts: t.start()
    for t in ts: t.join()
    statuses = {}
    for s, _, _ in res:
        statuses[str(s)] = statuses.get(str(s), 0) + 1
    times = [t for _, t, _ in res]
    print(json.dumps({"statuses": statuses, "max_s": round(max(times), 3),
                      "median_s": round(statistics.median(times), 3), "sample": res[0][2]}))

def wait_until(base, path, want, limit):
    started = time.monotonic()
    while time.monotonic() - started < float(limit):
        s, _, _, _ = call("GET", base + path, timeout=2)
        if s == int(want):
            print(round(time.monotonic() - started, 3)); return
        time.sleep(0.1)
    print("timeout")

if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
EOF
tool() { python3 "$WORK/tool.py" "$@"; }
json_get() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]); [v:=v[k] for k in sys.argv[2:]]; print(v if not isinstance(v,(list,dict)) else json.dumps(v))' "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME DATABASE_URL PORT: starts the binary, sets BASE and SERVER_PID. The
# port (hence BETTER_AUTH_URL, the JWT issuer and audience) stays the same across
# restarts, as in a real deployment, so tokens issued before a crash stay valid.
start_server() {
  local name="$1" db="$2" port="$3"
  BASE="http://127.0.0.1:$port"
  mkdir -p "$WORK/$name"
  env -i PATH="$PATH" HOME="$HOME" \
    BETTER_AUTH_SECRET="faults-secret-0123456789-abcdefghijklmnop" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" BETTER_AUTH_URL="$BASE" LEPTOS_SITE_ROOT="$REPO/target/site" \
    LEPTOS_OUTPUT_NAME=taskdeck LEPTOS_SITE_PKG_DIR=pkg \
    DATA_DIR="$WORK/$name" DATABASE_URL="$db" RUST_LOG=warn \
    REQUEST_TIMEOUT_SECS="$REQUEST_TIMEOUT_SECS" \
    "$SERVER_BIN" >>"$WORK/$name/server.log" 2>&1 &
  SERVER_PID=$!
  local ready
  ready="$(tool wait_until "$BASE" /healthz 200 20)"
  if [ "$ready" = timeout ]; then
    echo "server $name did not start; log:" >&2
    tail -20 "$WORK/$name/server.log" >&2
    return 1
  fi
  say "$name: server pid $SERVER_PID on $BASE (up in ${ready}s)"
}

kill9_server() {
  kill -9 "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

# crash_rounds NAME DATABASE_URL: ROUNDS x (write load, kill -9 mid-load, restart, verify).
crash_rounds() {
  local name="$1" db="$2" ack="$WORK/$1.acked" uid token stats report
  : >"$ack"
  PORT="$(free_port)"
  start_server "$name" "$db" "$PORT" || { record FAIL "$name: server did not start"; return 1; }
  read -r uid token < <(tool signup "$BASE" "faults-$name@example.com")
  UID_="$uid"; TOKEN="$token"
  local r
  for r in $(seq 1 "$ROUNDS"); do
    rm -f "$WORK/stop"
    tool load "$BASE" "$uid" "$token" "$ack" "$WORK/stop" "$THREADS" >"$WORK/load.out" &
    LOAD_PID=$!
    sleep "$LOAD_SECS"
    local before
    before="$(wc -l <"$ack")"
    kill9_server
    sleep 0.5
    touch "$WORK/stop"
    wait "$LOAD_PID"; LOAD_PID=""
    stats="$(cat "$WORK/load.out")"
    start_server "$name" "$db" "$PORT" || { record FAIL "$name round $r: no restart after kill -9"; return 1; }
    report="$(tool verify_api "$BASE" "$uid" "$token" "$ack")"
    say "$name round $r: killed with $before acknowledged so far; load statuses $stats; after restart $report"
    if [ "$(json_get "$report" n_missing)" = 0 ] && [ "$(json_get "$report" changed)" = "[]" ]; then
      record PASS "$name round $r: kill -9 under load ($THREADS writers); all $(json_get "$report" acknowledged) acknowledged tasks present after restart ($(json_get "$report" total) rows; load saw $stats)"
    else
      record FAIL "$name round $r: acknowledged tasks lost after kill -9: $report"
    fi
  done
  # Still writable after the last restart.
  local s
  s="$(tool probe "$BASE" POST "/api/$uid/tasks" "$token" 1 5)"
  [ "$(json_get "$s" statuses 201 2>/dev/null)" = 1 ] && record PASS "$name: writable after the last restart" \
    || record FAIL "$name: not writable after restart: $s"
}

# --- (a) SQLite ----------------------------------------------------------------------
say "(a) kill -9 under write load, SQLite"
mkdir -p "$WORK/sqlite"
UID_=""; TOKEN=""
if crash_rounds sqlite "$WORK/sqlite/app.db"; then
# Crash once more and check the file itself, without the server's help.
rm -f "$WORK/stop"
tool load "$BASE" "$UID_" "$TOKEN" "$WORK/sqlite.acked" "$WORK/stop" "$THREADS" >/dev/null &
LOAD_PID=$!
sleep "$LOAD_SECS"
kill9_server
touch "$WORK/stop"; wait "$LOAD_PID"; LOAD_PID=""
ls -la "$WORK/sqlite" | grep -E 'app\.db' | awk '{print "    " $5 "\t" $9}' >&2
report="$(tool integrity "$WORK/sqlite/app.db" "$WORK/sqlite.acked")"
say "sqlite: file opened by python3's sqlite3 right after kill -9: $report"
if [ "$(json_get "$report" integrity_check)" = '["ok"]' ] && [ "$(json_get "$report" n_missing)" = 0 ] \
   && [ "$(json_get "$report" foreign_key_violations)" = 0 ] && [ "$(json_get "$report" orphan_tags)" = 0 ]; then
  record PASS "sqlite: PRAGMA integrity_check ok, no FK violations, every acknowledged id in the file ($(json_get "$report" rows) rows)"
else
  record FAIL "sqlite: file check after kill -9: $report"
fi
fi

# --- (b) PostgreSQL --------------------------------------------------------------------
if ! command -v psql >/dev/null || ! psql_admin -c 'SELECT 1' >/dev/null 2>&1; then
  record SKIP "postgres: psql or $PG_ADMIN_URL unavailable, (b) and (c) skipped"
else
  PG_DB="taskdeck_faults_$$_$RANDOM"
  psql_admin -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
  PG_URL="$(pg_url_for "$PG_DB")"
  say "(b) kill -9 under write load, PostgreSQL (database $PG_DB)"
  crash_rounds postgres "$PG_URL"
  missing_sql="$(python3 - "$WORK/postgres.acked" <<'EOF' | psql "$PG_URL" -qAtX
import sys
ids = [l.split("\t", 1)[0] for l in open(sys.argv[1])]
print("SELECT COUNT(*) FROM unnest(ARRAY[%s]::bigint[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM \"task\" t WHERE t.\"id\" = a.id);" % ",".join(ids or ["-1"]))
EOF
)"
  [ "$missing_sql" = 0 ] && record PASS "postgres: every acknowledged id is in the task table (checked in SQL)" \
    || record FAIL "postgres: $missing_sql acknowledged ids missing in SQL"

  # --- (c) PostgreSQL unavailable ------------------------------------------------------
  say "(c) PostgreSQL outage for database $PG_DB (ALLOW_CONNECTIONS false + pg_terminate_backend)"
  before="$(tool probe "$BASE" GET /readyz "" 1 15)"
  say "before: /readyz $before"
  psql_admin -c "ALTER DATABASE \"$PG_DB\" ALLOW_CONNECTIONS false" >/dev/null
  terminated="$(psql_admin -c "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$PG_DB' AND pid <> pg_backend_pid()")"
  outage_started=$(date +%s.%N)
  say "outage: connections refused, $terminated backends terminated"
  limit=$REQUEST_TIMEOUT_SECS
  for probe_spec in "GET /readyz" "GET /api/$UID_/tasks" "POST /api/$UID_/tasks" "POST /api/auth/sign-in/email" "GET /api/$UID_/tasks" "GET /healthz" "GET /readyz"; do
    set -- $probe_spec
    n=10; [ "$2" = /healthz ] && n=3
    out="$(tool probe "$BASE" "$1" "$2" "$TOKEN" "$n" $((limit + 5)))"
    path="${2/$UID_/<uid>}"
    say "outage: $n x $1 $path -> $out"
    statuses="$(json_get "$out" statuses)"; max="$(json_get "$out" max_s)"
    fast="$(python3 -c "print(float('$max') < $limit)")"
    case "$2" in
      /healthz)
        [ "$statuses" = '{"200": 3}' ] && record PASS "outage: GET /healthz still 200 (process up), max ${max}s" \
          || record FAIL "outage: GET /healthz $statuses" ;;
      /readyz)
        [ "$statuses" = "{\"503\": $n}" ] && [ "$fast" = True ] \
          && record PASS "outage: $n concurrent GET /readyz -> 503, max ${max}s (request timeout ${limit}s)" \
          || record FAIL "outage: GET /readyz -> $statuses, max ${max}s" ;;
      *)
        [ "$statuses" = "{\"503\": $n}" ] && [ "$fast" = True ] \
          && record PASS "outage: $n concurrent $1 $path -> $statuses, max ${max}s (< ${limit}s)" \
          || record FAIL "outage: $n concurrent $1 $path -> $statuses, max ${max}s (limit ${limit}s)" ;;
    esac
  done
  outage_secs=$(python3 -c "import time; print(round(time.time() - $outage_started, 1))")
  psql_admin -c "ALTER DATABASE \"$PG_DB\" ALLOW_CONNECTIONS true" >/dev/null
  recovered="$(tool wait_until "$BASE" /readyz 200 30)"
  if [ "$recovered" = timeout ]; then
    record FAIL "recovery: /readyz not 200 within 30 s after ALLOW_CONNECTIONS true"
  else
    record PASS "recovery: /readyz 200 ${recovered}s after connections were allowed again (outage lasted ${outage_secs}s, no restart)"
  fi
  post="$(tool probe "$BASE" POST "/api/$UID_/tasks" "$TOKEN" 10 15)"
  list="$(tool probe "$BASE" GET "/api/$UID_/tasks" "$TOKEN" 10 15)"
  say "after recovery: 10 x POST -> $post; 10 x GET -> $list"
  [ "$(json_get "$post" statuses)" = '{"201": 10}' ] && [ "$(json_get "$list" statuses)" = '{"200": 10}' ] \
    && record PASS "recovery: 10 concurrent creates 201 and 10 lists 200 (max $(json_get "$post" max_s)s / $(json_get "$list" max_s)s)" \
    || record FAIL "recovery: POST $post / GET $list"
  stop_server
fi

echo
echo "== Taskdeck fault injection: $(date -u +%FT%TZ), $(nproc) cores, binary $SERVER_BIN"
echo "== commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'), $ROUNDS kill -9 rounds per backend, $THREADS writers, request timeout ${REQUEST_TIMEOUT_SECS}s"
for line in "${RESULTS[@]}"; do echo "$line"; done
if [ "$FAILED" = 0 ]; then echo "== all checks passed"; else echo "== SOME CHECKS FAILED"; fi
exit "$FAILED"
