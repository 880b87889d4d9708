"""Benchmark (not a test): the multi-unit server under a city's upload load, over loopback.

Starts `jixiao server start` as its own process (SQLite in a temporary data folder, or
PostgreSQL with --postgres URL: that database is EMPTIED first, give a throwaway one),
with --units units of --projects projects each. Every unit's workbook holds all its
projects (one sheet each, the 慢性病专家鉴定费 example filled in; each unit's file
differs in its document properties, so mix-ups show). Each unit logs in first (not
timed), then:

(a) every unit uploads its workbook once to its first project, arriving at a random
    moment within --window seconds: p50, p95 and maximum upload-to-scored latency (the
    server scores before it answers, so the request's duration is that latency);
(b) every unit uploads it at once to its second project: the time until the last one
    is scored.

Afterwards every upload is checked in the database: stored as version 1 of the right
project with the bytes that unit sent, scored without error. The server's peak
resident memory (VmHWM) is read from /proc.

    python bench/server.py [--units 200] [--projects 10] [--window 60] [--postgres URL]

Note: the server takes one workbook per project; the unit's whole workbook is sent to
one project, so each upload reads and scores all --projects sheets (the work a unit's
workbook costs), and the sheet of that project is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import io
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select  # noqa: E402

from scoring.outputs.workbook import build_workbook  # noqa: E402
from scoring.server.accounts import hash_password  # noqa: E402
from scoring.server.database import open_store, place  # noqa: E402
from scoring.server.models import Account, Project, Scoring, Submission, Unit, now  # noqa: E402
from scoring.sources.loader import load_yaml  # noqa: E402

EXAMPLE = ROOT / "examples" / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MARK = "BENCHMARK-UNIT-XXXXXXXX"


def workbook(projects: int) -> bytes:
    data = load_yaml(EXAMPLE)[0]
    evaluations = [dict(data, project=f"项目{k + 1:02d}") for k in range(projects)]
    wb = build_workbook(evaluations)
    wb.properties.title = MARK
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def for_unit(base: bytes, n: int) -> bytes:
    """The same workbook with the unit's number in its document properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(MARK.encode(), f"BENCHMARK-UNIT-{n:08d}".encode())
            dst.writestr(item, data)
    return out.getvalue()


def prepare(where, units: int, projects: int) -> None:
    store = open_store(where)
    hashed = hash_password(PASSWORD)  # one hash for every account: making 200 would take half a minute
    with store.session() as db:
        for n in range(units):
            unit = Unit(name=f"单位{n:04d}", contact=f"联系人{n}", created=now())
            db.add(unit)
            db.flush()
            db.add_all(Project(unit_id=unit.id, year=2022, name=f"项目{k + 1:02d}", template="henan_project",
                               contact="", created=now()) for k in range(projects))
            db.add(Account(name=f"填报人{n:04d}", role="reporter", unit_id=unit.id, password_hash=hashed,
                           disabled=False, session_epoch=0, created=now()))
        db.commit()
    store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    def __init__(self, base: str, n: int):
        self.base, self.n = base, n
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.projects: list[int] = []

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=600) as answer:
            return answer.read().decode("utf-8")

    def login(self) -> None:
        token = CSRF.search(self.get("/login"))[1]
        body = urllib.parse.urlencode({"csrf": token, "name": f"填报人{self.n:04d}", "password": PASSWORD}).encode()
        with self.opener.open(urllib.request.Request(self.base + "/login", body), timeout=600) as answer:
            page = answer.read().decode("utf-8")
        self.projects = [int(p) for p in dict.fromkeys(re.findall(r'href="/projects/(\d+)"', page))]
        self.token = CSRF.search(page)[1]

    def upload(self, project: int, content: bytes) -> float:
        boundary = secrets.token_hex(16)
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{self.token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"unit{self.n}.xlsx\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.base}/projects/{project}/upload", body,
                                         {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        started = time.perf_counter()
        with self.opener.open(request, timeout=600) as answer:
            page = answer.read().decode("utf-8")
        took = time.perf_counter() - started
        if "已保存为第 1 版，没有错误" not in page:
            raise RuntimeError(f"unit {self.n}: upload not scored cleanly")
        return took


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def check(where, units: int, sent: dict[int, bytes]) -> None:
    store = open_store(where)
    with store.session() as db:
        rows = db.execute(select(Submission.version, Submission.sha256, Project.name, Unit.name, Scoring.errors)
                          .join(Project, Submission.project_id == Project.id).join(Unit, Project.unit_id == Unit.id)
                          .join(Scoring, Scoring.submission_id == Submission.id)).all()
    store.close()
    expected = {(f"单位{n:04d}", name): hashlib.sha256(sent[n]).hexdigest() for n in range(units)
                for name in ("项目01", "项目02")}
    got = {(unit, name): sha for version, sha, name, unit, errors in rows if version == 1 and errors == 0}
    if got != expected or len(rows) != 2 * units:
        raise RuntimeError(f"uploads lost or mixed up: {len(rows)} rows, {len(got)} clean, {2 * units} expected")


def run(label: str, where, args, base_bytes: bytes) -> None:
    prepare(where, args.units, args.projects)
    port = free_port()
    command = [sys.executable, "-m", "scoring.cli", "server", "start", "--data", str(where.data), "--port", str(port)]
    if where.sqlite_file is None:
        command += ["--database", where.url]
    log = open(where.data.parent / f"{label}.log", "wb")  # read when something fails; a pipe would fill up
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.1)
        clients = [Client(base, n) for n in range(args.units)]
        sent = {n: for_unit(base_bytes, n) for n in range(args.units)}
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda c: c.login(), clients))
        rng = random.Random(args.seed)
        arrivals = {c.n: rng.uniform(0, args.window) for c in clients}
        start = time.perf_counter()

        def arriving(c: Client) -> float:
            time.sleep(max(0.0, start + arrivals[c.n] - time.perf_counter()))
            return c.upload(c.projects[0], sent[c.n])

        with ThreadPoolExecutor(args.units) as pool:
            latencies = list(pool.map(arriving, clients))
        barrier = threading.Barrier(args.units)

        def at_once(c: Client) -> float:
            barrier.wait()
            c.upload(c.projects[1], sent[c.n])
            return time.perf_counter()

        with ThreadPoolExecutor(args.units) as pool:
            started = time.perf_counter()
            ends = list(pool.map(at_once, clients))
        burst = max(ends) - started
        peak = peak_mb(server.pid)
        check(where, args.units, sent)
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"{label}: (a) {args.units} uploads within {args.window:.0f} s: p50 {statistics.median(latencies):.3f} s, "
              f"p95 {q[94]:.3f} s, max {max(latencies):.3f} s; (b) {args.units} at once: last scored after "
              f"{burst:.1f} s; every upload stored and scored, none mixed up; server peak memory {peak:.0f} MB")
    except Exception:
        log.flush()
        sys.stderr.write((where.data.parent / f"{label}.log").read_text(encoding="utf-8", errors="replace")[-3000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--postgres", help="a throwaway PostgreSQL database (EMPTIED first): postgresql+psycopg://…")
    args = parser.parse_args()
    base_bytes = workbook(args.projects)
    print(f"workbook: {args.projects} project sheets, {len(base_bytes) // 1024} KB; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as folder:
        run("SQLite", place(Path(folder) / "sqlite"), args, base_bytes)
        if args.postgres:
            engine = create_engine(args.postgres)
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP OWNED BY CURRENT_USER")
            engine.dispose()
            run("PostgreSQL", place(Path(folder) / "pg", database=args.postgres), args, base_bytes)


if __name__ == "__main__":
    main()
