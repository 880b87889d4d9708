"""Commands of the reviewers: review-sheet, rescore, serve."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import as_argument, each_evaluation
from scoring.core.issues import ScoringError, format_issue
from scoring.core.numbers import plain
from scoring.outputs.files import safe_name
from scoring.pipeline import run_all
from scoring.sources.detect import is_spreadsheet


def review_sheet_command(args: argparse.Namespace) -> int:
    from scoring.review.records import content_hash
    from scoring.review.sheet import write_review_sheet

    every = run_all(args.input)  # a workbook: one review sheet per evaluation sheet
    failed = [s for s in every if s.evaluation is None]
    for scored in failed:
        print("\n".join(format_issue(i) for i in scored.issues), file=sys.stderr)
    usable = [s.evaluation for s in every if s.evaluation is not None]
    names: dict[str, int] = {}
    for ev in usable:
        if args.output and len(usable) == 1:
            out = Path(args.output)
        else:
            name = f"{safe_name(ev.title)}_复核表"
            names[name] = names.get(name, 0) + 1  # two sheets of one unit and project: keep both
            out = Path(args.output or ".") / (f"{name}.xlsx" if names[name] == 1 else f"{name}_{names[name]}.xlsx")
        write_review_sheet(ev, out, content_hash(ev))
        print(f"已生成复核表 {out}")
    if usable:
        print(f"请填写复核人、复核日期，以及需要调整的复核分值、复核得分和复核意见；"
              f"然后运行 jixiao rescore {as_argument(args.input)} --review 复核表 -o 复核结果")
    return 1 if failed or not usable else 0


def rescore_command(args: argparse.Namespace) -> int:
    from scoring.review import report as review_report
    from scoring.review.compare import compare
    from scoring.review.records import content_hash
    from scoring.review.rescore import apply_review
    from scoring.review.storage import load_review, save_review

    reviews = []
    failed = False
    for path in args.review or []:
        review, source, issues = load_review(path)
        for issue in issues:
            print(format_issue(issue), file=sys.stderr)
        failed |= review is None or any(i.severity == "error" for i in issues)
        if review is not None:  # applied even so: its own problems are listed in the same run
            reviews.append((Path(path), review, source))
    out = Path(args.output)
    comparisons = []
    used = set()
    for path, scored in each_evaluation(args.inputs):
        if scored.evaluation is None:
            print(f"{path}：评价文件有错误，跳过", file=sys.stderr)
            failed = True
            continue
        ev = scored.evaluation
        digest = content_hash(ev)
        mine = [(p, r, s) for p, r, s in reviews if r.input_hash == digest or (args.force and r.evaluation == ev.title)]
        if len(mine) > 1:
            raise ScoringError(f"{path}：有多份复核记录对应同一评价，请一次只应用一份")
        if not mine:
            comparisons.append(compare(ev, None, None, scored.source))
            continue
        review_path, review, source = mine[0]
        used.add(review_path)
        reviewed, issues, locator = apply_review(ev, review, source, force=args.force,
                                                 evaluation_source=scored.source)
        if reviewed is not None:
            comparison = compare(ev, reviewed, review, scored.source, locator)
            issues += [i for i in comparison.issues if i.severity == "error"]
        for issue in issues:
            print(format_issue(issue), file=sys.stderr)
        if reviewed is None or any(i.severity == "error" for i in issues):
            failed = True
            continue
        comparisons.append(comparison)
        if is_spreadsheet(review_path):  # a review sheet: keep the trail as a review record
            sheet = getattr(scored.source, "sheet", None)
            stem = f"{path.stem}_{sheet}" if sheet else path.stem
            print(f"复核记录：{save_review(review, out, stem)}")
    for path, review, _ in reviews:
        if path not in used:
            print(f"{path}：没有找到对应的评价（内容校验码不符）；评价文件可能已被修改，确认后可用 --force",
                  file=sys.stderr)
            failed = True
    if failed:
        print("复核有错误，未生成对比表。", file=sys.stderr)
        return 1
    print(review_report.write_docx(comparisons, out / "复核对比表.docx"))
    print(review_report.write_xlsx(comparisons, out / "复核对比表.xlsx"))
    for c in comparisons:
        before = "—" if c.before.total is None else plain(c.before.total)
        after = "—" if c.after.total is None else plain(c.after.total)
        print(f"  {c.title}：复核前 {before}（{c.before.grade or '—'}），复核后 {after}（{c.after.grade or '—'}）")
        if c.overall:
            print(f"    总体意见：{c.overall}")
        for line in printed_differences(c):
            print(f"    {line}")
    return 0


def printed_differences(c) -> list[str]:
    """Where the submitted table's printed numbers differ from what the engine computes."""
    lines = [f"印刷得分 {plain(r.printed)}，计算得分 {plain(r.score_before)}：{r.label}"
             for r in c.rows if r.printed is not None and r.score_before is not None and r.printed != r.score_before]
    total = c.before.total
    if c.printed_total is not None and total is not None and c.printed_total != total:
        lines.append(f"印刷总分 {plain(c.printed_total)}，计算总分 {plain(total)}")
    if c.printed_narrative_total is not None and total is not None and c.printed_narrative_total != total:
        lines.append(f"自评报告（决算说明）写 {plain(c.printed_narrative_total)} 分，自评表计算 {plain(total)} 分")
    return lines


def serve_command(args: argparse.Namespace) -> int:
    from scoring.web.app import serve

    if not 0 < args.port < 65536:
        raise ScoringError(f"端口 {args.port} 无效，请给出 1–65535 之间的数字，如 --port 8000")
    serve(args.folder, host=args.host, port=args.port, open_browser=args.open,
          allow_hosts=tuple(args.allow_host or ()))
    return 0
