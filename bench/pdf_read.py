"""Benchmark (not a test): read a printed PDF of many self-evaluation tables with `read_pdf`.

    python bench/pdf_read.py [--evaluations N] [--runs R]

Makes N project evaluations of 20 indicators (bench/score.py's generator), renders
them with the real `jixiao render --combined` into one 自评表汇编.docx and prints that
to PDF with LibreOffice (untimed). Timed: `read_pdf` on that PDF, R times (the
first call also starts the fork server the reading child comes from, ~0.3 s;
reported apart). Prints pages per second and milliseconds per table, medians.

Measured while writing the reader (pdfplumber 0.11.10, this 2-core machine, a
busy one): 40 evaluations → 40 pages, 80 tables: see the figures this prints.
Hostile files read by pdfplumber directly, without the child's limits: a page
of 2,000,000 line operators or 2,000,000 one-character text operators had not
finished after 400 s and held 1.3 GB; a 4 MB Flate bomb grew to the 4 GB cap in
29 s; a 50,000-page file took 24 s just to list its pages. `read_pdf` ends each
within its limits (MAX_PDF_SECONDS, MAX_PDF_MEMORY, MAX_PDF_PAGES read from the
page tree's /Count before any page is listed).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from score import generate  # noqa: E402

from scoring.sources.document.pdf import read_pdf  # noqa: E402

JIXIAO = [str(Path(sys.executable).parent / "jixiao")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sources, out = tmp / "yaml", tmp / "out"
        sources.mkdir()
        for i, data in enumerate(generate(args.evaluations, 20, seed=7)):
            (sources / f"{i:04d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        done = subprocess.run(JIXIAO + ["render", str(sources), "-o", str(out), "--combined", "--no-report"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"jixiao render failed: {done.stderr[-2000:]}")
        combined = next(out.glob("*汇编*.docx"))
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp), str(combined)],
                       check=True, capture_output=True, timeout=600)
        pdf = tmp / (combined.stem + ".pdf")
        times = []
        for _ in range(args.runs + 1):
            start = time.perf_counter()
            document = read_pdf(pdf)
            times.append(time.perf_counter() - start)
    first, median = times[0], statistics.median(times[1:])
    tables, pages = len(document.tables), document.pages
    print(f"{args.evaluations} 份项目支出绩效自评表（每份 20 个三级指标）印成一个 PDF：{pages} 页，{tables} 张表，"
          f"{sum(len(t.rows) for t in document.tables)} 行")
    print(f"read_pdf：{median:.2f} 秒（{args.runs} 次的中位数；第一次 {first:.2f} 秒，含启动子进程的 fork server），"
          f"{pages / median:.1f} 页/秒，每张表 {median / tables * 1000:.0f} 毫秒")


if __name__ == "__main__":
    main()
