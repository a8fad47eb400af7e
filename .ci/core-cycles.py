#!/usr/bin/env python3
"""Import cycles among the core crate's top-level modules (src/<name>.rs, src/<name>/).

A module uses another when its files name `crate::<other>`, directly or inside a
`use crate::{...}` group. Cycles are the strongly connected components of that graph
with more than one module. Cycles listed in .ci/known-cycles.txt (one per line, module
names sorted and separated by spaces) are reported but allowed, so that the untangling
(issue 23) can go step by step; any other cycle, or a known one that grew, fails.

Usage: core-cycles.py [SRC_DIR] [KNOWN_FILE]      exit 1 on a new cycle
"""
import re
import sys
from pathlib import Path


def modules(src: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for entry in sorted(src.iterdir()):
        if entry.is_file() and entry.suffix == ".rs" and entry.stem not in ("lib", "main"):
            found.setdefault(entry.stem, []).append(entry)
        elif entry.is_dir():
            found.setdefault(entry.name, []).extend(sorted(entry.rglob("*.rs")))
    return found


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def crate_paths(text: str) -> set[str]:
    """First segments of every `crate::...` path, groups included."""
    names: set[str] = set()
    for m in re.finditer(r"\bcrate::", text):
        rest = text[m.end():].lstrip()
        if rest.startswith("{"):
            depth, item, i = 0, "", 0
            for i, ch in enumerate(rest):
                if ch == "{":
                    depth += 1
                    if depth == 1:
                        continue
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                if depth == 1 and ch == ",":
                    names.add(item.strip().split("::")[0])
                    item = ""
                else:
                    item += ch
            names.add(item.strip().split("::")[0])
        else:
            ident = re.match(r"[A-Za-z_][A-Za-z0-9_]*", rest)
            if ident:
                names.add(ident.group(0))
    return {n for n in names if n}


def components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main() -> int:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    known_file = Path(sys.argv[2] if len(sys.argv) > 2 else ".ci/known-cycles.txt")
    mods = modules(src)
    graph = {
        name: {
            used
            for f in files
            for used in crate_paths(strip_comments(f.read_text(encoding="utf-8")))
            if used in mods and used != name
        }
        for name, files in mods.items()
    }
    known = set()
    if known_file.exists():
        for line in known_file.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                known.add(" ".join(sorted(line.split())))
    cycles = components(graph)
    new = []
    for comp in cycles:
        key = " ".join(comp)
        allowed = key in known
        print(f"cycle: {key}{' (known)' if allowed else ''}")
        if not allowed:
            new.append(key)
    if new:
        print(f"core-cycles: {len(new)} new import cycle(s) among src/*: {'; '.join(new)}")
        return 1
    gone = known - {" ".join(c) for c in cycles}
    for key in sorted(gone):
        print(f"core-cycles: the known cycle '{key}' is gone: remove it from {known_file}")
    print(f"core-cycles: no new cycle ({len(cycles)} known, {len(mods)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
