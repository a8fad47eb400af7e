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
import gzip
from http.client import HTTPConnection
import json
import math
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
# OWASP's argon2id settings of equal strength, from most memory to least (the 46 MiB,
# t = 1 row is left out: it only adds memory, the cost this sweep is about).
SWEEP_PARAMS = ("m=19456,t=2,p=1", "m=12288,t=3,p=1", "m=9216,t=4,p=1", "m=7168,t=5,p=1")


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
              headers=None, threads=None, connections=None,
              duration=None) -> subprocess.Popen:
        env = dict(os.environ)
        env["BENCH_METHOD"] = method
        env["BENCH_BODY"] = json.dumps(body) if body is not None else ""
        env["BENCH_TOKEN"] = token or ""
        env["BENCH_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())
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
# Sign-in storm


def sign_in_storm(args, wrk: Wrk, server: Server, list_path: str,
                  token: str) -> tuple[Result, Result, Result]:
    """The task list's latency alone, then during a sign-in storm: a light probe
    (`-t1 -c2`) lists tasks while a second wrk posts `sign-in/email` with 16 connections.
    Returns (idle probe, probe during the storm, the storm itself)."""
    probe = {"threads": 1, "connections": 2}
    idle = wrk.run("GET list, alone (probe -c2)", server, list_path, token=token, **probe)
    time.sleep(1)
    server.reset_peak_rss()
    storm_proc = wrk.start(server.port, "/api/auth/sign-in/email", method="POST",
                           body={"email": BENCH_EMAIL, "password": PASSWORD},
                           threads=1, connections=16)
    time.sleep(0.5)
    probe_proc = wrk.start(server.port, list_path, token=token,
                           duration=max(1, args.duration - 1), **probe)
    probe_data = Wrk.finish(probe_proc)
    storm_data = Wrk.finish(storm_proc)
    during = to_result("GET list, during sign-in storm (probe -c2)", server, probe_data, (200,))
    storm = to_result("POST sign-in/email storm (-c16)", server, storm_data, (200,))
    return idle, during, storm


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
# Page figures: the signed-in board (SSR), first-load bytes, time to hydrated

BOARD_SIZES = (50, 1_000)
BOARD_LIMIT_MAX = 200  # the largest page the board renders (?limit=, LIMIT_MAX)
BROWSER_ENCODING = "gzip, deflate, br, zstd"  # what Chromium offers
CHORES = ["renew the passport", "call the plumber", "review the quarterly report",
          "buy a birthday present", "book the dentist", "water the plants",
          "file the expenses", "plan the team offsite"]


def find_site_root(args) -> Path | None:
    """The built site (pkg/taskdeck.wasm …): --site-root, else target/site in the checkout
    (where `cargo leptos build` writes it, even with CARGO_TARGET_DIR elsewhere), else
    a site/ next to the binary's target directory."""
    candidates = [args.site_root] if args.site_root else []
    candidates += [args.repo.resolve() / "target" / "site",
                   args.server_bin.resolve().parent.parent / "site"]
    for c in candidates:
        if (c / "pkg").is_dir():
            return c
    return None


def start_taskdeck(name: str, args, site_root: Path, data_dir: Path, tmp: Path,
                   logdir: Path, extra: dict | None = None) -> Server:
    port = free_port()
    env = {
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{port}",
        "LEPTOS_SITE_ROOT": str(site_root),
        "LEPTOS_OUTPUT_NAME": "taskdeck",
        "LEPTOS_SITE_PKG_DIR": "pkg",
        "DATA_DIR": str(data_dir),
        "BETTER_AUTH_SECRET": SECRET,
        "RUST_LOG": "warn",
        **(extra or {}),
    }
    return start_server(name, [str(args.server_bin)], env, tmp, logdir, port, "/healthz")


def board_task(i: int, today: dt.date) -> dict:
    """A task as a user would have it: most with a description, three priorities, some
    tags, some due dates (a few overdue), a quarter completed."""
    task = {"title": f"{CHORES[i % len(CHORES)].capitalize()} ({i + 1})",
            "priority": ("low", "medium", "high")[i % 3]}
    if i % 3:
        task["description"] = (f"Benchmark task number {i + 1}: a note of a typical length "
                               f"that says what needs doing and why.")
    tags = ([], ["home"], ["work", "urgent"], ["errands"])[i % 4]
    if tags:
        task["tags"] = tags
    if i % 5 == 0:
        task["due_date"] = (today + dt.timedelta(days=i % 30 - 7)).isoformat()
    if i % 4 == 3:
        task["completed"] = True
    return task


def seed_board(port: int, uid: str, token: str, n: int) -> float:
    """Creates n varied tasks through the API on one keep-alive connection."""
    t0 = time.time()
    today = dt.date.today()
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(n):
        conn.request("POST", f"/api/{uid}/tasks", body=json.dumps(board_task(i, today)),
                     headers={**bearer(token), "Content-Type": "application/json"})
        res = conn.getresponse()
        raw = res.read()
        if res.status != 201:
            raise SystemExit(f"seeding the board on :{port} failed: {res.status} {raw[:200]!r}")
    conn.close()
    return time.time() - t0


def get_raw(port: int, path: str, headers: dict | None = None):
    """GET without decoding: (status, body bytes as sent, lower-case headers, seconds)."""
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=dict(headers or {}))
    res = conn.getresponse()
    body = res.read()
    secs = time.perf_counter() - t0
    hdrs = {k.lower(): v for k, v in res.getheaders()}
    conn.close()
    return res.status, body, hdrs, secs


