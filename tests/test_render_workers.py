"""Worker processes of `jixiao render` end with the command: a kill -9 of the command
leaves no worker writing documents behind it."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from scoring.outputs.render import _die_with_parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; prctl is Linux's")


def _state(pid: int) -> str | None:
    """The process state letter (R, S, Z …), or None once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")


def test_killing_the_render_command_ends_its_workers(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for i in range(100):  # 500 evaluations, 1,000 documents: several seconds with two workers
        for case in EXAMPLES.glob("*.yaml"):
            shutil.copy(case, inputs / f"{i}_{case.name}")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "scoring.cli", "render", str(inputs), "-o", str(out),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            if len(workers) >= 2 and out.exists() and any(out.glob("*.docx")):
                break  # the workers exist and are writing
            time.sleep(0.02)
        assert proc.poll() is None and len(workers) >= 2, "the command ended before its workers could be seen"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(1)
        assert [pid for pid in workers if _alive(pid)] == []
        written = len(list(out.glob("*.docx")))
        time.sleep(0.5)
        assert len(list(out.glob("*.docx"))) == written  # nobody is writing any more
        assert written < 1000
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_worker_whose_parent_died_before_prctl_exits_at_once():
    context = multiprocessing.get_context("fork")
    # not its parent, and not alive: as if the parent had died before prctl took effect
    orphan = context.Process(target=_die_with_parent, args=(2**22 + 12345,))
    orphan.start()
    orphan.join(timeout=30)
    assert orphan.exitcode == 1
    child = context.Process(target=_die_with_parent, args=(os.getpid(),))  # its parent is alive
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0


WATCHED_POOL = r"""
import sys, time
from concurrent.futures import ProcessPoolExecutor
from scoring.outputs.render import _watch_parent

def work(_):
    import os
    os.write(1, f"{os.getpid()}\n".encode())  # one write: the two workers' lines do not mix
    time.sleep(60)

if __name__ == "__main__":
    with ProcessPoolExecutor(2, initializer=_watch_parent) as pool:
        list(pool.map(work, range(2)))
"""


def test_where_there_is_no_prctl_a_thread_ends_the_worker_when_the_parent_ends(tmp_path):
    """The fallback used on Windows and macOS (multiprocessing's handle on the parent),
    exercised here on Linux without prctl."""
    script = tmp_path / "pool.py"
    script.write_text(WATCHED_POOL, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(proc.stdout.readline()) for _ in range(2)]
        assert all(_alive(pid) for pid in workers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(1)
        assert [pid for pid in workers if _alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
