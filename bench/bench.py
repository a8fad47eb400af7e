#!/usr/bin/env python3
"""Taskdeck vs the original FastAPI backend, side by side, on this machine.

Started by bench/run.sh (which installs wrk and the peer's virtualenv). Standard library
only. Starts the servers on free ports with fresh SQLite databases in a temporary
directory, seeds the same data into both, drives them with wrk (bench/wrk.lua), reads
each server's peak RSS (VmHWM, reset before every run) and prints a Markdown table,
also written to bench/results/latest.md. See bench/README.md for how to read it.
"""
from __future__ import annotations

import argparse
import datetime as dt
from http.client import HTTPConnection
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SECRET = "bench-secret-0123456789-abcdefghijklmnop"  # fixed, 40 characters
assert len(SECRET) == 40
PASSWORD = "bench password 0123"
BENCH_EMAIL = "bench@example.com"
SEED_TASKS = 50


def log(msg: str) -> None:
    print(f"--> {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Small HTTP client (keep-alive free, good enough for set-up requests)


def http(method: str, port: int, path: str, body=None, headers=None, timeout=30):
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=hdrs)
    res = conn.getresponse()
    raw = res.read()
    set_cookies = res.headers.get_all("Set-Cookie") or []
    conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return res.status, parsed, set_cookies, res.headers


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def now_iso(offset_ms: int = 0) -> str:
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(milliseconds=offset_ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def random_id(n: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------------------------------
# Server processes


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    def pids(self) -> list[int]:
        """The process and all its descendants (uvicorn's workers)."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def reset_peak_rss(self) -> None:
        for pid in self.pids():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to VmRSS
            except OSError:
                pass

    def peak_rss_kib(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start_server(name: str, argv: list[str], env: dict, cwd: Path, logdir: Path, port: int,
                 ready_path: str) -> Server:
    log_path = logdir / f"{name}.log"
    # Only this run's settings: drop anything inherited that either server would read.
    inherited = ("APP_ENV", "DATABASE_URL", "JWKS_URL", "RUST_LOG", "LOG_LEVEL", "DATA_DIR")
    prefixes = ("BETTER_AUTH_", "JWT_", "RATE_LIMIT", "LEPTOS_", "GLIBC_TUNABLES", "MALLOC_")
    full_env = {k: v for k, v in os.environ.items()
                if k not in inherited and not k.startswith(prefixes)}
    full_env.update(env)
    proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdout=open(log_path, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, proc, log_path)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited at start-up:\n{server.log_tail()}")
        try:
            status, _, _, _ = http("GET", port, ready_path, timeout=2)
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not answer on :{port} within 60 s:\n{server.log_tail()}")


# ---------------------------------------------------------------------------------------
# wrk


@dataclass
class Result:
    label: str
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    rss_mib: float
    requests: int
    statuses: dict = field(default_factory=dict)
    socket_errors: int = 0
    expected: tuple = (200,)

    @property
    def unexpected(self) -> int:
        bad = sum(n for code, n in self.statuses.items() if code not in self.expected)
        return bad + self.socket_errors

    def problems(self) -> str:
        parts = [f"{n}×{code}" for code, n in sorted(self.statuses.items())
                 if code not in self.expected]
        if self.socket_errors:
            parts.append(f"{self.socket_errors} socket errors")
        return ", ".join(parts) if parts else "0"


class Wrk:
    def __init__(self, args, bench_dir: Path):
        self.args = args
        self.script = bench_dir / "wrk.lua"

    def start(self, port: int, path: str, *, method="GET", body=None, token=None,
              threads=None, connections=None, duration=None) -> subprocess.Popen:
        env = dict(os.environ)
        env["BENCH_METHOD"] = method
        env["BENCH_BODY"] = json.dumps(body) if body is not None else ""
        env["BENCH_TOKEN"] = token or ""
        argv = ["wrk", f"-t{threads or self.args.threads}", f"-c{connections or self.args.connections}",
                f"-d{duration or self.args.duration}s", "--timeout", "10s", "-s", str(self.script),
                f"http://127.0.0.1:{port}{path}"]
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    @staticmethod
    def finish(proc: subprocess.Popen) -> dict:
        out, err = proc.communicate()
        for line in out.splitlines():
            if line.startswith("BENCHJSON "):
                return json.loads(line[len("BENCHJSON "):])
        raise SystemExit(f"wrk failed:\n{out}\n{err}")

    def run(self, label: str, server: Server, path: str, expected=(200,), **kw) -> Result:
        server.reset_peak_rss()
        data = self.finish(self.start(server.port, path, **kw))
        return to_result(label, server, data, expected)


def to_result(label: str, server: Server, data: dict, expected) -> Result:
    statuses: dict[int, int] = {}
    for code, n in data["statuses"]:
        statuses[code] = statuses.get(code, 0) + n
    e = data["errors"]
    secs = data["duration_us"] / 1e6
    res = Result(
        label=label,
        server=server.name,
        rps=data["requests"] / secs if secs else 0.0,
        p50_ms=data["latency_us"]["50"] / 1000,
        p99_ms=data["latency_us"]["99"] / 1000,
        rss_mib=server.peak_rss_kib() / 1024,
        requests=data["requests"],
        statuses=statuses,
        socket_errors=e["connect"] + e["read"] + e["write"] + e["timeout"],
        expected=tuple(expected),
    )
    log(f"{label:<44} {server.name:<14} {res.rps:7.0f} req/s  p50 {res.p50_ms:7.2f} ms  "
        f"p99 {res.p99_ms:7.2f} ms  rss {res.rss_mib:6.1f} MiB  unexpected {res.problems()}")
    if not server.alive():
        log(f"!! {server.name} died during '{label}':\n{server.log_tail()}")
    return res


def median_result(results: list[Result]) -> Result:
    if len(results) == 1:
        return results[0]
    base = results[0]
    statuses: dict[int, int] = {}
    for r in results:
        for code, n in r.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    return Result(
        label=base.label, server=base.server,
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        rss_mib=max(r.rss_mib for r in results),
        requests=sum(r.requests for r in results),
        statuses=statuses,
        socket_errors=sum(r.socket_errors for r in results),
        expected=base.expected,
    )


# ---------------------------------------------------------------------------------------
# Seeding


def sign_up(port: int, email: str, name: str) -> tuple[str, str]:
    status, body, cookies, _ = http("POST", port, "/api/auth/sign-up/email",
                                    {"name": name, "email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"sign-up of {email} failed: {status} {body}")
    cookie = next(c.split(";", 1)[0] for c in cookies
                  if c.startswith("better-auth.session_token=") and "Max-Age=0" not in c)
    return body["user"]["id"], cookie


def get_token(port: int, cookie: str) -> str:
    status, body, _, _ = http("GET", port, "/api/auth/token", headers={"Cookie": cookie})
    if status != 200:
        raise SystemExit(f"GET /api/auth/token failed: {status} {body}")
    return body["token"]


def seed_via_api(port: int, uid: str, token: str, n: int) -> list[int]:
    ids = []
    for i in range(n):
        status, body, _, _ = http("POST", port, f"/api/{uid}/tasks",
                                  {"title": f"Task {i + 1}",
                                   "description": f"Benchmark task number {i + 1}"},
                                  headers=bearer(token))
        if status != 201:
            raise SystemExit(f"seeding task on :{port} failed: {status} {body}")
        ids.append(body["id"])
    return ids


def td_insert_tasks(db: Path, rows: list[tuple[str, int]], chunk_title: str = "Seeded task") -> float:
    """Inserts `count` tasks for each `(user_id, count)` into Taskdeck's SQLite, in one
    transaction; returns the seconds it took."""
    t0 = time.time()
    con = sqlite3.connect(db, timeout=60)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def gen():
        k = 0
        for uid, count in rows:
            for i in range(count):
                k += 1
                t = base + dt.timedelta(milliseconds=k)
                iso = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
                yield (uid, f"{chunk_title} {i + 1}", f"Benchmark task number {i + 1}",
                       i % 3 == 0, 1, "[]", None, iso, iso)

    with con:
        con.executemany(
            'INSERT INTO "task" ("user_id","title","description","completed","priority",'
            '"tags","due_date","created_at","updated_at") VALUES (?,?,?,?,?,?,?,?,?)', gen())
    con.close()
    return time.time() - t0


def td_insert_users(db: Path, n: int) -> list[str]:
    ids = [random_id() for _ in range(n)]
    stamp = now_iso()
    con = sqlite3.connect(db, timeout=60)
    with con:
        con.executemany(
            'INSERT INTO "user" ("id","name","email","emailVerified","image","createdAt",'
            '"updatedAt") VALUES (?,?,?,0,NULL,?,?)',
            [(uid, f"Big User {i}", f"big{i}@example.com", stamp, stamp)
             for i, uid in enumerate(ids)])
    con.close()
    return ids


def peer_insert_tasks(db: Path, rows: list[tuple[str, int]]) -> float:
    t0 = time.time()
    con = sqlite3.connect(db, timeout=60)
    base = dt.datetime(2026, 1, 1)

    def gen():
        k = 0
        for uid, count in rows:
            for i in range(count):
                k += 1
                t = (base + dt.timedelta(milliseconds=k)).strftime("%Y-%m-%d %H:%M:%S.%f")
                yield (uid, f"Seeded task {i + 1}", f"Benchmark task number {i + 1}",
                       i % 3 == 0, t, t)

    with con:
        con.executemany(
            "INSERT INTO task (user_id,title,description,completed,created_at,updated_at) "
            "VALUES (?,?,?,?,?,?)", gen())
    con.close()
    return time.time() - t0


def keep_only(db: Path, table: str, uid: str, ids: list[int]) -> int:
    con = sqlite3.connect(db, timeout=60)
    with con:
        marks = ",".join("?" * len(ids))
        cur = con.execute(f'DELETE FROM "{table}" WHERE "user_id" = ? AND "id" NOT IN ({marks})',
                          [uid, *ids])
    con.close()
    return cur.rowcount


def count_rows(db: Path, table: str) -> int:
    con = sqlite3.connect(db, timeout=60)
    n = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    con.close()
    return n


# ---------------------------------------------------------------------------------------
# Report


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    try:
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem": mem, "kernel": platform.release(),
            "load": load}


def load_avg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def build_info(repo: Path, binary: Path) -> str:
    try:
        rev = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip() or "?"
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--",
                                "src", "server", "app", "migrations"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        rev, dirty = "?", ""
    built = dt.datetime.fromtimestamp(binary.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"commit {rev}{' (+ uncommitted changes)' if dirty else ''}, binary built {built}"


def fmt(v: float, digits: int = 2) -> str:
    return f"{v:,.{digits}f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--peer", type=Path, required=True)
    ap.add_argument("--server-bin", type=Path, required=True)
    ap.add_argument("--python", type=Path, required=True, help="the peer venv's python")
    ap.add_argument("--big", action="store_true", help="add the 1,000,000-task scaling step")
    ap.add_argument("--quick", action="store_true", help="3 s per run (smoke test)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="repeat each side-by-side pair N times, report medians (1)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = ap.parse_args()
    if args.quick:
        args.duration = 3
    scale_duration = max(3, args.duration // 2)

    repo: Path = args.repo.resolve()
    bench_dir = repo / "bench"
    tmp = Path(tempfile.mkdtemp(prefix="taskdeck-bench-"))
    logdir = tmp / "logs"
    logdir.mkdir()
    started_at = time.time()
    info = machine()
    built = build_info(repo, args.server_bin)
    log(f"machine: {info['nproc']} cores, {info['cpu']}; data in {tmp}")

    servers: list[Server] = []
    wrk = Wrk(args, bench_dir)
    try:
        # --- Taskdeck, HS256 and EdDSA: two processes on the same SQLite file -----------
        td_dir = tmp / "taskdeck"
        td_db = td_dir / "app.db"

        def taskdeck(name: str, extra: dict) -> Server:
            port = free_port()
            env = {
                "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
                "LEPTOS_SITE_ROOT": str(repo / "target/site"),
                "LEPTOS_OUTPUT_NAME": "taskdeck",
                "LEPTOS_SITE_PKG_DIR": "pkg",
                "DATA_DIR": str(td_dir),
                "BETTER_AUTH_SECRET": SECRET,
                "RUST_LOG": "warn",
                # Tokens are fetched once at the start; a long run (--big --repeat 3) must
                # not outlive them. The lifetime does not change what verification costs.
                "JWT_EXPIRES_IN_SECS": "10800",
                **extra,
            }
            s = start_server(name, [str(args.server_bin)], env, tmp, logdir, port, "/healthz")
            servers.append(s)
            return s

        # Sign-ups (argon2id, 19 MiB each) go through a throw-away instance, so that
        # the measured processes' peak RSS is not inflated by set-up work.
        setup = taskdeck("taskdeck-setup", {})
        uid, cookie = sign_up(setup.port, BENCH_EMAIL, "Bench User")
        scale_sizes = [100, 10_000, 100_000] + ([1_000_000] if args.big else [])
        scale_cookies = {n: sign_up(setup.port, f"scale{n}@example.com", f"Scale {n}")
                         for n in scale_sizes}
        setup.stop()
        servers.remove(setup)

        td_hs = taskdeck("taskdeck", {"JWT_ALGORITHM": "HS256"})
        td_ed = taskdeck("taskdeck-eddsa", {})
        log(f"Taskdeck HS256 on :{td_hs.port}, EdDSA on :{td_ed.port}")
        # Real JWTs from each instance for the same session: HS256 and EdDSA.
        token_hs = get_token(td_hs.port, cookie)
        token_ed = get_token(td_ed.port, cookie)
        scale_users = {n: (suid, get_token(td_hs.port, c))
                       for n, (suid, c) in scale_cookies.items()}

        # --- the FastAPI peer, HS256 and JWKS (EdDSA): two uvicorns on one SQLite file --
        peer_db = tmp / "peer.db"
        peer_env = {"BETTER_AUTH_SECRET": SECRET, "DATABASE_URL": f"sqlite:///{peer_db}"}
        subprocess.run([str(args.python), "-c",
                        "import main; main.SQLModel.metadata.create_all(main.engine)"],
                       cwd=args.peer, env={**os.environ, **peer_env}, check=True)

        def peer(name: str, extra: dict) -> Server:
            port = free_port()
            argv = [str(args.python), "-m", "uvicorn", "main:app", "--host", "127.0.0.1",
                    "--port", str(port), "--workers", "2", "--log-level", "warning"]
            s = start_server(name, argv, {**peer_env, **extra}, args.peer, logdir, port,
                             "/openapi.json")
            servers.append(s)
            return s

        peer_hs = peer("fastapi", {})
        peer_ed = peer("fastapi-jwks",
                       {"JWKS_URL": f"http://127.0.0.1:{td_ed.port}/api/auth/jwks"})
        log(f"FastAPI peer HS256 on :{peer_hs.port}, JWKS on :{peer_ed.port}")

        # --- the same 50 tasks in both, through their APIs ----------------------------
        td_ids = seed_via_api(td_hs.port, uid, token_hs, SEED_TASKS)
        peer_ids = seed_via_api(peer_hs.port, uid, token_hs, SEED_TASKS)
        list_path = f"/api/{uid}/tasks"
        for s, tok in ((td_hs, token_hs), (td_ed, token_ed), (peer_hs, token_hs),
                       (peer_ed, token_ed)):
            status, body, _, _ = http("GET", s.port, list_path, headers=bearer(tok))
            if status != 200 or len(body) != SEED_TASKS:
                raise SystemExit(f"{s.name}: list check failed: {status} {str(body)[:200]}")
        # Cross-checks: each side refuses the other algorithm's token.
        assert http("GET", peer_hs.port, list_path, headers=bearer(token_ed))[0] == 401
        assert http("GET", td_hs.port, list_path, headers=bearer(token_ed))[0] == 401
        log(f"seeded {SEED_TASKS} tasks for {uid} in both; tokens verified on all four servers")

        def pair(label: str, td: Server, pe: Server, path_td: str, path_pe: str,
                 expected=(200,), **kw) -> tuple[Result, Result]:
            a, b = [], []
            for _ in range(args.repeat):
                a.append(wrk.run(label, td, path_td, expected=expected, **kw))
                time.sleep(1)
                b.append(wrk.run(label, pe, path_pe, expected=expected, **kw))
                time.sleep(1)
            return median_result(a), median_result(b)

        side = []  # (label, td result, peer result)
        ceilings = [wrk.run("GET /api/me (JWT check only, HS256)", td_hs, "/api/me",
                            token=token_hs)]
        time.sleep(1)
        ceilings.append(wrk.run("GET /api/me (JWT check only, EdDSA)", td_ed, "/api/me",
                                token=token_ed))
        time.sleep(1)
        side.append(("GET list, 50 tasks, HS256",
                     *pair("GET list, 50 tasks, HS256", td_hs, peer_hs, list_path, list_path,
                           token=token_hs)))
        side.append(("GET list, 50 tasks, EdDSA (JWKS)",
                     *pair("GET list, 50 tasks, EdDSA", td_ed, peer_ed, list_path, list_path,
                           token=token_ed)))
        new_task = {"title": "Written by wrk", "description": "A task created under load"}
        side.append(("POST create task", *pair("POST create task", td_hs, peer_hs, list_path,
                                               list_path, expected=(201,), method="POST",
                                               body=new_task, token=token_hs)))
        side.append(("PATCH toggle complete",
                     *pair("PATCH toggle complete", td_hs, peer_hs,
                           f"{list_path}/{td_ids[0]}/complete",
                           f"{list_path}/{peer_ids[0]}/complete", method="PATCH",
                           token=token_hs)))
        removed_td = keep_only(td_db, "task", uid, td_ids)
        removed_pe = keep_only(peer_db, "task", uid, peer_ids)
        log(f"removed the tasks created under load ({removed_td} Taskdeck, {removed_pe} peer)")

        # --- big data: 1,000 other users × 100 tasks in both tables -------------------
        big_users = td_insert_users(td_db, 1000)
        t_td = td_insert_tasks(td_db, [(u, 100) for u in big_users])
        t_pe = peer_insert_tasks(peer_db, [(u, 100) for u in big_users])
        log(f"big data: 100,000 tasks of 1,000 users inserted (Taskdeck {t_td:.1f} s, "
            f"peer {t_pe:.1f} s)")
        side.append(("GET list, 50 tasks, +100k rows of 1,000 other users",
                     *pair("GET list, big table, HS256", td_hs, peer_hs, list_path, list_path,
                           token=token_hs)))

        # --- scaling: one user with 100 … 100,000 (1,000,000) tasks, limit=50 --------
        scaling = []
        for n in scale_sizes:
            suid, stoken = scale_users[n]
            secs = td_insert_tasks(td_db, [(suid, n)])
            total = count_rows(td_db, "task")
            status, _, _, hdrs = http("GET", td_hs.port, f"/api/{suid}/tasks?limit=50",
                                      headers=bearer(stoken))
            assert status == 200 and hdrs.get("X-Total-Count") == str(n), (status, hdrs)
            log(f"scaling: {n:,} tasks inserted in {secs:.1f} s ({total:,} rows in the table)")
            r = wrk.run(f"GET list ?limit=50, user with {n:,} tasks", td_hs,
                        f"/api/{suid}/tasks?limit=50", token=stoken, duration=scale_duration)
            scaling.append((n, total, secs, r))
            time.sleep(1)

        # --- sign-in storm: the list's latency with and without it (Taskdeck) ---------
        probe = {"threads": 1, "connections": 2}
        storm_idle = wrk.run("GET list, alone (probe -c2)", td_hs, list_path, token=token_hs,
                             **probe)
        time.sleep(1)
        td_hs.reset_peak_rss()
        storm_proc = wrk.start(td_hs.port, "/api/auth/sign-in/email", method="POST",
                               body={"email": BENCH_EMAIL, "password": PASSWORD},
                               threads=1, connections=16)
        time.sleep(0.5)
        probe_proc = wrk.start(td_hs.port, list_path, token=token_hs,
                               duration=max(1, args.duration - 1), **probe)
        probe_data = Wrk.finish(probe_proc)
        storm_data = Wrk.finish(storm_proc)
        storm_probe = to_result("GET list, during sign-in storm (probe -c2)", td_hs, probe_data,
                                (200,))
        storm = to_result("POST sign-in/email storm (-c16)", td_hs, storm_data, (200,))
        time.sleep(1)

        # --- server health after the run ---------------------------------------------
        health = []
        for s in servers:
            text = s.log_path.read_text(errors="replace")
            lines = [l for l in text.splitlines() if l.strip()]
            bad = [l for l in lines if any(w in l for w in ("ERROR", "WARN", "panicked",
                                                            "Traceback", "Exception"))]
            # Python tracebacks: the exception lines say what happened.
            causes = [l.strip() for l in lines
                      if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Warning)\b.*:", l)]
            sample = list(dict.fromkeys(causes or bad))[:3]
            health.append((s, s.alive(), len(bad), len(causes), sample))
    finally:
        for s in servers:
            s.stop()

    # --- the report ------------------------------------------------------------------
    load_end = load_avg()
    date = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    elapsed = time.time() - started_at
    out = []
    w = out.append
    w(f"# Taskdeck vs the FastAPI peer ({date})")
    w("")
    w(f"Machine: `nproc` = {info['nproc']}, {info['cpu']}, {info['mem']}, Linux "
      f"{info['kernel']}; 1-min load average {info['load']} at the start, {load_end} at the "
      f"end. Shared machine: expect ±10-20 % noise; compare the ratios, measured side by "
      f"side in this run.")
    w(f"Taskdeck: {built}.")
    w(f"Load: `wrk -t{args.threads} -c{args.connections} -d{args.duration}s` on the same"
      f" cores as the servers"
      + (f", each pair repeated {args.repeat}× (medians)" if args.repeat > 1 else "")
      + f". Taskdeck: release binary, SQLite (WAL). Peer: FastAPI + SQLModel + PyJWT, "
      f"`uvicorn main:app --workers 2`, SQLite. Peak RSS = VmHWM reset before each run "
      f"(the peer: master + 2 workers summed). Run took {elapsed / 60:.1f} min.")
    w("")
    w("## Tasks API, side by side")
    w("")
    w("| benchmark | server | req/s | p50 ms | p99 ms | peak RSS MiB | unexpected | "
      "Taskdeck/peer req/s | Taskdeck/peer p99 |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, a, b in side:
        w(f"| {label} | Taskdeck | {fmt(a.rps, 0)} | {fmt(a.p50_ms)} | {fmt(a.p99_ms)} | "
          f"{fmt(a.rss_mib, 1)} | {a.problems()} | **{ratio(a.rps, b.rps)}** | "
          f"{ratio(a.p99_ms, b.p99_ms)} |")
        w(f"| | FastAPI | {fmt(b.rps, 0)} | {fmt(b.p50_ms)} | {fmt(b.p99_ms)} | "
          f"{fmt(b.rss_mib, 1)} | {b.problems()} | | |")
    for c, alg in zip(ceilings, ("HS256", "EdDSA")):
        w(f"| ceiling: GET /api/me, {alg} (verifies the JWT, tiny JSON) | Taskdeck | "
          f"{fmt(c.rps, 0)} | {fmt(c.p50_ms)} | {fmt(c.p99_ms)} | {fmt(c.rss_mib, 1)} | "
          f"{c.problems()} | | |")
    w("")
    w("## Sign-in storm (Taskdeck)")
    w("")
    w("A second wrk posts `sign-in/email` (argon2id, m = 19 MiB, t = 2) with 16 connections "
      "while a light probe (`-t1 -c2`) lists tasks; the probe alone is the idle baseline.")
    w("")
    w("| measurement | req/s | p50 ms | p99 ms | peak RSS MiB | unexpected |")
    w("|---|---:|---:|---:|---:|---:|")
    for r in (storm_idle, storm_probe, storm):
        w(f"| {r.label} | {fmt(r.rps, 1 if r is storm else 0)} | {fmt(r.p50_ms)} | "
          f"{fmt(r.p99_ms)} | {fmt(r.rss_mib, 1)} | {r.problems()} |")
    w("")
    w(f"List p99 during the storm / idle: **{ratio(storm_probe.p99_ms, storm_idle.p99_ms)}** "
      f"(p50 {ratio(storm_probe.p50_ms, storm_idle.p50_ms)}).")
    w("")
    w(f"## Scaling (Taskdeck): `GET /api/{{uid}}/tasks?limit=50`, one user with N tasks")
    w("")
    w(f"Newest 50 first (the default sort) plus `X-Total-Count`; {scale_duration} s per run."
      " The table also holds the other users' rows (column 2).")
    w("")
    w("| tasks of the user | rows in the table | insert s | req/s | p50 ms | p99 ms | "
      "peak RSS MiB | unexpected |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, total, secs, r in scaling:
        w(f"| {n:,} | {total:,} | {secs:.1f} | {fmt(r.rps, 0)} | {fmt(r.p50_ms)} | "
          f"{fmt(r.p99_ms)} | {fmt(r.rss_mib, 1)} | {r.problems()} |")
    w("")
    w("## Server logs")
    w("")
    for s, alive, nbad, ncauses, sample in health:
        state = "running to the end" if alive else "**exited early**"
        what = f"{nbad} warning/error lines"
        if ncauses:
            what += f", {ncauses} exceptions"
        w(f"- {s.name}: {state}; {what}" +
          ("" if not sample else ": `" + "` / `".join(x[:200] for x in sample) + "`"))
    report = "\n".join(out) + "\n"

    print(report)
    results = bench_dir / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(report)
    log(f"written to {results / 'latest.md'}")
    if args.keep:
        log(f"data kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