HTML_FETCHES = 6  # the same page, fetched this many times: its size can vary (see below)


def resolved_resources(html: str) -> int:
    """How many resources the SSR page serialized for hydration."""
    return len(re.findall(r"__RESOLVED_RESOURCES\[\d+\]\s*=", html))


def check_board(port: int, path: str, cookie: str, expect_total: int) -> dict:
    """Fetches the board HTML_FETCHES times, plain and with Accept-Encoding: gzip: what it
    renders ("Showing X of Y", one <li data-task-id> per task), how big it is, and how
    many resources it serialized (the size of one and the same page can vary)."""
    html_bytes, gzip_bytes, resources = [], [], []
    for _ in range(HTML_FETCHES):
        status, body, _, _ = get_raw(port, path, {"Cookie": cookie})
        html = body.decode(errors="replace")
        if status != 200 or "data-task-id=" not in html:
            raise SystemExit(f"board {path}: status {status}, no tasks in the page "
                             f"(signed in?): {html[:300]}")
        m = re.search(r"Showing (\d+) of (\d+)", html)
        rendered = len(re.findall(r"<li[^>]*\sdata-task-id=", html))
        if not m or int(m.group(1)) != rendered or int(m.group(2)) != expect_total:
            raise SystemExit(f"board {path}: rendered {rendered} tasks, footer "
                             f"{m.group(0) if m else 'missing'}, expected a total of "
                             f"{expect_total}")
        html_bytes.append(len(body))
        resources.append(resolved_resources(html))
        _, gz, _, _ = get_raw(port, path, {"Cookie": cookie, "Accept-Encoding": "gzip"})
        gzip_bytes.append(len(gz))
    return {"rendered": rendered, "total": expect_total, "html_bytes": html_bytes,
            "gzip_bytes": gzip_bytes, "resources": resources}


# The first-load target: HTML + CSS + JS + WASM as served with gzip (issue 11).
FIRST_LOAD_TARGET = 85_000


