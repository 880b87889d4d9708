"""Benchmark (not a test): `run_data` on one process and on two, only small results crossing.

The evaluations of bench/score.py (same generator, same seed) are scored through the
full pipeline (`run_data`: plain data → validated, parsed, scored, cross-checked):
- on one process, in the measuring process itself;
- on two worker processes (forked, so each has the generated data and the imported
  package already; started before the clock starts), each scoring half the
  evaluations from empty caches and sending back, per evaluation, only its total and
  its row scores: what a batch needs to collect, not the models and results (pickling
  those costs more than scoring them).
Both produce the same totals and row scores (checked). Prints indicators per second
for one and two processes and their ratio, by wall time and by processor time (for two
processes, the longer of the two workers': what the pair gives when each has a core,
which a machine busy with other work does not give them); and, where a baseline tree is measured
(as in bench/score.py: by default the commit issue 18 starts from; --against DIR,
--no-baseline), the same two figures of the baseline and ours against them. Each
measurement runs in a fresh process, ours and the baseline's alternately, --repeat
times; medians are printed.

    python bench/score_parallel.py [--evaluations N] [--indicators K] [--seed S] [--repeat R]
                                   [--against DIR | --no-baseline]
"""

from __future__ import annotations

import gc
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import (  # noqa: E402
    GOAL_TWO,
    _child_main,
    arguments,
    clear_caches,
    generate,
    goal_line,
    measure_alternately,
)

_DATA: list[dict] = []  # the generated evaluations, inherited by the forked workers


def score_share(bounds: tuple[int, int]) -> list:
    """Score evaluations lo..hi from empty caches; per evaluation (total, row scores)."""
    from scoring.pipeline import run_data

    clear_caches()
    lo, hi = bounds
    out = []
    for item in _DATA[lo:hi]:
        result = run_data(item).result
        out.append(None if result is None else (result.total, tuple(row.score for row in result.indicators)))
    return out


def _ready(_: int) -> int:
    return 0


def _timed_share(bounds: tuple[int, int]) -> tuple[float, list]:
    """`score_share`, with the processor time the worker used for it."""
    start = time.process_time()
    out = score_share(bounds)
    return time.process_time() - start, out


def measure(n: int, k: int, seed: int) -> dict:
    """Both figures once, in this process and two forked workers."""
    global _DATA
    import scoring.pipeline  # noqa: F401  (imported before forking: the workers inherit it)

    _DATA = generate(n, k, seed)
    gc.freeze()  # set-up, not rescanned by the collector (and shared by the workers, untouched)
    start, cpu = time.perf_counter(), time.process_time()
    one = score_share((0, n))
    single, single_cpu = time.perf_counter() - start, time.process_time() - cpu

    half = n // 2
    clear_caches()  # the workers start from empty caches of their own
    gc.collect()
    gc.freeze()  # what the parent holds (the one-process results) is not the workers' to scan
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_ready, range(2), chunksize=1)  # both workers started before the clock
        start = time.perf_counter()
        timed = pool.map(_timed_share, [(0, half), (half, n)], chunksize=1)
        double = time.perf_counter() - start
    parts = [out for _, out in timed]
    if parts[0] + parts[1] != one:
        raise SystemExit("两个进程的计分结果与单进程不同")
    errors = sum(r is None or r[0] is None for r in one)
    return {"one": n * k / single, "two": n * k / double, "one_cpu": n * k / single_cpu,
            "two_cpu": n * k / max(cpu for cpu, _ in timed), "errors": errors}


def main() -> None:
    if "--child" in sys.argv:
        _child_main(sys.argv[1:], measure)
        return
    args = arguments(__doc__.splitlines()[0], 10_000)
    count = args.evaluations * args.indicators
    ours, theirs = measure_alternately(
        args, f"评价 {args.evaluations} 份 × 指标 {args.indicators} 个 = {count} 个指标，完整流水线 run_data，"
              f"两进程各算一半、只传回每份评价的总分和各行得分；测 {args.repeat} 次取中位数", __file__)
    for label, runs in (("本树", ours), ("基线", theirs)):
        if not runs:
            continue
        one, two = statistics.median(r["one"] for r in runs), statistics.median(r["two"] for r in runs)
        cpu, cpu2 = statistics.median(r["one_cpu"] for r in runs), statistics.median(r["two_cpu"] for r in runs)
        print(f"{label}：单进程每秒 {one:,.0f} 个指标；两进程每秒 {two:,.0f} 个指标，为单进程的 {two / one:.2f} 倍")
        print(f"  按进程 CPU 时间（两进程取用时较长的一个；机器繁忙时受影响较小）：单进程每秒 {cpu:,.0f}，"
              f"两进程每秒 {cpu2:,.0f}，为单进程的 {cpu2 / cpu:.2f} 倍")
    if theirs:
        for key, label in (("one", "单进程"), ("two", "两进程")):
            now, before = statistics.median(r[key] for r in ours), statistics.median(r[key] for r in theirs)
            print(f"{label}：本树为基线的 {now / before:.2f} 倍")
    # the goal is of two processes against the baseline on one (its figure of 94,000 was one process's)
    for key, clock in (("two", "按实际耗时"), ("two_cpu", "按进程 CPU 时间")):
        print(goal_line(f"两进程（{clock}）", statistics.median(r[key] for r in ours), GOAL_TWO,
                        statistics.median(r[key.replace("two", "one")] for r in theirs) if theirs else None))
    if any(r["errors"] for r in ours + theirs):
        print("注意：有评价出现错误（基准数据应全部有效）", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
