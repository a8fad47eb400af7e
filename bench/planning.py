#!/usr/bin/env python3
"""The planning views and export at 50 and 100,000 tasks (started by bench/planning.sh).

One server (HS256) on a fresh SQLite file (or PostgreSQL with --database-url); a user
with 50 tasks and one with 100,000, imported in batches of 10,000 through
`POST …/tasks/import` (due dates spread over a year around today, a third repeating).
Then wrk on the list (newest first), `view=today`, `view=upcoming` and `sort=position`
(the manual order), and one timed export of each user, JSON and CSV, with the server's
peak RSS during it. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402

BATCH = 10_000


def rows(n: int, today: dt.date) -> list[dict]:
    out = []
    for i in range(n):
        task = {"title": f"Planned task {i}", "priority": ("low", "medium", "high")[i % 3]}
        if i % 4:
            task["due_date"] = (today + dt.timedelta(days=(i % 365) - 180)).isoformat()
        if i % 3 == 0:
            task["recurrence"] = "FREQ=WEEKLY"
        out.append(task)
    return out


def seed(port: int, uid: str, token: str, n: int) -> float:
    start = time.monotonic()
    today = dt.date.today()
    all_rows = rows(n, today)
    for at in range(0, n, BATCH):
        body = json.dumps(all_rows[at:at + BATCH]).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/{uid}/tasks/import", data=body,
                                     method="POST", headers={"content-type": "application/json",
                                                             **B.bearer(token)})
        with urllib.request.urlopen(req, timeout=600) as res:
            assert json.load(res)["imported"] == len(all_rows[at:at + BATCH])
    return time.monotonic() - start


def export(server: B.Server, uid: str, token: str, fmt: str) -> tuple[float, int, float]:
    """Seconds, bytes, and the server's peak RSS (MiB) while streaming one export."""
    server.reset_peak_rss()
    start = time.monotonic()
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/{uid}/tasks/export?format={fmt}",
                                 headers=B.bearer(token))
    size = 0
    with urllib.request.urlopen(req, timeout=600) as res:
        while chunk := res.read(1 << 16):
            size += len(chunk)
    return time.monotonic() - start, size, server.peak_rss_kib() / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--server-bin", type=Path, required=True)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--big", type=int, default=100_000)
    args = ap.parse_args()

    repo = Path(__file__).resolve().parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="taskdeck-planning-"))
    logdir = tmp / "logs"
    logdir.mkdir()
    load_start = B.load_avg()
    wrk = B.Wrk(args, repo / "bench")
    extra = {"JWT_EXPIRES_IN_SECS": "10800", "RATE_LIMIT": "off",
             "BODY_LIMIT_BYTES": str(8 << 20)}
    if args.database_url:
        extra["DATABASE_URL"] = args.database_url
    server = B.start_taskdeck("planning", args, tmp / "no-site", tmp / "data", tmp, logdir, extra)
    table, exports, seeded = [], [], {}
    try:
        users = {}
        for n in (50, args.big):
            uid, cookie = B.sign_up(server.port, f"plan{n}@example.com", f"Planner {n}")
            token = B.get_token(server.port, cookie)
            seeded[n] = seed(server.port, uid, token, n)
            users[n] = (uid, token)
        for n, (uid, token) in users.items():
            for label, query in (("list, newest first", ""), ("view=today", "?view=today"),
                                 ("view=upcoming", "?view=upcoming"),
                                 ("my order", "?sort=position")):
                runs = []
                for _ in range(args.repeat):
                    r = wrk.run(f"{label}, {n}", server, f"/api/{uid}/tasks{query}", token=token)
                    if r.unexpected:
                        raise SystemExit(f"{label}: {r.problems()}")
                    runs.append(r)
                    time.sleep(0.5)
                table.append((label, n, statistics.median(r.rps for r in runs),
                              statistics.median(r.p99_ms for r in runs),
                              max(r.rss_mib for r in runs)))
            for fmt in ("json", "csv"):
                exports.append((n, fmt, *export(server, uid, token, fmt)))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n## Planning bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {backend})\n")
    print(f"`{args.server_bin}`; load average {load_start} at the start, {B.load_avg()} at the "
          f"end; wrk -t{args.threads} -c{args.connections} -d{args.duration}s on the same cores, "
          f"medians of {args.repeat}. Seeding by import: "
          + ", ".join(f"{n:,} tasks in {s:.1f} s" for n, s in seeded.items()) + ".\n")
    print("| request | tasks | req/s | p99 ms | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for label, n, rps, p99, rss in table:
        print(f"| GET {label} | {n:,} | {rps:,.0f} | {p99:.1f} | {rss:.0f} |")
    print("\n| export | tasks | seconds | MB | server peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for n, fmt, secs, size, rss in exports:
        print(f"| {fmt} | {n:,} | {secs:.2f} | {size / 1e6:.1f} | {rss:.0f} |")


if __name__ == "__main__":
    main()