def first_load_bytes(port: int, page: str, cookie: str) -> list[dict]:
    """`page` and every /pkg/ file its HTML references (stylesheet, JS, WASM), each
    fetched three ways: no Accept-Encoding (the file itself), `gzip`, and Chromium's list.
    The HTML HTML_FETCHES times (lists of sizes), the files once."""
    _, body, _, _ = get_raw(port, page, {"Cookie": cookie} if cookie else {})
    html = body.decode(errors="replace")
    assets = list(dict.fromkeys(re.findall(r"/pkg/[A-Za-z0-9_./-]+", html)))
    rows = []
    for path in [page, *assets]:
        base = {"Cookie": cookie} if path == page and cookie else {}
        row = {"path": path, "status": 200, "raw": [], "gzip_served": [], "gzip9": [],
               "browser_served": []}
        for _ in range(HTML_FETCHES if path == page else 1):
            status, raw, rh, _ = get_raw(port, path, base)
            if status != 200:
                row.update(status=status, type=rh.get("content-type", "?").split(";")[0])
                break
            _, gz, gh, gz_secs = get_raw(port, path, {**base, "Accept-Encoding": "gzip"})
            _, br, bh, _ = get_raw(port, path, {**base, "Accept-Encoding": BROWSER_ENCODING})
            enc = gh.get("content-encoding", "identity")
            if path != page and enc == "gzip" and gzip.decompress(gz) != raw:
                raise SystemExit(f"first load: {path} gzip body does not decode to the file")
            row["raw"].append(len(raw))
            row["gzip_served"].append(len(gz))
            row["gzip9"].append(len(gzip.compress(raw, 9, mtime=0)))
            row["browser_served"].append(len(br))
            row.update({
                "type": rh.get("content-type", "?").split(";")[0],
                "gzip_encoding": enc, "gzip_ms": gz_secs * 1000,
                "browser_encoding": bh.get("content-encoding", "identity"),
                "cache_control": rh.get("cache-control", "—"),
            })
        rows.append(row)
        if row["status"] != 200:
            log(f"!! first load: {path} (referenced by the HTML) answered {row['status']}")
            continue
        log(f"first load: {path:<24} {row['type']:<24} {span(row['raw'])} B, served "
            f"{span(row['gzip_served'])} B ({row['gzip_encoding']}, {row['gzip_ms']:.0f} ms), "
            f"gzip -9 {span(row['gzip9'])} B, to Chromium {span(row['browser_served'])} B "
            f"({row['browser_encoding']})")
    return rows


def span(values: list[float], scale: float = 1, digits: int = 0) -> str:
    """"v" when all values are equal, else "min–max"."""
    lo, hi = min(values) / scale, max(values) / scale
    return fmt(lo, digits) if fmt(lo, digits) == fmt(hi, digits) else \
        f"{fmt(lo, digits)}–{fmt(hi, digits)}"


