"""Benchmark (not a test): render 300 project documents, ours against plain docxtpl, per core.

    python bench/render.py [--documents N] [--workers W]

Both sides render the same documents from the same template
(reports/项目支出绩效自评表_tpl.docx) and the same contexts (built beforehand
from generated, scored evaluations of 20 indicators), twice:
- in memory, per core: jixiao's `document_bytes` (template compiled once, each
  document an XML render, its rendered parts checked as every output is
  (`outputs.xmlcheck`), appended to a pre-compressed zip) against, per document,
  `DocxTemplate(path)`, `render(context, jinja_env, autoescape=True)`,
  `save(BytesIO)`; 20 documents of each in turn in one process, timed in CPU
  seconds, so that other work on the machine does not tilt the ratio;
- as files: `render_many` in W processes (default 1: per core), each file written
  atomically and flushed to disk (fsync, as `outputs.files` writes every output),
  against docxtpl's `save(path)` (no fsync), one document at a time.
The baseline's `vm` filter returns nothing (no merge post-pass), which only makes it
faster. Prints documents per second for both and the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import generate  # noqa: E402  (bench/score.py's generator)

from scoring.outputs.render import (  # noqa: E402
    WordTemplate,
    document_bytes,
    jinja_environment,
    render_many,
    to_context,
)
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


def _docxtpl(env, ctx: dict, target) -> None:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(TEMPLATE))
    tpl.render(ctx, env, autoescape=True)
    tpl.save(target)


def baseline(ctxs: list[dict], folder: Path) -> float:
    """docxtpl, one document at a time, into files."""
    env = _baseline_env()
    start = time.perf_counter()
    for i, ctx in enumerate(ctxs):
        _docxtpl(env, ctx, str(folder / f"baseline_{i}.docx"))
    return time.perf_counter() - start


def _baseline_env():
    env = jinja_environment()
    env.filters["vm"] = lambda value: ""
    return env


def in_memory(ctxs: list[dict], block: int = 20) -> tuple[float, float]:
    """CPU seconds of jixiao and of docxtpl for the same documents, made in memory, in
    turns of `block` documents each (so both see the same machine, each with its caches)."""
    template = WordTemplate(TEMPLATE)  # compiled once, as each worker does
    env = _baseline_env()
    document_bytes(template, ctxs[0], "warm.docx")  # imports and caches warm
    _docxtpl(env, ctxs[0], io.BytesIO())
    ours_cpu = theirs_cpu = 0.0
    for first in range(0, len(ctxs), block):
        turn = ctxs[first:first + block]
        start = time.process_time()
        for i, ctx in enumerate(turn, first):
            document_bytes(template, ctx, f"jixiao_{i}.docx")
        middle = time.process_time()
        for ctx in turn:
            _docxtpl(env, ctx, io.BytesIO())
        ours_cpu, theirs_cpu = ours_cpu + middle - start, theirs_cpu + time.process_time() - middle
    return ours_cpu, theirs_cpu


def ours(ctxs: list[dict], folder: Path, workers: int) -> float:
    jobs = [(str(TEMPLATE), ctx, str(folder / f"jixiao_{i}.docx")) for i, ctx in enumerate(ctxs)]
    start = time.perf_counter()
    render_many(jobs, workers=workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    ctxs = contexts(args.documents)
    n = args.documents
    fast_memory, slow_memory = in_memory(ctxs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fast = ours(ctxs, folder, args.workers)
        slow = baseline(ctxs, folder)
    print(f"{n} 份项目支出绩效自评表（每份 20 个三级指标），{os.cpu_count()} 核")
    print(f"在内存中（每核，按 CPU 时间，含输出检查）：jixiao {n / fast_memory:,.0f} 份/秒，"
          f"docxtpl 逐份渲染 {n / slow_memory:,.0f} 份/秒；倍数 {slow_memory / fast_memory:.1f}×")
    print(f"写出文件（墙钟时间）：jixiao（{args.workers} 个进程，每份写盘后 fsync）{fast:.2f} 秒，"
          f"{n / fast:,.0f} 份/秒；docxtpl 逐份渲染（单进程，不 fsync）{slow:.2f} 秒，{n / slow:,.0f} 份/秒")
    print(f"倍数：{slow / fast:.1f}×（每核 {slow / fast / args.workers:.1f}×）")

if __name__ == "__main__":
    main()
