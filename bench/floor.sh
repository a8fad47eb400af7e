#!/usr/bin/env bash
# What the board costs over the browser's own floor, on this machine. Time to hydrated
# depends on the machine as much as on the page (the same build measured 175 ms on one
# machine of this kind and 118-147 ms on another), so an absolute target says little
# alone. This script loads, interleaved and cold (bench/compare.mjs --cpu 1):
#
#   - the board as served (`/`, 50 tasks, signed in);
#   - static copies of that HTML with its first 10 rows and with none (same head, CSS,
#     JS and WASM; served as plain files from a copy of the site);
#   - `/sign-in` (the same CSS, JS and WASM, one small form);
#   - an empty HTML page that marks itself hydrated at once (Chromium's own cost).
#
# and prints each one's hydrated p50 and main-thread CPU, with the paired difference
# from the board. What the rows cost is the board minus "no rows"; what the board's
# controls cost is "no rows" minus `/sign-in`; `/sign-in` minus the empty page is the
# shell, CSS and islands.
#
#   bash bench/floor.sh                 # 20 rounds (about 2 minutes)
#   RUNS=30 bash bench/floor.sh
#
# Needs the release build (`make build`; built here if missing), Debian's Chromium and
# end2end's Playwright (installed when missing, as bench/run.sh does).
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
cd "$REPO"

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taskdeck/target}"
SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
if [ ! -x "$SERVER_BIN" ] || [ ! -f target/site/pkg/taskdeck.wasm ]; then
  say "no release build: running make build (several minutes, once)"
  make build
fi
ensure_browser

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-floor.XXXXXX")
server_pid=""
trap 'stop_server; rm -rf "$work"' EXIT
cp -r target/site "$work/site"
SITE_ROOT="$work/site" start_server "$SERVER_BIN"
bench_user

curl -fs -H "cookie: $cookies" "$base/" > "$work/board.html"
python3 - "$work/board.html" "$work/site/pkg" <<'EOF'
import re, sys
board, pkg = open(sys.argv[1]).read(), sys.argv[2]
start = board.find('class="task-list">')
if start < 0:
    sys.exit("floor.sh: no task list in the board's HTML (not signed in?)")
start += len('class="task-list">')
end = board.index("</ul>", start)
rows = re.findall(r"<li .*?</li>", board[start:end], re.S)
if len(rows) != 50:
    sys.exit(f"floor.sh: {len(rows)} rows in the board's HTML, expected 50")
for name, kept in (("rows-10", rows[:10]), ("rows-0", [])):
    with open(f"{pkg}/floor-{name}.html", "w") as f:
        f.write(board[:start] + "".join(kept) + board[end:])
with open(f"{pkg}/floor-empty.html", "w") as f:
    f.write('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>empty</title>'
            '</head><body><p>empty</p><script>document.body.dataset.hydrated = "true"</script>'
            "</body></html>")
EOF

say "$(nproc) cores; ${RUNS:-20} interleaved cold loads per page"
node "$BENCH/compare.mjs" --cpu 1 --runs "${RUNS:-20}" \
  --page "$base/|$session|the board, 50 rows (served)" \
  --page "$base/pkg/floor-rows-10.html||its first 10 rows (static copy)" \
  --page "$base/pkg/floor-rows-0.html||no rows (static copy)" \
  --page "$base/sign-in||/sign-in" \
  --page "$base/pkg/floor-empty.html||an empty page"
