#!/usr/bin/env bash
# What the islands' WASM is made of. Rebuilds nothing: takes the release build's own
# rustc output (cargo leptos build --release, i.e. `make build`), runs wasm-bindgen and
# wasm-opt -Oz on it as cargo-leptos does but keeping the function names (-g), then
# measures every function and data segment with twiggy and sums them by part (each
# island's own code, the Leptos runtime, wasm-bindgen glue, allocator, core/std).
#
#   bash bench/wasm-parts.sh        # needs twiggy: cargo install twiggy --locked
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
raw="$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
[ -f "$raw" ] || { echo "no $raw: run make build first" >&2; exit 1; }
command -v twiggy >/dev/null || { echo "twiggy missing: cargo install twiggy --locked" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name taskdeck "$raw"
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/taskdeck_bg.wasm" -o "$out/named.wasm"
twiggy top -n 1000000 --format csv "$out/named.wasm" > "$out/top.csv"
python3 bench/wasm_parts.py "$out/top.csv" target/site/pkg/taskdeck.wasm
