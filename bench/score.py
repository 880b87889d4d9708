"""Benchmark (not a test): score 10,000 generated evaluations of 20 indicators each.

Two figures are printed:
- the full pipeline from plain data (as read from YAML or a workbook): validating
  it into models, parsing every target and actual string, scoring, cross-checks;
- the scoring stage alone: validated models → results, parsing included.
Both start with the value parser's caches empty, and the evaluations are
generated with varied numbers, so the cache sees the spread of strings real
tables have, not one string repeated. YAML reading itself is not timed.

    python bench/score.py [--evaluations N] [--indicators K] [--seed S]

Prints indicators per second (one core: the run is single-threaded).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.core import values  # noqa: E402
from scoring.core.model import Evaluation  # noqa: E402
from scoring.pipeline import run_data, score  # noqa: E402

QUALITATIVE = ["相关", "科学", "合理", "完整", "合规", "健全", "公开", "规范", "明显提升", "稳步提升", "有所减轻"]
UNITS = ["人", "次", "家", "人次", "个"]


def _row(rng: random.Random, i: int, weight: int) -> dict:
    kind = rng.randrange(6)
    if kind == 0:  # positive percentage
        t = rng.randint(60, 99)
        target, actual = f"≥{t}%", f"{rng.randint(t - 20, 100)}%"
    elif kind == 1:  # reverse percentage
        t = rng.randint(1, 30)
        target, actual = f"≤{t}%", f"{rng.randint(0, 2 * t)}%"
    elif kind == 2:  # counts
        t = rng.randint(1, 200000)
        unit = rng.choice(UNITS)
        target, actual = f">{t} {unit}", f"{rng.randint(t // 2, t * 2)}{unit}"
    elif kind == 3:  # amounts with completion rates
        target, actual = f"{rng.randint(1, 900)}万元", f"{rng.randint(20, 100)}%"
    elif kind == 4:  # qualitative
        word = rng.choice(QUALITATIVE)
        target, actual = word, rng.choice([word, "100%", "达成"])
    else:  # deadlines
        target = f"{rng.choice([2021, 2022, 2023])}年12月31日前"
        actual = "100%"
    return {"level1": "产出指标", "level2": "数量指标", "level3": f"指标{i}", "target": target,
            "actual": actual, "weight": weight, "reason": "原因说明"}


def generate(n: int, k: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    base, extra = divmod(90, k)
    weights = [base + (1 if i < extra else 0) for i in range(k)]
    evaluations = []
    for e in range(n):
        budget = rng.randint(1, 100000) / 100
        evaluations.append({
            "kind": "project", "unit": f"单位{e % 97}", "year": 2022, "project": f"项目{e}",
            "funding": {"weight": 10, "initial_budget": str(budget), "annual_budget": str(budget),
                        "executed": str(round(budget * rng.uniform(0.6, 1), 2))},
            "indicators": [_row(rng, i, w) for i, w in enumerate(weights)],
        })
    return evaluations


def _clear_caches() -> None:
    """Cold caches, so that every distinct target and actual string is parsed."""
    values.parse_value.cache_clear()
    values.parse_actual.cache_clear()
    values.trend.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = generate(args.evaluations, args.indicators, args.seed)
    count = args.evaluations * args.indicators
    print(f"评价 {args.evaluations} 份 × 指标 {args.indicators} 个 = {count} 个指标（单线程）")

    gc.freeze()  # the generated input is set-up: keep the collector from rescanning it
    _clear_caches()
    errors = 0
    start = time.perf_counter()
    for item in data:
        errors += not run_data(item).ok
    full = time.perf_counter() - start

    evaluations = [Evaluation.model_validate(item) for item in data]
    gc.freeze()
    _clear_caches()
    start = time.perf_counter()
    for evaluation in evaluations:
        score(evaluation)
    scoring = time.perf_counter() - start

    print(f"完整流水线（输入校验 + 指标值解析 + 计分 + 交叉校验）：{full:.2f} 秒，"
          f"indicators per second: {count / full:,.0f}")
    print(f"计分阶段（已校验的模型 → 结果，含指标值解析，缓存清空）：{scoring:.2f} 秒，"
          f"indicators per second: {count / scoring:,.0f}")
    if errors:
        print(f"注意：{errors} 份评价有错误（基准数据应全部有效）", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
