"""Running jixiao as a user would, under caps: a 2 GiB address space (RLIMIT_AS), a
20 s limit, its own process group (so a timeout kills its workers too), and its peak
resident memory read from wait4, so no other process's memory is counted."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

ADDRESS_SPACE = 2 * 1024 ** 3
TIME_LIMIT = 20.0


@dataclass
class Ran:
    code: int  # negative: killed by that signal
    out: str
    seconds: float
    peak_mb: float
    timed_out: bool


def run_capped(args: list[str], cwd: Path, root: Path = ROOT) -> Ran:
    """`python -m scoring.cli ARGS` under the caps; the peak RSS of that process (and its
    workers) from wait4, so other tests' memory is never counted."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        os.setsid()

    log = cwd / "输出.txt"
    env = {**os.environ, "PYTHONPATH": str(root), "JIXIAO_DEBUG": ""}
    start = time.perf_counter()
    with log.open("wb") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "scoring.cli", *args], cwd=cwd, stdout=handle,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, preexec_fn=limit)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(TIME_LIMIT, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return Ran(proc.returncode, log.read_text(encoding="utf-8", errors="replace"), seconds,
               usage.ru_maxrss / 1024, timed_out.is_set())
