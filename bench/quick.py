#!/usr/bin/env python3
"""The per-request figures, quickly (started by bench/quick.sh).

For each binary (this build, and with --before-bin an older one) two servers on one
fresh SQLite file, HS256 and EdDSA, one user with 50 tasks; with --peer the FastAPI peer
too (HS256, and EdDSA through the EdDSA server's JWKS), seeded the same way. Then wrk
(bench/wrk.lua) on `GET /api/me`, `GET /api/{uid}/tasks`, `POST /api/{uid}/tasks` and a
title-only `PUT /api/{uid}/tasks/{id}` (every connection renaming the same task), every figure `--repeat` times with the binaries interleaved, so that a machine's drift
spreads over all of them; medians are printed as a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402  (the shared helpers of bench/run.sh)

MODES = ("HS256", "EdDSA")
NEW_TASK = {"title": "Written by wrk", "description": "A task created under load"}
RETITLE = {"title": "Renamed by wrk"}


def start_build(name: str, binary: Path, tmp: Path, logdir: Path, servers: list) -> dict:
    """Two servers of `binary` on one database, a user, a token from each, 50 tasks."""
    data = tmp / name
    args = argparse.Namespace(server_bin=binary)
    found = {}
    for mode in MODES:
        s = B.start_taskdeck(f"{name}-{mode}", args, tmp / "no-site", data, tmp, logdir,
                             {"JWT_ALGORITHM": mode, "JWT_EXPIRES_IN_SECS": "10800",
                              "RATE_LIMIT": "off"})
        servers.append(s)
        found[mode] = s
    uid, cookie = B.sign_up(found["HS256"].port, f"{name}@example.com", "Quick Bench")
    out = {"uid": uid}
    for mode in MODES:
        out[mode] = (found[mode], B.get_token(found[mode].port, cookie))
    out["task"] = B.seed_via_api(found["HS256"].port, uid, out["HS256"][1], B.SEED_TASKS)[0]
    return out


def start_peer(args, build: dict, tmp: Path, logdir: Path, servers: list) -> dict:
    """The FastAPI peer, HS256 and JWKS (the EdDSA server's keys), on one database,
    with the same user's 50 tasks."""
    db = tmp / "peer.db"
    env = {"BETTER_AUTH_SECRET": B.SECRET, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(args.python), "-c",
                    "import main; main.SQLModel.metadata.create_all(main.engine)"],
                   cwd=args.peer, env={**os.environ, **env}, check=True)
    ed_port = build["EdDSA"][0].port
    out = {"uid": build["uid"]}
    for mode, extra in (("HS256", {}),
                        ("EdDSA", {"JWKS_URL": f"http://127.0.0.1:{ed_port}/api/auth/jwks"})):
        port = B.free_port()
        argv = [str(args.python), "-m", "uvicorn", "main:app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "2", "--log-level", "warning"]
        s = B.start_server(f"peer-{mode}", argv, {**env, **extra}, args.peer, logdir, port,
                           "/openapi.json")
        servers.append(s)
        out[mode] = (s, build[mode][1])
    out["task"] = B.seed_via_api(out["HS256"][0].port, out["uid"], out["HS256"][1],
                                 B.SEED_TASKS)[0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--server-bin", type=Path, required=True)
    ap.add_argument("--before-bin", type=Path)
    ap.add_argument("--peer", type=Path, help="the FastAPI peer's directory")
    ap.add_argument("--python", type=Path, help="the peer venv's python")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()

    repo = Path(__file__).resolve().parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="taskdeck-quick-"))
    logdir = tmp / "logs"
    logdir.mkdir()
    load_start = B.load_avg()
    wrk = B.Wrk(args, repo / "bench")
    servers: list[B.Server] = []
    columns = {}
    try:
        columns["now"] = start_build("now", args.server_bin, tmp, logdir, servers)
        if args.before_bin:
            columns["before"] = start_build("before", args.before_bin, tmp, logdir, servers)
        if args.peer:
            columns["peer"] = start_peer(args, columns["now"], tmp, logdir, servers)
        figures = {}
        for label, path, kw in (
            ("GET /api/me", "/api/me", {}),
            ("GET list, 50 tasks", "/api/{uid}/tasks", {}),
            ("POST create", "/api/{uid}/tasks", {"method": "POST", "body": NEW_TASK}),
            ("PUT update, title only", "/api/{uid}/tasks/{task}", {"method": "PUT", "body": RETITLE}),
        ):
            expected = (201,) if kw.get("method") == "POST" else (200,)
            for mode in MODES:
                runs = {name: [] for name in columns}
                for _ in range(args.repeat):
                    for name, col in columns.items():
                        if name == "peer" and path == "/api/me":
                            continue
                        server, token = col[mode]
                        r = wrk.run(f"{label}, {mode}", server, path.format(uid=col["uid"], task=col["task"]),
                                    expected=expected, token=token, **kw)
                        if r.unexpected:
                            raise SystemExit(f"{server.name}: {label}: {r.problems()}")
                        runs[name].append(r)
                        time.sleep(0.5)
                figures[(label, mode)] = {
                    name: (statistics.median(r.rps for r in rs),
                           statistics.median(r.p99_ms for r in rs))
                    for name, rs in runs.items() if rs
                }
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    names = list(columns)
    head = "| endpoint | JWT | " + " | ".join(f"{n} req/s | {n} p99 ms" for n in names)
    ratios = [n for n in ("before", "peer") if n in columns]
    head += "".join(f" | now/{n} req/s" for n in ratios) + " |"
    print(f"\n## Quick bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
    print(f"now: `{args.server_bin}`" + (f"; before: `{args.before_bin}`" if args.before_bin else ""))
    print(f"{os.cpu_count()} cores, load average {load_start} at the start, {B.load_avg()} at "
          f"the end; wrk -t{args.threads} -c{args.connections} -d{args.duration}s on the same "
          f"cores, medians of {args.repeat} interleaved runs.\n")
    print(head)
    print("|---|---|" + "---:|" * (2 * len(names) + len(ratios)))
    for (label, mode), row in figures.items():
        cells = []
        for n in names:
            rps, p99 = row.get(n, (None, None))
            cells += ["—", "—"] if rps is None else [f"{rps:,.0f}", f"{p99:.2f}"]
        for n in ratios:
            cells.append(f"{row['now'][0] / row[n][0]:.2f}" if n in row else "—")
        print(f"| {label} | {mode} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
