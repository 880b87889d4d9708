"""`jixiao audit`: a performance office's check of the tables units submitted."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from scoring.cli.common import Progress, shown


def _opinion_names(files: list[Path], roots: list[Path]) -> list[str]:
    """审核意见 file name of each input: its path below the folder given, joined, so two units'
    自评表.docx in different folders do not overwrite each other; with its format when two
    inputs differ only in it (某局.docx and the 某局.pdf printed from it)."""
    stems = []
    for path in files:
        parts = (path.stem,)
        for root in roots:
            if root.is_dir():
                try:
                    parts = path.relative_to(root).with_suffix("").parts
                    break
                except ValueError:
                    continue
        stems.append("_".join(parts))
    seen = Counter(stems)
    names = [f"{stem}_{path.suffix.lstrip('.').lower()}" if seen[stem] > 1 else stem
             for stem, path in zip(stems, files)]
    taken: Counter = Counter()
    unique = []
    for name in names:  # still the same (u1/自评表.docx and u2/自评表.docx named one by one): numbered
        taken[name] += 1
        unique.append(f"{name}_{taken[name]}" if names.count(name) > 1 else name)
    return [f"{name}_审核意见.docx" for name in unique]


def audit_command(args: argparse.Namespace) -> int:
    from scoring.audit.audit import audit_file, files_in, to_data
    from scoring.audit.model import KINDS
    from scoring.audit.settings import Options
    from scoring.core.differences import CAUSES
    from scoring.core.numbers import plain

    options = Options(args.template, args.precision, args.rounding)
    if args.template:  # a wrong name is said once, before any file is read
        from scoring.sources.templates import require_template

        require_template(args.template)
    files = files_in(args.inputs)
    progress = Progress("审核")
    named = {Path(p) for p in args.inputs if not Path(p).is_dir()}
    audits = _audit_all(files, named, options, progress, args.jobs, audit_file)
    if args.json:
        sys.stdout.write(json.dumps(to_data(audits), ensure_ascii=False, indent=2) + "\n")
    else:
        for a in audits:
            if a.error:
                print(f"错误：{a.error}", file=sys.stderr)
                continue
            if not a.tables:
                print(f"跳过 {a.file}：其中没有自评表", file=sys.stderr)
                continue
            print(f"{a.file}：{len(a.tables)} 张自评表，发现 {a.findings} 处问题")
            for t in a.tables:
                totals = f"印刷总分 {plain(t.printed_total) if t.printed_total is not None else '（未印）'}，" \
                         f"计算总分 {plain(t.computed_total) if t.computed_total is not None else '（无法计算）'}"
                print(f"  {t.where} {t.title}（{'部门整体' if t.kind == 'department' else '项目支出'}）：{totals}")
                for p in t.problems:
                    print(f"    无法计算：{p}")
                for f in t.findings:
                    row = f"三级指标“{f.level3}”" if f.level3 else ""
                    cause = f"（{CAUSES[f.cause]}）" if f.cause in CAUSES else ""
                    computed = f"，计算 {f.computed}" if f.computed is not None else ""
                    print(f"    [{KINDS[f.kind]}] {f.where} {row}印刷 {f.printed}{computed}{cause}：{f.why}")
    if not args.no_files:
        _write(audits, files, [Path(p) for p in args.inputs], Path(args.output), args.json)
    if any(a.error for a in audits):
        return 1
    return 2 if args.strict and any(a.findings or any(t.problems for t in a.tables) for a in audits) else 0


def _audit_all(files: list[Path], named: set[Path], options, progress, jobs: int | None, audit_file) -> list:
    """Every file audited, in several processes when there are many (each file's result is small)."""
    workers = min(jobs or os.cpu_count() or 1, len(files))
    if workers < 2 or len(files) < 8:
        audits = []
        for n, path in enumerate(files, 1):
            audits.append(audit_file(path, options, str(path), path in named))
            progress(n, len(files))
        return audits
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        audits = []
        for n, a in enumerate(pool.map(audit_file, files, [options] * len(files), [str(p) for p in files],
                                       [p in named for p in files],
                                       chunksize=max(1, min(16, len(files) // (workers * 4)))), 1):
            audits.append(a)
            progress(n, len(files))
    return audits


def _write(audits: list, files: list[Path], roots: list[Path], folder: Path, quiet: bool) -> None:
    from scoring.audit.opinion import write_opinion
    from scoring.audit.summary import write_summary

    out = sys.stderr if quiet else sys.stdout
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for a, name in zip(audits, _opinion_names(files, roots)):
        if a.tables or a.error:  # a file passed over (no table in it) gets no opinion
            write_opinion(a, folder / name)
            written += 1
    summary = write_summary([a for a in audits if a.tables or a.error], folder / "审核汇总.xlsx")
    print(f"已写出 {written} 份审核意见和审核汇总表 {shown(summary)}，保存在 {shown(folder)}", file=out)
