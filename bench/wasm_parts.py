"""Sums twiggy's per-item sizes of the islands' WASM by part; prints a Markdown table.

Usage: python3 bench/wasm_parts.py top.csv shipped.wasm (see bench/wasm-parts.sh)."""
import csv
import gzip
import sys
from pathlib import Path

# First match wins: (label, name prefixes or substrings).
PARTS = [
    ("swap engine (fetch, swap, ordering, stream, events)", ["app::islands::swap"]),
    ("board island: its behaviours (add, toggle, delete, edit, undo, notices)",
     ["app::islands::board", "BoardIsland", "app::board_dom"]),
    ("theme toggle island: its own code", ["app::islands::theme_toggle", "ThemeToggle"]),
    ("Leptos: tachys (DOM rendering, hydration)", ["tachys"]),
    ("Leptos: reactive_graph (owner, effects)", ["reactive_graph"]),
    ("Leptos: other (leptos, hydration_context, any_spawner, …)",
     ["leptos", "hydration_context", "any_spawner", "throw_error", "or_poisoned", "frontend::"]),
    ("wasm-bindgen, js-sys, web-sys, futures glue",
     ["wasm_bindgen", "js_sys", "web_sys", "__wbg", "__wbindgen", "futures", "wbg"]),
    ("allocator (dlmalloc) and alloc", ["dlmalloc", "__rdl", "__rust_", "alloc::", "<alloc"]),
    ("hash maps (hashbrown)", ["hashbrown", "core::hash"]),
    ("core and std (fmt, str, panics, …)", ["core::", "<core", "std::", "<std", "<&", "<str", "<char", "compiler_builtins"]),
    ("data segments (strings, tables)", ["data[", "data segment"]),
]


def part_of(name: str) -> str:
    for label, keys in PARTS:
        if any(k in name for k in keys):
            return label
    return "other (unnamed code, tables, types)"


def main(csv_path: str, shipped: str) -> None:
    totals: dict[str, int] = {}
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            name, size = row["Name"], int(row["ShallowSize"])
            # -g keeps names in custom sections; the shipped file has none.
            if name.startswith("custom section") or "subsection" in name or name.startswith("Σ"):
                continue
            totals[part_of(name)] = totals.get(part_of(name), 0) + size
    whole = sum(totals.values())
    data = Path(shipped).read_bytes()
    print(f"Shipped `{shipped}`: {len(data):,} B, {len(gzip.compress(data, 9)):,} B gzip -9. "
          f"Parts of the same code with names kept ({whole:,} B, names excluded):\n")
    print("| part | bytes | share |")
    print("|---|---:|---:|")
    for label, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {size:,} | {100 * size / whole:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
