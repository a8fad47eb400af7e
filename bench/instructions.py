#!/usr/bin/env python3
"""Instructions per request, counted by callgrind (started by bench/instructions.sh).

Wall-clock figures move with whatever else the machine does; instruction counts do not.
For each binary and JWT mode, the server runs under `valgrind --tool=callgrind` on a
fresh SQLite database with one user and 50 tasks. For each endpoint: a warm-up, then
callgrind's counters are zeroed (`callgrind_control -z`), `--requests` requests are
sent one after another on one keep-alive connection, and the counters are dumped
(`callgrind_control -d`). Instructions per request = the dump's total over all the
server's threads / requests. The client's own work is not counted; neither is the
kernel's (system calls), which callgrind cannot see.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402  (the shared helpers of bench/run.sh)

MODES = ("HS256", "EdDSA")
NEW_TASK = json.dumps({"title": "Written by the counter", "description": "A task"})
RETITLE = json.dumps({"title": "Renamed by the counter"})


def requests(port: int, method: str, path: str, auth: dict, n: int, body=None) -> None:
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    headers = dict(auth)
    if body:
        headers["Content-Type"] = "application/json"
    for _ in range(n):
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        res.read()
        if res.status >= 300:
            raise SystemExit(f"{method} {path}: {res.status}")
    conn.close()


def control(flag: str, pid: int) -> None:
    subprocess.run(["callgrind_control", flag, str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def dumped_total(out_dir: Path, before: set[Path]) -> int:
    """The `totals:` of the newest dump, waiting for it to be written."""
    for _ in range(600):
        new = [p for p in out_dir.glob("callgrind.out.*") if p not in before]
        for p in new:
            m = re.search(r"^(?:totals|summary):\s+(\d+)", p.read_text(errors="replace"), re.M)
            if m:
                return int(m.group(1))
        time.sleep(0.1)
    raise SystemExit("callgrind wrote no dump")


def measure(name: str, binary: Path, mode: str, args, tmp: Path) -> dict[str, float]:
    data, out_dir = tmp / f"data-{mode}", (args.keep or tmp) / f"{name}-{mode}"
    out_dir.mkdir(parents=True)
    logdir = tmp / "logs"
    logdir.mkdir(exist_ok=True)
    port = B.free_port()
    env = {
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}", "LEPTOS_SITE_ROOT": str(tmp / "no-site"),
        "LEPTOS_OUTPUT_NAME": "taskdeck", "LEPTOS_SITE_PKG_DIR": "pkg",
        "DATA_DIR": str(data), "BETTER_AUTH_SECRET": B.SECRET, "RUST_LOG": "warn",
        "JWT_ALGORITHM": mode, "JWT_EXPIRES_IN_SECS": "10800", "RATE_LIMIT": "off",
    }
    argv = ["valgrind", "--tool=callgrind", "--dump-instr=no", "--collect-jumps=no",
            f"--callgrind-out-file={out_dir}/callgrind.out.%p", str(binary)]
    shutil.rmtree(data, ignore_errors=True)
    server = B.start_server(f"callgrind-{mode}", argv, env, tmp, logdir, port, "/healthz")
    pid = server.proc.pid
    try:
        uid, cookie = B.sign_up(port, "counted@example.com", "Counted")
        token = B.get_token(port, cookie)
        ids = B.seed_via_api(port, uid, token, B.SEED_TASKS)
        tasks = f"/api/{uid}/tasks"
        bearer, session = {"Authorization": f"Bearer {token}"}, {"Cookie": cookie}
        out = {}
        for label, method, path, body, auth in (
                ("GET /api/me", "GET", "/api/me", None, bearer),
                ("GET list, 50 tasks", "GET", tasks, None, bearer),
                ("POST create", "POST", tasks, NEW_TASK, bearer),
                ("PUT update, title only", "PUT", f"{tasks}/{ids[0]}", RETITLE, bearer),
                ("GET get-session (cookie)", "GET", "/api/auth/get-session", None, session)):
            requests(port, method, path, auth, args.warmup, body)
            before = set(out_dir.glob("callgrind.out.*"))
            control("-z", pid)
            requests(port, method, path, auth, args.requests, body)
            control("-d", pid)
            out[label] = dumped_total(out_dir, before) / args.requests
            for dump in set(out_dir.glob("callgrind.out.*")) - before:
                dump.rename(out_dir / (re.sub(r"\W+", "-", label).strip("-") + ".callgrind"))
            B.log(f"{binary} {mode} {label}: {out[label]:,.0f} instructions/request")
        return out
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--server-bin", type=Path, required=True)
    ap.add_argument("--before-bin", type=Path)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the dumps here, one per endpoint "
                    "(<build>-<mode>/<endpoint>.callgrind, for callgrind_annotate)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="taskdeck-instructions-"))
    builds = {"now": args.server_bin}
    if args.before_bin:
        builds["before"] = args.before_bin
    try:
        counts = {(name, mode): measure(name, binary, mode, args, tmp)
                  for name, binary in builds.items() for mode in MODES}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n## Instructions per request (callgrind, {args.requests} requests after "
          f"{args.warmup} warm-up, one connection)\n")
    print("now: `%s`" % args.server_bin + (f"; before: `{args.before_bin}`" if args.before_bin else ""))
    print()
    if "before" in builds:
        print("| endpoint | JWT | before | now | change |")
        print("|---|---|---:|---:|---:|")
    else:
        print("| endpoint | JWT | now |")
        print("|---|---|---:|")
    for label in counts[("now", "HS256")]:
        for mode in MODES:
            now = counts[("now", mode)][label]
            if "before" in builds:
                old = counts[("before", mode)][label]
                print(f"| {label} | {mode} | {old:,.0f} | {now:,.0f} | {100 * (now / old - 1):+.1f} % |")
            else:
                print(f"| {label} | {mode} | {now:,.0f} |")


if __name__ == "__main__":
    main()
