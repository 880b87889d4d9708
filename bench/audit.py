"""Benchmark (not a test): audit a folder of 1,000 submitted .docx tables.

    python bench/audit.py [--documents N] [--jobs J]

Makes N project evaluations of 20 indicators (bench/score.py's generator),
writes them as YAML and renders them with the real `jixiao render` (untimed);
then, in one of every ten documents, changes one printed row score in
word/document.xml, as a unit's hand-typed table would have it. Timed: the real
`jixiao audit FOLDER` command, run as a user runs it (a new process: start-up,
reading every .docx, recomputing, comparing), first without writing documents
(`--no-files`), then writing the N 审核意见.docx and the 审核汇总.xlsx. Prints
each time and documents per second; the goal is under 30 s for 1,000 on this
2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from score import generate  # noqa: E402

JIXIAO = [str(Path(sys.executable).parent / "jixiao")]  # the installed command, as users run it


def _mutate(path: Path) -> None:
    """The first row's printed 得分 raised by 1.5, in word/document.xml, as a hand-typed table has it."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["word/document.xml"].decode()
    start = xml.rindex("<w:tr", 0, xml.index("三级指标"))
    header_end = xml.index("</w:tr>", start)
    labels = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<w:tc>.*?</w:tc>", xml[start:header_end], re.S)]
    column = labels.index("得分")
    row_end = xml.index("</w:tr>", header_end + 7)
    cells = list(re.finditer(r"<w:tc>.*?</w:tc>", xml[header_end:row_end], re.S))
    cell = cells[column]
    text = re.search(r"<w:t(?: [^>]*)?>([^<]+)</w:t>", cell[0])
    at = header_end + cell.start() + text.start(1)
    xml = xml[:at] + f"{float(text[1]) + 1.5:g}" + xml[at + len(text[1]):]
    parts["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _run(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(JIXIAO + args, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    n = args.documents
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sources, submitted = tmp / "yaml", tmp / "submitted"
        sources.mkdir()
        for i, data in enumerate(generate(n, 20, seed=11)):
            (sources / f"{i:05d}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        done = subprocess.run(JIXIAO + ["render", str(sources), "-o", str(submitted)], capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(f"jixiao render failed: {done.stderr[-2000:]}")
        for extra in [*submitted.glob("*.xlsx"), *submitted.glob("*绩效自评报告.docx")]:
            extra.unlink()  # the render's 汇总表 and narrative reports: the submissions are the tables
        documents = sorted(submitted.glob("*.docx"))
        for path in documents[::10]:
            _mutate(path)
        jobs = ["--jobs", str(args.jobs)]
        quick, done = _run(["audit", str(submitted), "--json", "--no-files", *jobs])
        if done.returncode != 0:
            sys.exit(f"jixiao audit failed: {done.stderr[-2000:]}")
        data = json.loads(done.stdout)
        tables = sum(len(f["tables"]) for f in data["files"])
        findings = sum(len(t["findings"]) for f in data["files"] for t in f["tables"])
        full, done = _run(["audit", str(submitted), "-o", str(tmp / "out"), *jobs])
        if done.returncode != 0:
            sys.exit(f"jixiao audit failed: {done.stderr[-2000:]}")
    print(f"{len(documents)} 份 .docx（每份一张 20 个三级指标的项目支出绩效自评表，其中 {len(documents[::10])} 份改动了一个得分），"
          f"{os.cpu_count()} 核，{args.jobs} 个进程")
    print(f"jixiao audit --no-files：{quick:.2f} 秒，{len(documents) / quick:,.0f} 份/秒；读出 {tables} 张表，"
          f"{findings} 处问题")
    print(f"jixiao audit（写出每份审核意见.docx 和审核汇总.xlsx）：{full:.2f} 秒，{len(documents) / full:,.0f} 份/秒")


if __name__ == "__main__":
    main()
