"""Benchmark (not a test): render 1,000 project documents, ours against plain docxtpl.

    python bench/render.py [--documents N] [--workers W]

Both sides render the same documents from the same template
(reports/项目支出绩效自评表_tpl.docx) and the same contexts (built beforehand
from generated, scored evaluations of 20 indicators), and write .docx files:
- jixiao: `render_many` (template compiled once per worker process, each
  document an XML render appended to a pre-compressed zip), W processes;
- baseline: per document `DocxTemplate(path)`, `render(context, jinja_env,
  autoescape=True)`, `save(path)`, one document at a time. Its `vm` filter
  returns nothing (no merge post-pass), which only makes the baseline faster.
Prints documents per second for both and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import generate  # noqa: E402  (bench/score.py's generator)

from scoring.outputs.render import jinja_environment, render_many, to_context  # noqa: E402
from scoring.pipeline import run_data  # noqa: E402
from scoring.sources.resources import data_dir  # noqa: E402

TEMPLATE = data_dir("reports") / "项目支出绩效自评表_tpl.docx"


def contexts(n: int) -> list[dict]:
    out = []
    for data in generate(n, 20, seed=7):
        data["indicators"][0]["level1"] = data["indicators"][1]["level1"] = "成本指标"  # some groups
        scored = run_data(data)
        out.append(to_context(scored.evaluation, scored.result))
    return out


def baseline(ctxs: list[dict], folder: Path) -> float:
    from docxtpl import DocxTemplate

    env = jinja_environment()
    env.filters["vm"] = lambda value: ""
    start = time.perf_counter()
    for i, ctx in enumerate(ctxs):
        tpl = DocxTemplate(str(TEMPLATE))
        tpl.render(ctx, env, autoescape=True)
        tpl.save(str(folder / f"baseline_{i}.docx"))
    return time.perf_counter() - start


def ours(ctxs: list[dict], folder: Path, workers: int) -> float:
    jobs = [(str(TEMPLATE), ctx, str(folder / f"jixiao_{i}.docx")) for i, ctx in enumerate(ctxs)]
    start = time.perf_counter()
    render_many(jobs, workers=workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    ctxs = contexts(args.documents)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fast = ours(ctxs, folder, args.workers)
        slow = baseline(ctxs, folder)
    n = args.documents
    print(f"{n} 份项目支出绩效自评表（每份 20 个三级指标），{os.cpu_count()} 核")
    print(f"jixiao（{args.workers} 个进程）：{fast:.2f} 秒，{n / fast:,.0f} 份/秒")
    print(f"docxtpl 逐份渲染（单进程）：{slow:.2f} 秒，{n / slow:,.0f} 份/秒")
    print(f"倍数：{slow / fast:.1f}×")


if __name__ == "__main__":
    main()
