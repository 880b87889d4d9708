"""Benchmark (not a test): the scored copy of a unit's workbook of 200 filled-in projects.

The workbook is bench/workbook.py's (the Henan project template, 20 indicators per
project, every fill-in cell filled), with a few problems typed in so that cells are
marked and commented. Writing it is set-up and not timed; then two figures:
- the copy alone (`write_scored_copy`: reading the grids again, planning every
  sheet, editing the workbook's parts, the atomic write);
- what `jixiao score unit.xlsx -o 已计分.xlsx` does: reading and scoring, then the copy.
Goal: under 5 s for 200 projects.

    python bench/scored_copy.py [--projects N] [--indicators K] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from openpyxl import load_workbook  # noqa: E402
from workbook import build  # noqa: E402

from scoring.core import values  # noqa: E402
from scoring.outputs.scored_copy import write_scored_copy  # noqa: E402
from scoring.pipeline import score_workbook  # noqa: E402


def spoil(path: Path, every: int = 10) -> int:
    """Type a word where a number belongs in every `every`-th project (set-up, not timed)."""
    wb = load_workbook(path)
    spoiled = 0
    for n, ws in enumerate(wb.worksheets[1:]):
        if n % every == 0:
            header = next(r for r in range(1, 60) if ws.cell(r, 3).value == "三级指标")
            ws.cell(header + 1, 5).value = "九十五"
            spoiled += 1
    wb.save(path)
    return spoiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "unit.xlsx"
        build(path, args.projects, args.indicators, args.seed)
        spoiled = spoil(path)
        size = path.stat().st_size
        print(f"工作簿：{args.projects} 个项目 × {args.indicators} 个三级指标，{size / 1024:.0f} KB，"
              f"{spoiled} 个项目各有一处错误（生成不计入）")

        values.parse_value.cache_clear()
        start = time.perf_counter()
        scored = score_workbook(path)
        scoring = time.perf_counter() - start
        start = time.perf_counter()
        made = write_scored_copy(path, scored, Path(tmp) / "已计分.xlsx")
        copying = time.perf_counter() - start
        out = made.path.stat().st_size
    marked = sum(len(s.issues) for s in scored)
    print(f"读取并计分：{scoring:.2f} 秒")
    print(f"计分副本（{marked} 个问题标注，{out / 1024:.0f} KB，保留原格式：{'是' if made.kept else '否'}）：{copying:.2f} 秒")
    print(f"合计（jixiao score unit.xlsx -o 已计分.xlsx）：{scoring + copying:.2f} 秒（目标 < 5 秒）")
    if not made.kept:
        sys.exit(1)


if __name__ == "__main__":
    main()