def run_hydrate(args, repo: Path, url: str, cookie: str) -> dict | str:
    """bench/hydrate.mjs in Debian's Chromium, through end2end's Playwright; a sentence
    instead of figures when something it needs is missing."""
    node = shutil.which("node")
    chromium = str(args.chromium or os.environ.get("CHROMIUM_PATH")
                   or shutil.which("chromium") or "/usr/bin/chromium")
    e2e = repo / "end2end"
    if not node:
        return "skipped: no `node` on PATH"
    if not Path(chromium).exists():
        return f"skipped: no Chromium at {chromium} (`apt-get install chromium`)"
    if not any((e2e / "node_modules" / m / "package.json").exists()
               for m in ("playwright-core", "@playwright/test")):
        return ("skipped: no Playwright in end2end/node_modules "
                "(`cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci`)")
    argv = [node, str(repo / "bench" / "hydrate.mjs"), "--url", url, "--cookie", cookie,
            "--runs", str(args.hydrate_runs), "--chromium", chromium, "--end2end", str(e2e)]
    log(f"time to hydrated: {args.hydrate_runs} cold loads of {url} in {chromium}")
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return "failed: hydrate.mjs timed out"
    for line in proc.stdout.splitlines():
        if line.startswith("HYDRATEJSON "):
            return json.loads(line[len("HYDRATEJSON "):])
    return f"failed: hydrate.mjs exited with {proc.returncode} (its errors are above)"


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def page_figures(args, repo: Path, tmp: Path, logdir: Path, wrk: Wrk,
                 servers: list[Server]) -> dict:
    """The signed-in board on its own instance and database: SSR latency and throughput,
    first-load bytes, time to hydrated. The instance is appended to `servers` (so its
    log is checked with the others) and stopped by the caller."""
    site_root = find_site_root(args)
    if site_root is None:
        return {"skipped": "no built site (target/site/pkg): `make build`, or pass "
                           "--site-root"}
    duration = max(3, args.duration // 2)
    data_dir = tmp / "pages"
    # Sign-ups (argon2id) on a throw-away instance, as above: not in the measured peak RSS.
    setup = start_taskdeck("pages-setup", args, site_root, data_dir, tmp, logdir)
    try:
        users = {n: sign_up(setup.port, f"board{n}@example.com", f"Board {n}")
                 for n in BOARD_SIZES}
    finally:
        setup.stop()
    srv = start_taskdeck("taskdeck-pages", args, site_root, data_dir, tmp, logdir)
    servers.append(srv)
    cookies = {}
    for n, (uid, cookie) in users.items():
        secs = seed_board(srv.port, uid, get_token(srv.port, cookie), n)
        log(f"pages: {n:,} tasks created through the API in {secs:.1f} s")
        cookies[n] = cookie

    small, big = BOARD_SIZES
    cases = [
        (f"`/`, user with {small:,} tasks", small, "/", {}),
        (f"`/`, user with {small:,} tasks, `Accept-Encoding: gzip`", small, "/",
         {"Accept-Encoding": "gzip"}),
        (f"`/`, user with {big:,} tasks (default page)", big, "/", {}),
        (f"`/?limit={BOARD_LIMIT_MAX}`, user with {big:,} tasks (largest page)", big,
         f"/?limit={BOARD_LIMIT_MAX}", {}),
    ]
    board = []
    for label, n, path, extra in cases:
        info = check_board(srv.port, path, cookies[n], n)
        headers = {"Cookie": cookies[n], **extra}
        one = wrk.run(f"board {path} {n} tasks {'gzip ' if extra else ''}(-c1)", srv, path,
                      headers=headers, threads=1, connections=1, duration=duration)
        time.sleep(1)
        load = wrk.run(f"board {path} {n} tasks {'gzip ' if extra else ''}"
                       f"(-c{args.connections})", srv, path, headers=headers,
                       duration=duration)
        time.sleep(1)
        board.append((label, info, one, load))

    first = first_load_bytes(srv.port, "/", cookies[small])
    first_sign_in = first_load_bytes(srv.port, "/sign-in", "")
    missing = [f"`{r['path']}` answered {r['status']}" for r in first if r["status"] != 200]
    if missing:
        # A binary built by plain `cargo build` (not cargo leptos) lacks the compile-time
        # LEPTOS_OUTPUT_NAME, and its pages then ask for `<name>_bg.wasm`.
        hydrate = (f"skipped: {', '.join(missing)}, so the page cannot hydrate (a server "
                   f"binary built without `cargo leptos` refers to `*_bg.wasm`)")
    else:
        hydrate = run_hydrate(args, repo, f"http://127.0.0.1:{srv.port}/", cookies[small])
    return {"site_root": site_root, "duration": duration, "board": board, "first": first,
            "first_sign_in": first_sign_in, "hydrate": hydrate}


def page_report(p: dict, args) -> list[str]:
    out = []
    w = out.append
    w("## Page figures (Taskdeck)")
    w("")
    if "skipped" in p:
        w(f"Skipped: {p['skipped']}.")
        w("")
        return out
    w(f"The signed-in task board at `/`, rendered on the server with its data "
      f"(`SsrMode::Async`), on a separate instance with its own SQLite database and the "
      f"site in `{p['site_root']}`. Two users, with {BOARD_SIZES[0]:,} and "
      f"{BOARD_SIZES[1]:,} tasks created through the API (most with a description, some "
      f"with tags and due dates, a quarter completed), signed in with their session "
      f"cookie. The board renders 50 tasks per page, newest first (\"Load more\" links "
      f"to `?limit=100`, … up to {BOARD_LIMIT_MAX}), so the default page of the 1,000-task "
      f"user renders 50 of them.")
    w("")
    w("### Server time to render the board")
    w("")
    w(f"`wrk -t1 -c1` (one request at a time: the server's time per page plus loopback) "
      f"and `wrk -t{args.threads} -c{args.connections}` (throughput, on the same cores), "
      f"{p['duration']} s each; no `Accept-Encoding` (uncompressed HTML) unless said. "
      f"HTML size: uncompressed, and as served with `Accept-Encoding: gzip`, over "
      f"{HTML_FETCHES} fetches (min–max when it varied).")
    w("")
    w(f"| page | tasks rendered | HTML KiB | gzip KiB | -c1 p50 ms | -c1 p99 ms | -c1 req/s | "
      f"-c{args.connections} req/s | -c{args.connections} p50 ms | "
      f"-c{args.connections} p99 ms | peak RSS MiB | unexpected |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, info, one, load in p["board"]:
        probs = ", ".join(x for x in (one.problems(), load.problems()) if x != "0") or "0"
        w(f"| {label} | {info['rendered']} of {info['total']:,} | "
          f"{span(info['html_bytes'], 1024, 1)} | {span(info['gzip_bytes'], 1024, 1)} | "
          f"{fmt(one.p50_ms)} | {fmt(one.p99_ms)} | {fmt(one.rps, 0)} | {fmt(load.rps, 0)} | "
          f"{fmt(load.p50_ms)} | {fmt(load.p99_ms)} | "
          f"{fmt(max(one.rss_mib, load.rss_mib), 1)} | {probs} |")
    w("")
    if any(len(set(info["html_bytes"])) > 1 for _, info, _, _ in p["board"]):
        counts = [n for _, info, _, _ in p["board"] for n in info["resources"]]
        w(f"The same page is not always the same HTML: over {HTML_FETCHES} fetches it "
          f"carried {span(counts)} resources serialized for hydration "
          f"(`__RESOLVED_RESOURCES[…]`), hence the size ranges.")
        w("")
    w("### First-load bytes")
    w("")
    w(f"What a browser downloads on a first visit to `/` (the {BOARD_SIZES[0]}-task user) "
      f"and to `/sign-in` (signed out): "
      f"the HTML and every `/pkg/` file it references, fetched from the running server. "
      f"*Served, gzip*: the bytes sent for `Accept-Encoding: gzip` (the server's "
      f"compression layer, on the fly, default level); *gzip -9*: the file compressed "
      f"offline at the best level, for comparison; *served to Chromium*: the bytes sent "
      f"for `Accept-Encoding: {BROWSER_ENCODING}`. The HTML was fetched {HTML_FETCHES} "
      f"times each way (min–max when it varied).")
    w("")
    for rows in (p["first"], p.get("first_sign_in", [])):
        w("| file | type | uncompressed B | served, gzip B | gzip -9 B | served to Chromium B | "
          "Cache-Control |")
        w("|---|---|---:|---:|---:|---:|---|")
        keys = ("raw", "gzip_served", "gzip9", "browser_served")
        found = [r for r in rows if r["status"] == 200]
        lo = {k: sum(min(r[k]) for r in found) for k in keys}
        hi = {k: sum(max(r[k]) for r in found) for k in keys}
        for r in rows:
            if r["status"] != 200:
                w(f"| `{r['path']}` | {r['type']} | **{r['status']}** (not in the site) | | | | |")
                continue
            w(f"| `{r['path']}` | {r['type']} | {span(r['raw'])} | {span(r['gzip_served'])} "
              f"({r['gzip_encoding']}) | {span(r['gzip9'])} | {span(r['browser_served'])} "
              f"({r['browser_encoding']}) | {r['cache_control']} |")
        w("| **total** | | " + " | ".join(f"**{span([lo[k], hi[k]])}**" for k in keys) + " | |")
        verdict = "within" if max(hi["gzip_served"], 0) <= FIRST_LOAD_TARGET else "**over**"
        w("")
        w(f"Served with gzip: {span([lo['gzip_served'], hi['gzip_served']], 1024, 1)} KiB, "
          f"{verdict} the {FIRST_LOAD_TARGET // 1000} KB target (issue 11).")
        w("")
    w("### Time to hydrated (headless Chromium)")
    w("")
    h = p["hydrate"]
    if isinstance(h, str):
        w(f"Not measured ({h}).")
        w("")
        return out
    w(f"Chromium {h['chromium']} (Debian's, headless) on the same cores as the server, "
      f"driven by `bench/hydrate.mjs` (Playwright from `end2end/`). `/` signed in "
      f"({BOARD_SIZES[0]} tasks), {h['runs']} loads, each in a fresh browser context "
      f"(empty HTTP and compiled-code caches) after one discarded warm-up load; then one "
      f"reload in the same context (a repeat visit). Times from navigation start, in the "
      f"page (`performance.now()` when `<body data-hydrated=\"true\">` appears; the other "
      f"columns from Navigation and Resource Timing; bytes transferred = the sum of "
      f"`transferSize`, headers included, 0 for what came from the HTTP cache).")
    w("")
    w("| load | runs | hydrated p50 ms | hydrated p90 ms | min–max ms | TTFB p50 ms | "
      "HTML received p50 ms | DOMContentLoaded p50 ms | wasm received p50 ms | "
      "bytes transferred |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in (("cold (fresh context)", h["cold"]),
                       ("repeat (reload, same context)", h["warm"])):
        if not runs:
            continue
        col = lambda k: [r[k] for r in runs if r.get(k) is not None]  # noqa: E731
        hyd = col("hydrated")
        wasm = col("wasm_done")
        w(f"| {name} | {len(runs)} | **{fmt(statistics.median(hyd), 0)}** | "
          f"{fmt(pct(hyd, 90), 0)} | {fmt(min(hyd), 0)}–{fmt(max(hyd), 0)} | "
          f"{fmt(statistics.median(col('ttfb')), 0)} | "
          f"{fmt(statistics.median(col('html_done')), 0)} | "
          f"{fmt(statistics.median(col('dom_content_loaded')), 0)} | "
          f"{fmt(statistics.median(wasm), 0) if wasm else '—'} | "
          f"{statistics.median(col('transfer_bytes')):,.0f} |")
    w("")
    return out


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
    ap.add_argument("--peer", type=Path, help="the FastAPI peer (not with --pages-only)")
    ap.add_argument("--server-bin", type=Path, required=True)
    ap.add_argument("--python", type=Path, help="the peer venv's python (not with --pages-only)")
    ap.add_argument("--big", action="store_true", help="add the 1,000,000-task scaling step")
    ap.add_argument("--quick", action="store_true", help="3 s per run (smoke test)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="repeat each side-by-side pair N times, report medians (1)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    ap.add_argument("--pages-only", action="store_true",
                    help="only the page figures (no peer; report in results/pages.md)")
    ap.add_argument("--no-pages", action="store_true", help="skip the page figures")
    ap.add_argument("--hydrate-runs", type=int, default=10,
                    help="cold Chromium loads for time to hydrated (10; 5 with --quick)")
    ap.add_argument("--site-root", type=Path,
                    help="the built site (default: target/site in the checkout)")
    ap.add_argument("--chromium", type=Path, help="Chromium binary (default /usr/bin/chromium)")
    ap.add_argument("--argon2-sweep", action="store_true",
                    help="only the sign-in storm, once per PASSWORD_HASH_PARAMS setting "
                         "(no peer; report in results/argon2.md)")
    ap.add_argument("--sweep-params", default=";".join(SWEEP_PARAMS),
                    help="the settings to compare, separated by ';' (OWASP's four lightest)")
    ap.add_argument("--sweep-rounds", type=int, default=2,
                    help="rounds over all settings, interleaved; medians reported (2)")
    ap.add_argument("--sweep-sign-ins", type=int, default=20,
                    help="sequential sign-ins timed per setting and round (20)")
    args = ap.parse_args()
    if args.quick:
        args.duration = 3
        if args.hydrate_runs == 10:
            args.hydrate_runs = 5
    if not (args.pages_only or args.argon2_sweep) and (args.peer is None or args.python is None):
        ap.error("--peer and --python are required (except with --pages-only)")
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
    if args.pages_only:
        pages_only(args, repo, bench_dir, tmp, logdir, wrk, info, built, started_at)
        return
    if args.argon2_sweep:
        argon2_sweep(args, bench_dir, tmp, logdir, wrk, info, built, started_at)
        return
    site_root = find_site_root(args) or repo / "target/site"
    pages = None
    try:
        # --- Taskdeck, HS256 and EdDSA: two processes on the same SQLite file -----------
        td_dir = tmp / "taskdeck"
        td_db = td_dir / "app.db"

        def taskdeck(name: str, extra: dict) -> Server:
            # Tokens are fetched once at the start; a long run (--big --repeat 3) must
            # not outlive them. The lifetime does not change what verification costs.
            s = start_taskdeck(name, args, site_root, td_dir, tmp, logdir,
                               {"JWT_EXPIRES_IN_SECS": "10800", **extra})
            servers.append(s)
            return s

        # Sign-ups (argon2id, several MiB each) go through a throw-away instance, so that
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
        storm_idle, storm_probe, storm = sign_in_storm(args, wrk, td_hs, list_path, token_hs)
        time.sleep(1)

        # --- page figures: SSR board, first-load bytes, time to hydrated ---------------
        if not args.no_pages:
            pages = page_figures(args, repo, tmp, logdir, wrk, servers)

        # --- server health after the run ---------------------------------------------
        health = server_health(servers)
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
    w("A second wrk posts `sign-in/email` (argon2id, the default `PASSWORD_HASH_PARAMS`) "
      "with 16 connections "
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
    if pages is not None:
        out.extend(page_report(pages, args))
    out.extend(health_report(health))
    write_report(out, bench_dir / "results" / "latest.md", tmp, args)


def server_health(servers: list[Server]) -> list[tuple]:
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
    return health


def health_report(health: list[tuple]) -> list[str]:
    out = ["## Server logs", ""]
    for s, alive, nbad, ncauses, sample in health:
        state = "running to the end" if alive else "**exited early**"
        what = f"{nbad} warning/error lines"
        if ncauses:
            what += f", {ncauses} exceptions"
        out.append(f"- {s.name}: {state}; {what}" +
                   ("" if not sample else ": `" + "` / `".join(x[:200] for x in sample) + "`"))
    return out


def write_report(out: list[str], path: Path, tmp: Path, args) -> None:
    report = "\n".join(out) + "\n"
    print(report)
    path.parent.mkdir(exist_ok=True)
    path.write_text(report)
    log(f"written to {path}")
    if args.keep:
        log(f"data kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def pages_only(args, repo: Path, bench_dir: Path, tmp: Path, logdir: Path, wrk: Wrk,
               info: dict, built: str, started_at: float) -> None:
    """--pages-only: the page figures alone, without the FastAPI peer. Written to
    results/pages.md, so that a full report in results/latest.md is not overwritten."""
    servers: list[Server] = []
    try:
        pages = page_figures(args, repo, tmp, logdir, wrk, servers)
        health = server_health(servers)
    finally:
        for s in servers:
            s.stop()
    date = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out = [f"# Taskdeck page figures ({date})", "",
           f"Machine: `nproc` = {info['nproc']}, {info['cpu']}, {info['mem']}, Linux "
           f"{info['kernel']}; 1-min load average {info['load']} at the start, {load_avg()} "
           f"at the end. Taskdeck: {built}. Run took "
           f"{(time.time() - started_at) / 60:.1f} min (`bench/run.sh --pages-only`).", ""]
    out.extend(page_report(pages, args))
    out.extend(health_report(health))
    write_report(out, bench_dir / "results" / "pages.md", tmp, args)


# ---------------------------------------------------------------------------------------
# --argon2-sweep: the sign-in storm once per argon2id setting


def timed_sign_ins(port: int, n: int) -> list[float]:
    """Milliseconds of `n` sign-ins, one at a time (each verifies one argon2id hash)."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, body, _, _ = http("POST", port, "/api/auth/sign-in/email",
                                  {"email": BENCH_EMAIL, "password": PASSWORD})
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit(f"sign-in on :{port} failed: {status} {body}")
    return times


def timed_gets(port: int, path: str, token: str, n: int) -> list[float]:
    """Milliseconds of `n` GETs one at a time: the HTTP and database part of a request,
    to subtract from a sign-in."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _, _, _ = http("GET", port, path, headers=bearer(token))
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise SystemExit(f"GET {path} on :{port} failed: {status}")
    return times


def sweep_once(args, params: str, site_root: Path, tmp: Path, logdir: Path, wrk: Wrk,
               n: int) -> dict:
    """One fresh server with `PASSWORD_HASH_PARAMS=params`: sign-in time alone, then the
    storm. The user is signed up on this server, so its hash has these parameters."""
    data_dir = tmp / f"sweep-{n}"
    server = start_taskdeck(f"taskdeck-{params.replace(',', '-')}-{n}", args, site_root,
                            data_dir, tmp, logdir,
                            {"JWT_ALGORITHM": "HS256", "PASSWORD_HASH_PARAMS": params})
    try:
        uid, cookie = sign_up(server.port, BENCH_EMAIL, "Bench User")
        token = get_token(server.port, cookie)
        seed_via_api(server.port, uid, token, SEED_TASKS)
        list_path = f"/api/{uid}/tasks"
        timed_sign_ins(server.port, 2)  # warm-up: the hashing thread keeps its memory
        sign_in = timed_sign_ins(server.port, args.sweep_sign_ins)
        base = timed_gets(server.port, list_path, token, args.sweep_sign_ins)
        idle, during, storm = sign_in_storm(args, wrk, server, list_path, token)
        healthy = server.alive()
    finally:
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    row = {"params": params, "sign_in_ms": statistics.median(sign_in),
           "base_ms": statistics.median(base), "idle": idle, "during": during, "storm": storm,
           "healthy": healthy}
    log(f"{params}: sign-in alone {row['sign_in_ms']:.1f} ms (list alone {row['base_ms']:.2f}"
        f" ms), {storm.rps:.1f} sign-ins/s, list p99 {idle.p99_ms:.2f} -> {during.p99_ms:.2f}"
        f" ms ({during.p99_ms / idle.p99_ms:.2f}x)")
    return row


def argon2_sweep(args, bench_dir: Path, tmp: Path, logdir: Path, wrk: Wrk, info: dict,
                 built: str, started_at: float) -> None:
    """--argon2-sweep: per setting, the time of a sign-in alone and the sign-in storm's
    effect on the task list. Rounds are interleaved (each round rotates the order), so
    the machine's drift spreads over all settings; medians and min-max are reported."""
    settings = [p.strip() for p in args.sweep_params.split(";") if p.strip()]
    site_root = find_site_root(args) or args.repo.resolve() / "target/site"
    runs: dict[str, list[dict]] = {p: [] for p in settings}
    n = 0
    for r in range(args.sweep_rounds):
        order = settings[r % len(settings):] + settings[:r % len(settings)]
        for params in order:
            log(f"round {r + 1}/{args.sweep_rounds}: PASSWORD_HASH_PARAMS={params}")
            runs[params].append(sweep_once(args, params, site_root, tmp, logdir, wrk, n))
            n += 1
            time.sleep(1)

    def med_span(values: list[float], digits: int) -> str:
        med = fmt(statistics.median(values), digits)
        return med if len(values) == 1 else f"{med} ({span(values, 1, digits)})"

    date = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out = [f"# Argon2id settings under a sign-in storm ({date})", "",
           f"Machine: `nproc` = {info['nproc']}, {info['cpu']}, {info['mem']}, Linux "
           f"{info['kernel']}; 1-min load average {info['load']} at the start, {load_avg()} "
           f"at the end. Taskdeck: {built}. {args.sweep_rounds} interleaved rounds of "
           f"{len(settings)} settings; each cell is the median over the rounds, (min–max) "
           f"after it. Run took {(time.time() - started_at) / 60:.1f} min "
           f"(`bench/run.sh --argon2-sweep`).", "",
           f"Per setting and round: a fresh release server (SQLite, HS256) whose user was "
           f"signed up with that setting; {args.sweep_sign_ins} sign-ins one at a time "
           f"(median; *≈ hash* subtracts the median of as many task-list GETs, the HTTP and "
           f"database part); then the task list alone and during a sign-in storm "
           f"(`wrk -t1 -c2` probe, `-t1 -c16` sign-ins, {args.duration} s).", "",
           "| PASSWORD_HASH_PARAMS | memory MiB | sign-in alone ms | ≈ hash ms | "
           "sign-ins/s in the storm | list p99 idle ms | list p99 in the storm ms | "
           "storm / idle p99 | unexpected |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for params in settings:
        rows = runs[params]
        m_kib = int(re.search(r"m=(\d+)", params).group(1))
        ratios = [r["during"].p99_ms / r["idle"].p99_ms for r in rows]
        problems = sum(r["during"].unexpected + r["idle"].unexpected + r["storm"].unexpected
                       for r in rows)
        out.append(
            f"| `{params}` | {m_kib / 1024:.1f} | "
            f"{med_span([r['sign_in_ms'] for r in rows], 1)} | "
            f"{med_span([r['sign_in_ms'] - r['base_ms'] for r in rows], 1)} | "
            f"{med_span([r['storm'].rps for r in rows], 1)} | "
            f"{med_span([r['idle'].p99_ms for r in rows], 2)} | "
            f"{med_span([r['during'].p99_ms for r in rows], 2)} | "
            f"**{med_span(ratios, 2)}** | {problems} |")
    dead = [r["params"] for rows in runs.values() for r in rows if not r["healthy"]]
    if dead:
        out += ["", f"**Servers that exited early:** {', '.join(dead)}."]
    write_report(out, bench_dir / "results" / "argon2.md", tmp, args)


if __name__ == "__main__":
    main()
