"""Commands that score and write results: score, demo, render."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import Progress, each_evaluation, scored_or_refused, shown
from scoring.core.issues import ScoringError, format_issue
from scoring.outputs.show import format_text, to_json, to_json_data
from scoring.pipeline import run, run_all
from scoring.sources.detect import inputs, is_spreadsheet


def _refused(path, scored, what: str) -> None:
    """A file with errors left out of a batch: say which, and each error at its place."""
    print(f"{path}：有错误，{what}：", file=sys.stderr)
    for issue in scored.issues:
        if issue.severity == "error":
            print(f"  {format_issue(issue)}", file=sys.stderr)


def score_command(args: argparse.Namespace) -> int:
    files = inputs(args.files)
    single = len(files) == 1 and not Path(args.files[0]).is_dir()
    if args.output and not single:
        raise ScoringError("-o（计分副本）只能用于一个文件：请逐个运行 jixiao score 文件 -o 已计分.xlsx")

    def copy(scored: list) -> None:  # -o: the input with the results and problems in its cells
        if args.output and scored:
            from scoring.outputs.scored_copy import copy_path, write_scored_copy

            made = write_scored_copy(files[0], scored, copy_path(files[0], Path(args.output)))
            rebuilt = "" if made.kept else "（按单元格的值重建，原格式未保留）"
            print(f"已写出计分副本 {made.path}{rebuilt}：计算得分、偏差度和问题说明在表格右侧，"
                  "有问题的单元格已标色并附批注", file=sys.stderr if args.json else sys.stdout)

    if single and not is_spreadsheet(files[0]):  # one YAML file: output exactly as before
        scored = run_all(files[0])[0]
        sys.stdout.write(to_json(scored) + "\n" if args.json else format_text(scored))
        copy([scored])
        return 0 if scored.ok else 1
    named = {Path(p) for p in args.files if not Path(p).is_dir()}
    every = [(path, scored, error) for path in files
             for scored, error in scored_or_refused(path, path in named)]
    if args.json:  # one object per evaluation, each naming its file and sheet
        items = [{"file": str(path), "sheet": getattr(s.source, "sheet", None) if s else None,
                  **(to_json_data(s) if s else {"ok": False, "error": error})} for path, s, error in every]
        import json  # only for --json over several evaluations

        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
    else:
        for path, scored, error in every:
            if scored is None:
                print(f"错误：{error}", file=sys.stderr)
                continue
            sheet = f"工作表“{scored.source.sheet}”" if getattr(scored.source, "sheet", None) else ""
            heading = sheet if single else "，".join(x for x in (str(path), sheet) if x)
            sys.stdout.write(f"【{heading}】\n{format_text(scored)}\n")
    copy([s for _, s, _ in every if s is not None])
    return 0 if all(s is not None and s.ok for _, s, _ in every) else 1


def demo_command(args: argparse.Namespace) -> int:
    from scoring.outputs.files import write_text_atomic  # a writer: not for `jixiao score`
    from scoring.sources.resources import sample_files

    out = Path(args.output)
    samples = sample_files()
    if not samples:
        raise ScoringError("找不到内置示例文件；请重新安装 jixiao")
    print(f"正在计算 {len(samples)} 份内置示例（来自公开的决算自评表）……")
    failed = 0
    for path in samples:
        scored = run(path, shown=f"示例/{path.name}")  # not a path inside the installed package
        write_text_atomic(out / f"{path.stem}.txt", format_text(scored))
        write_text_atomic(out / f"{path.stem}.json", to_json(scored) + "\n")
        r = scored.result
        total = "—" if r is None or r.total is None else f"{r.total.normalize():f}"
        grade = "" if r is None or r.grade is None else f"（{r.grade}）"
        print(f"  {path.stem}：总分 {total}{grade}")
        failed += not scored.ok
    print(f"结果已写入 {shown(out)}（每份示例一个 .txt 说明和一个 .json）")
    return 1 if failed else 0


def render_command(args: argparse.Namespace) -> int:
    # each file is loaded, scored and rendered in a worker (outputs.render_files); this process
    # names the documents in input order, puts them in place and keeps a few fields of each
    from contextlib import closing

    from scoring.outputs.files import put_in_place
    from scoring.outputs.render_files import Options, render_files
    from scoring.sources.detect import inputs

    out = Path(args.output)
    custom = str(Path(args.template).resolve()) if args.template else None
    if custom:
        from scoring.outputs.render import WordTemplate

        WordTemplate(custom)  # a broken template is reported before any work starts
    named = {Path(p) for p in args.inputs if not Path(p).is_dir()}
    files = inputs(args.inputs)
    options = Options(str(out), custom, args.layout, args.report, args.filled_by, args.reviewed_by, args.date)
    written, failed, scored_all, tables = [], 0, [], []
    names: dict[str, int] = {}
    progress, known, total = Progress("生成文档"), 0, 0
    later: list = []  # each evaluation's messages, shown after the files passed over, as before

    def show_later() -> None:
        if progress.bar is not None:
            progress.bar.clear()
        for message in later:
            if isinstance(message, str):
                print(message, file=sys.stderr)
            else:
                _refused(message.path, message, "未生成文档")
        later.clear()

    try:
        with closing(render_files(files, named, options, args.workers)) as outcomes:
            for k, outcome in enumerate(outcomes, 1):
                if outcome.skipped:
                    if progress.bar is not None:
                        progress.bar.clear()
                    print(outcome.skipped, file=sys.stderr)
                for evaluated in outcome.evaluations:
                    if not evaluated.ok:
                        failed += 1
                        later.append(evaluated)
                        continue
                    later += [format_issue(i) for i in evaluated.issues]  # what was cleaned or is doubtful
                    if evaluated.gaps:  # placeholders only the unit can fill
                        later.append(evaluated.gaps)
                    scored_all.append((evaluated.table, evaluated.table))
                    known += len(evaluated.documents)
                total = known + (len(files) - k) * (2 if args.report else 1)  # the files not read yet: a guess
                for evaluated in outcome.evaluations:
                    for n, (name, tmp) in enumerate(evaluated.documents):
                        names[name] = names.get(name, 0) + 1
                        if names[name] > 1:  # two inputs for the same unit and project: keep both
                            name = name.replace(".docx", f"_{names[name]}.docx")
                        written.append(str(put_in_place(tmp, out / name)))
                        if n == 0:  # the table (the report is the second)
                            tables.append((evaluated.table, out / name))
                        if progress.bar is not None:
                            progress.bar.total = total
                        progress(len(written), total)
        if progress.bar is not None and len(written) < total:
            progress.bar.total = len(written)
            progress(len(written), len(written))
    finally:
        show_later()
    from scoring.outputs import batch

    for path in written:
        print(path)
    documents = len(written)
    if args.combined and tables:
        written.append(batch.combine(tables, out / "自评表汇编.docx"))  # converted to PDF too
        print(written[-1])
        documents += 1
    if len(scored_all) > 1 or args.summary:
        print(batch.summary_workbook(scored_all, out / "汇总表.xlsx"))
    if args.pdf:
        if batch.soffice() is None:
            print("未找到 LibreOffice（soffice），跳过 PDF；安装后重试，如 apt-get install libreoffice-writer",
                  file=sys.stderr)
        else:
            pdfs = batch.to_pdf([Path(p) for p in written], out / "pdf")
            print(f"已转换 {len(pdfs)} 份 PDF → {out / 'pdf'}")
    combined = "（含自评表汇编）" if args.combined and tables else ""
    print(f"共生成 {documents} 份 Word 文档{combined}，保存在 {shown(out)}"
          + (f"；{failed} 份评价因错误未生成" if failed else ""))
    return 1 if failed else 0


def summary_report_command(args: argparse.Namespace) -> int:
    """部门项目支出绩效自评总结报告: one per unit and year found in the inputs."""
    from scoring.outputs.prose import chinese_date
    from scoring.outputs.summary_report import (
        TEMPLATE,
        by_department,
        report_name,
        summary_data,
        write_summary_report,
    )
    from scoring.sources.resources import data_dir

    rows, failed = [], 0
    for path, scored in each_evaluation(args.inputs):
        if not scored.ok:
            failed += 1
            _refused(path, scored, "未计入总结报告")
            continue
        rows.append((scored.evaluation, scored.result))
    if not rows:
        raise ScoringError("没有可汇总的评价：请给出评价文件、工作簿或存放它们的文件夹")
    groups = by_department(rows)
    target = Path(args.output) if args.output else Path(".")
    single = target.suffix.lower() == ".docx"
    if single and len(groups) > 1:
        names = "、".join(f"{unit}（{year}年度）" for unit, year in groups)
        raise ScoringError(f"输入含 {len(groups)} 个单位或年度（{names}），每个单位一份报告：-o 请给出文件夹")
    for (unit, year), group in groups.items():
        data = summary_data(group)
        if data["missing"]:
            print(f"提示：{unit}（{year}年度）的总结报告有 {len(data['missing'])} 处待填写（【请填写：…】）："
                  f"{'；'.join(data['missing'])}。见文档 reports.md", file=sys.stderr)
        out = target if single else target / report_name(unit, year)
        print(write_summary_report(data, out, data_dir("reports") / TEMPLATE, chinese_date(args.date)))
    return 1 if failed else 0
