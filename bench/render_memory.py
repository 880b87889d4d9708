"""Benchmark (not a test): `jixiao render` on a folder of N project evaluations, its peak memory.

    python bench/render_memory.py [--documents N] [--workers W] [--keep]

Writes N generated project evaluations of 20 indicators (bench/score.py's
generator) as YAML files in a temporary folder, runs the real command
`python -m scoring.cli render 文件夹 -o 输出 --no-report --workers W` as a
subprocess, and samples /proc every 50 ms: the resident memory (VmRSS) of the
command and of every process under it (its workers), summed, and the same sum in
proportional terms (Pss: a page shared by the parent and a forked worker counted
once, split between them). Prints the peaks, the command's own peak and the wall time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from score import generate  # noqa: E402  (bench/score.py's generator)

ROOT = HERE.parent


def write_inputs(folder: Path, n: int) -> None:
    for i, data in enumerate(generate(n, 20, seed=7)):
        data["indicators"][0]["level1"] = data["indicators"][1]["level1"] = "成本指标"  # some groups
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"{i:05d}.yaml").write_text(text, encoding="utf-8")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _kb(path: str, key: bytes) -> int:
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample(pid: int) -> tuple[int, int, int]:
    """(RSS of pid and its descendants, their Pss, pid's own RSS), in KB."""
    tree, todo, every = _children(), [pid], []
    while todo:
        p = todo.pop()
        every.append(p)
        todo += tree.get(p, [])
    rss = sum(_kb(f"/proc/{p}/status", b"VmRSS:") for p in every)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", b"Pss:") for p in every)
    return rss, pss, _kb(f"/proc/{pid}/status", b"VmRSS:")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--root", default=str(ROOT), help="the jixiao source tree to run (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "评价", Path(tmp) / "输出"
        folder.mkdir()
        write_inputs(folder, args.documents)
        command = [sys.executable, "-m", "scoring.cli", "render", str(folder), "-o", str(out), "--no-report",
                   "--workers", str(args.workers)]
        start = time.perf_counter()
        with open(Path(tmp) / "stderr.txt", "wb") as stderr:  # a pipe left unread would block the command
            proc = subprocess.Popen(command, cwd=args.root, stdout=subprocess.DEVNULL, stderr=stderr)
            peak = (0, 0, 0)
            while proc.poll() is None:
                now = sample(proc.pid)
                peak = tuple(max(a, b) for a, b in zip(peak, now))
                time.sleep(0.05)
        wall = time.perf_counter() - start
        errors = (Path(tmp) / "stderr.txt").read_text(encoding="utf-8", errors="replace")
        written = len(list(out.glob("*.docx")))
    if proc.returncode != 0:
        sys.exit(f"jixiao render 失败（退出码 {proc.returncode}）：{errors[-2000:]}")
    rss, pss, parent = (x / 1024 for x in peak)
    print(f"jixiao render：{args.documents} 份项目评价（每份 20 个三级指标），{args.workers} 个工作进程，"
          f"生成 {written} 份文档")
    print(f"用时 {wall:.1f} 秒（{written / wall:,.0f} 份/秒）")
    print(f"内存峰值（主进程与工作进程之和）：RSS {rss:,.0f} MB，PSS {pss:,.0f} MB；主进程自身 RSS {parent:,.0f} MB")


if __name__ == "__main__":
    main()
