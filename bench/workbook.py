"""Benchmark (not a test): read back a unit's workbook of 200 filled-in projects.

The workbook is what `jixiao workbook` writes for the Henan project template
(funds block with four sources, 资金管理情况, goals, 20 indicators per project),
with every fill-in cell filled as a unit would: amounts, actuals (some as
percent cells holding 0.85), scores, reasons. Writing it is set-up and not
timed; then two figures are printed:
- reading: the file → one evaluation dict per sheet, with cell locations;
- reading and scoring: the same plus validation, scoring and cross-checks
  (what `jixiao score unit.xlsx` does).
Goal: reading and scoring under 2 s for 200 projects. (openpyxl alone needs
some 15 s just to open this file: its full mode formats every merged range;
hence python-calamine.)

    python bench/workbook.py [--projects N] [--indicators K] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.core import values  # noqa: E402
from scoring.outputs.workbook import build_workbook  # noqa: E402
from scoring.pipeline import score_workbook  # noqa: E402
from scoring.sources.instantiate import instantiate  # noqa: E402
from scoring.sources.templates import require_template  # noqa: E402
from scoring.sources.workbook.reader import read_workbook  # noqa: E402

LEVELS = (("成本指标", "经济成本指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"),
          ("产出指标", "时效指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标"))


def _row(rng: random.Random, i: int) -> tuple[dict, object]:
    """A target-table row and the actual a unit types for it."""
    level1, level2 = LEVELS[i % len(LEVELS)] if i >= len(LEVELS) else LEVELS[i]
    kind = rng.randrange(4)
    if kind == 0:
        t = rng.randint(60, 99)
        target, actual = f"≥{t}%", rng.randint(t - 10, 100) / 100  # a percent cell
    elif kind == 1:
        t = rng.randint(10, 5000)
        target, actual = f">{t}人", f"{rng.randint(t // 2, t * 2)}人"
    elif kind == 2:
        target, actual = rng.choice(["明显提升", "稳步提升", "合规"]), "达成"
    else:
        target, actual = "2022年12月31日前", "100%"
    return {"level1": level1, "level2": level2, "level3": f"指标{i}", "target": target}, actual


def build(path: Path, projects: int, indicators: int, seed: int) -> float:
    """Write the filled-in workbook; returns the seconds it took (the filling included)."""
    rng = random.Random(seed)
    template = require_template("henan_project")
    evaluations, actuals = [], []
    for p in range(projects):
        rows, typed = zip(*(_row(rng, i) for i in range(indicators)))
        data, issues = instantiate(template, unit="某市医疗保障局", year=2022, project=f"项目{p:03d}", rows=list(rows))
        assert not [i for i in issues if i.severity == "error"], issues
        budget = rng.randint(100, 100000) / 100
        data["funding"].update(initial_budget=budget, annual_budget=budget, executed=round(budget * 0.9, 2))
        for row in data["funds_management"]:
            row.update(score=5, problems="无")
        data["goals"] = [{"expected": "按计划完成项目", "actual": "已按计划完成"}]
        for row in data["indicators"]:
            row["reason"] = "说明"
        evaluations.append(data)
        actuals.append(typed)
    start = time.perf_counter()
    wb = build_workbook(evaluations)
    for ws, typed in zip(wb.worksheets[1:], actuals):
        header = next(r for r in range(1, 60) if ws.cell(r, 3).value == "三级指标")
        r = header
        while ws.cell(r + 1, 1).value != "总分":
            r += 1
            if not isinstance(ws.cell(r, 3).value, str):
                continue  # an empty row left for the unit's own rows
            actual = typed[int(ws.cell(r, 3).value.removeprefix("指标"))]
            cell = ws.cell(r, 5)
            cell.value = actual
            if isinstance(actual, float):
                cell.number_format = "0%"
    wb.save(path)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "unit.xlsx"
        writing = build(path, args.projects, args.indicators, args.seed)
        size = path.stat().st_size
        print(f"工作簿：{args.projects} 个项目 × {args.indicators} 个三级指标，{size / 1024:.0f} KB"
              f"（生成并填写用时 {writing:.2f} 秒，不计入）")

        start = time.perf_counter()
        read = read_workbook(path)
        reading = time.perf_counter() - start

        values.parse_value.cache_clear()
        start = time.perf_counter()
        scored = score_workbook(path)
        total = time.perf_counter() - start
    errors = sum(not s.ok for s in scored)
    print(f"读取（文件 → {len(read)} 份评价数据）：{reading:.2f} 秒")
    print(f"读取并计分（jixiao score unit.xlsx）：{total:.2f} 秒（目标 < 2 秒）")
    if errors:
        print(f"注意：{errors} 份评价有错误（基准数据应全部有效）", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
