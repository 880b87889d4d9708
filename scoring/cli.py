"""The `jixiao` command.

    jixiao score FILE [--json]     score one evaluation file
    jixiao demo [-o DIR]           score the built-in samples and write the results
    jixiao templates list | show NAME | check FILE...
    jixiao new TEMPLATE --unit U --year Y [--project P] [-o FILE]
    jixiao import-targets TABLE.xlsx --template T [-o DIR]
    jixiao render INPUT... [-o DIR] [--template my.docx] [--workers N]
    jixiao review-sheet INPUT [-o FILE]
    jixiao rescore INPUT... [--review REVIEW...] -o DIR [--force]

Bad input exits 1 with messages that name the file, line and key; no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scoring import __version__
from scoring.core.issues import ScoringError, by_position, format_issue
from scoring.core.numbers import plain
from scoring.outputs.files import safe_name, write_text_atomic
from scoring.outputs.show import format_text, to_json, to_json_data
from scoring.outputs.workbook import write_workbook
from scoring.pipeline import run, run_all
from scoring.sources.detect import NotAnEvaluation, file_kind, inputs
from scoring.sources.instantiate import instantiate
from scoring.sources.loader import dump_yaml, load_yaml
from scoring.sources.resources import sample_files
from scoring.sources.targettable import import_target_table
from scoring.sources.templates import (
    format_tree,
    load_template,
    require_template,
    shipped_templates,
    template_path,
)
from scoring.sources.workbook.reader import is_spreadsheet


def _score(args: argparse.Namespace) -> int:
    files = inputs(args.files)
    single = len(files) == 1 and not Path(args.files[0]).is_dir()
    if args.output and not single:
        raise ScoringError("-o（计分副本）只能用于一个文件：请逐个运行 jixiao score 文件 -o 已计分.xlsx")

    def copy(scored: list) -> None:  # -o: the input with the results and problems in its cells
        from scoring.outputs.scored_copy import copy_path, write_scored_copy

        if args.output and scored:
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
             for scored, error in _scored_or_refused(path, path in named)]
    if args.json:  # one object per evaluation, each naming its file and sheet
        items = [{"file": str(path), "sheet": getattr(s.source, "sheet", None) if s else None,
                  **(to_json_data(s) if s else {"ok": False, "error": error})} for path, s, error in every]
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


def _scored_or_refused(path: Path, named: bool = True) -> list[tuple]:
    """Every evaluation of one file; a file that cannot be read is one refusal, so one bad
    file among many does not stop the others. A known non-evaluation found in a folder
    (a target table, a review sheet) is passed over with a note."""
    try:
        return [(s, None) for s in run_all(path)]
    except NotAnEvaluation as exc:
        if named:
            return [(None, str(exc))]
        print(f"跳过 {exc}", file=sys.stderr)
        return []
    except ScoringError as exc:
        return [(None, str(exc))]


def _each(paths: list[str]):
    """(file, scored evaluation) for every evaluation the paths hold; files found in a
    folder that are known non-evaluations are passed over with a note."""
    named = {Path(p) for p in paths if not Path(p).is_dir()}
    for path in inputs(paths):
        try:
            found = run_all(path)
        except NotAnEvaluation as exc:
            if path in named:
                raise
            print(f"跳过 {exc}", file=sys.stderr)
            continue
        for scored in found:
            yield path, scored


def _workbook(args: argparse.Namespace) -> int:
    template = require_template(args.template) if args.template else None
    evaluations: list[dict] = []
    issues = []
    if args.targets:
        if template is None:
            raise ScoringError("从项目绩效目标表生成需要 --template（项目模板）")
        evaluations, issues = import_target_table(args.targets, template, unit=args.unit, year=args.year)
    unit = args.unit or (evaluations[0]["unit"] if evaluations else None)
    year = args.year or (evaluations[0]["year"] if evaluations else None)
    if args.department:
        if not (unit and year):
            raise ScoringError("生成部门整体自评表需要 --unit 和 --year")
        data, found = instantiate(require_template(args.department), unit=unit, year=year)
        evaluations.insert(0, data)
        issues += found
    for project in args.project or []:
        if template is None or not (args.unit and args.year):
            raise ScoringError("按模板生成项目自评表需要 --template、--unit 和 --year")
        data, found = instantiate(template, unit=args.unit, year=args.year, project=project)
        evaluations.append(data)
        issues += found
    if template is not None and not (args.targets or args.project or args.department or args.files):
        if not (args.unit and args.year):
            raise ScoringError("按模板生成需要 --unit 和 --year")
        data, found = instantiate(template, unit=args.unit, year=args.year)
        evaluations.append(data)
        issues += found
    for path in [f for f in inputs(args.files) if file_kind(f) == "yaml"] if args.files else []:
        data, _, found = load_yaml(path)
        evaluations.append(data)
        issues += found
    for issue in by_position(issues):
        print(format_issue(issue), file=sys.stderr)
    if any(i.severity == "error" for i in issues):
        print("有错误，未生成工作簿。", file=sys.stderr)
        return 1
    if not evaluations:
        raise ScoringError("没有可写入的评价：请给出评价文件，或用 --template/--targets/--department 生成")
    first = evaluations[0]
    out = Path(args.output or f"{safe_name(str(first.get('unit')))}_{first.get('year')}_绩效自评.xlsx")
    write_workbook(evaluations, out, template=template)
    print(f"已生成工作簿 {out}（{len(evaluations)} 张自评表）：请在黄色单元格中填写，然后运行 jixiao score {out}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    out = Path(args.output)
    samples = sample_files()
    if not samples:
        raise ScoringError("找不到内置示例文件；请重新安装 jixiao")
    print(f"正在计算 {len(samples)} 份内置示例（来自公开的决算自评表）……")
    failed = 0
    for path in samples:
        scored = run(path)
        write_text_atomic(out / f"{path.stem}.txt", format_text(scored))
        write_text_atomic(out / f"{path.stem}.json", to_json(scored) + "\n")
        r = scored.result
        total = "—" if r is None or r.total is None else f"{r.total.normalize():f}"
        grade = "" if r is None or r.grade is None else f"（{r.grade}）"
        print(f"  {path.stem}：总分 {total}{grade}")
        failed += not scored.ok
    print(f"结果已写入 {out.resolve()}（每份示例一个 .txt 说明和一个 .json）")
    return 1 if failed else 0


def _templates(args: argparse.Namespace) -> int:
    if args.action == "list":
        for path in shipped_templates():
            loaded = load_template(path)
            t = loaded.template
            title = t.title if t else "（有错误）"
            desc = f"  {t.description}" if t and t.description else ""
            print(f"{path.stem:<24} {title}{desc}")
        print("\n查看：jixiao templates show 模板名；也可以用任意位置的模板文件路径代替模板名。")
        return 0
    if not args.names:
        raise ScoringError(f"templates {args.action} 需要模板名或模板文件")
    if args.action == "show":
        loaded = load_template(args.names[0])
        if loaded.template is None:
            print("\n".join(format_issue(i) for i in by_position(loaded.issues)))
            return 1
        sys.stdout.write(format_tree(loaded.template))
        return 0 if loaded.ok else 1
    failed = 0
    for name in args.names:
        loaded = load_template(name)
        errors = [i for i in loaded.issues if i.severity == "error"]
        for issue in by_position(loaded.issues):
            print(format_issue(issue))
        label = template_path(name)
        print(f"{label}：{'通过' if not errors else f'{len(errors)} 个错误'}")
        failed += bool(errors)
    return 1 if failed else 0


def _new(args: argparse.Namespace) -> int:
    template = require_template(args.template)
    name = args.project or args.unit
    out = Path(args.output) if args.output else Path(f"{safe_name(name)}_{args.year}.yaml")
    data, issues = instantiate(template, unit=args.unit, year=args.year, project=args.project, where=str(out))
    for issue in by_position(issues):
        print(format_issue(issue), file=sys.stderr)
    if any(i.severity == "error" for i in issues):
        return 1
    header = (f"由 jixiao 按模板“{template.title}”生成。\n"
              "请填写：资金情况（全年预算数、全年执行数）、各行实际完成值 actual、未达成时的偏差原因 reason，\n"
              "定性指标未完全达成时的判定得分 score；“（请填写三级指标）”行换成本单位的指标名称和年度指标值\n"
              "（可增加行，分值合计保持不变）。然后运行：jixiao score 本文件")
    write_text_atomic(out, dump_yaml(data, header))
    print(f"已生成评价文件 {out}（{len(data['indicators'])} 个三级指标），请填写实际完成值后运行 jixiao score {out}")
    return 0


def _import_targets(args: argparse.Namespace) -> int:
    template = require_template(args.template)
    evaluations, issues = import_target_table(args.table, template, unit=args.unit, year=args.year)
    for issue in issues:
        print(format_issue(issue), file=sys.stderr)
    if any(i.severity == "error" for i in issues):
        print("目标表有错误，未生成评价文件。", file=sys.stderr)
        return 1
    out = Path(args.output)
    header = (f"由 jixiao 从项目绩效目标表 {Path(args.table).name} 按模板“{template.title}”生成。\n"
              "请填写资金情况、各行实际完成值 actual 和偏差原因 reason，然后运行 jixiao score 本文件。")
    for data in evaluations:
        path = out / f"{safe_name(data['project'])}.yaml"
        write_text_atomic(path, dump_yaml(data, header))
        print(f"  {data['project']}：{len(data['indicators'])} 个三级指标 → {path}")
    print(f"共 {len(evaluations)} 个项目，评价文件已写入 {out.resolve()}")
    return 0


class _Progress:
    """A progress bar on a terminal (tqdm, imported only when a long job starts, so the
    start-up of every other command does not pay for it); nothing when output is a file."""

    def __init__(self, what: str):
        self.what, self.bar = what, None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty() or total < 2:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.what, unit="份", file=sys.stderr, leave=False,
                            bar_format="{desc} {bar} {n_fmt}/{total_fmt}（已用 {elapsed}，还需 {remaining}）")
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()


def _render(args: argparse.Namespace) -> int:
    from scoring.outputs import batch
    from scoring.outputs.render import (
        REPORT_TEMPLATE,
        WordTemplate,
        builtin_template,
        document_name,
        render_many,
        to_context,
    )
    from scoring.sources.resources import data_dir

    out = Path(args.output)
    jobs, failed, scored_all, tables = [], 0, [], []
    custom = str(Path(args.template).resolve()) if args.template else None
    if custom:
        WordTemplate(custom)  # a broken template is reported before any work starts
    names: dict[str, int] = {}
    every = list(_each(args.inputs))  # a workbook: each sheet
    for path, scored in every:
        if not scored.ok:
            failed += 1
            print(f"{path}：有错误，未生成文档：", file=sys.stderr)
            for issue in scored.issues:
                if issue.severity == "error":
                    print(f"  {format_issue(issue)}", file=sys.stderr)
            continue
        for issue in scored.issues:  # what was cleaned or is doubtful, at its place
            if issue.severity == "warning":
                print(f"{format_issue(issue)}", file=sys.stderr)
        ev = scored.evaluation
        extra = {k: v for k, v in (("filled_by", args.filled_by), ("reviewed_by", args.reviewed_by),
                                   ("date", args.date)) if v}
        context = to_context(ev, scored.result, **extra)
        scored_all.append((ev, scored.result))
        outputs = [(custom or str(builtin_template(ev)), document_name(ev))]
        if args.report:
            outputs.append((str(data_dir("reports") / REPORT_TEMPLATE), document_name(ev, report=True)))
        for k, (template, name) in enumerate(outputs):
            names[name] = names.get(name, 0) + 1
            if names[name] > 1:  # two inputs for the same unit and project: keep both
                name = name.replace(".docx", f"_{names[name]}.docx")
            jobs.append((template, context, str(out / name)))
            if k == 0:  # the table (the report is outputs[1])
                tables.append(out / name)
    written = render_many(jobs, workers=args.workers, progress=_Progress("生成文档"))
    for path in written:
        print(path)
    documents = len(written)
    if args.combined and tables:
        print(batch.combine(tables, out / "自评表汇编.docx"))
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
    combined = "（含自评表汇编）" if documents > len(written) else ""
    print(f"共生成 {documents} 份 Word 文档{combined}，保存在 {out.resolve()}"
          + (f"；{failed} 份评价因错误未生成" if failed else ""))
    return 1 if failed else 0


def _review_sheet(args: argparse.Namespace) -> int:
    from scoring.review.records import content_hash
    from scoring.review.sheet import write_review_sheet

    every = run_all(args.input)  # a workbook: one review sheet per evaluation sheet
    failed = [s for s in every if s.evaluation is None]
    for scored in failed:
        print("\n".join(format_issue(i) for i in scored.issues), file=sys.stderr)
    usable = [s.evaluation for s in every if s.evaluation is not None]
    for ev in usable:
        if args.output and len(usable) == 1:
            out = Path(args.output)
        else:
            out = Path(args.output or ".") / f"{safe_name(ev.title)}_复核表.xlsx"
        write_review_sheet(ev, out, content_hash(ev))
        print(f"已生成复核表 {out}")
    if usable:
        print(f"请填写复核人、复核日期，以及需要调整的复核分值、复核得分和复核意见；"
              f"然后运行 jixiao rescore {args.input} --review 复核表 -o 复核结果")
    return 1 if failed or not usable else 0


def _rescore(args: argparse.Namespace) -> int:
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
    for path, scored in _each(args.inputs):
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
        for line in _printed_differences(c):
            print(f"    {line}")
    return 0


def _printed_differences(c) -> list[str]:
    """Where the submitted table's printed numbers differ from what the engine computes."""
    lines = [f"印刷得分 {plain(r.printed)}，计算得分 {plain(r.score_before)}：{r.label}"
             for r in c.rows if r.printed is not None and r.score_before is not None and r.printed != r.score_before]
    total = c.before.total
    if c.printed_total is not None and total is not None and c.printed_total != total:
        lines.append(f"印刷总分 {plain(c.printed_total)}，计算总分 {plain(total)}")
    if c.printed_narrative_total is not None and total is not None and c.printed_narrative_total != total:
        lines.append(f"自评报告（决算说明）写 {plain(c.printed_narrative_total)} 分，自评表计算 {plain(total)} 分")
    return lines


def _serve(args: argparse.Namespace) -> int:
    from scoring.web.app import serve

    if not 0 < args.port < 65536:
        raise ScoringError(f"端口 {args.port} 无效，请给出 1–65535 之间的数字，如 --port 8000")
    serve(args.folder, host=args.host, port=args.port, open_browser=args.open,
          allow_hosts=tuple(args.allow_host or ()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao", description="预算绩效自评：按官方规则计算得分、偏差度、总分和等级。"
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    p = sub.add_parser("score", help="计算评价文件或工作簿的得分",
                       description="计算评价文件（YAML）或填好的工作簿的得分，并逐行说明扣分原因。")
    p.add_argument("files", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（字段见 docs/evaluation-file.md）")
    p.add_argument("-o", "--output", metavar="已计分.xlsx",
                   help="另存一份计分副本（.xlsx）：原表加上计算得分、偏差度、总分和等级，有问题的单元格标色并附批注；原文件不变")
    p.set_defaults(func=_score)
    p = sub.add_parser("workbook", help="生成供单位填写的 Excel 工作簿",
                       description="为一个单位生成 Excel 工作簿（填表说明、部门整体表、每个项目一张表），"
                                   "来源可以是模板、评价文件或项目绩效目标表。填好后运行 jixiao score 工作簿.xlsx。")
    p.add_argument("files", nargs="*", metavar="评价文件", help="评价文件（.yaml）或文件夹")
    p.add_argument("--template", help="项目（或部门）模板名或模板文件")
    p.add_argument("--department", metavar="模板", help="加一张部门整体自评表，按此模板（如 henan_department）")
    p.add_argument("--targets", metavar="目标表", help="项目绩效目标表（.xlsx、.xls、.ods），每个项目一张表")
    p.add_argument("--unit", help="单位名称")
    p.add_argument("--year", type=int, help="评价年度")
    p.add_argument("--project", action="append", help="项目名称（可多次给出）")
    p.add_argument("-o", "--output", help="输出文件（默认：单位_年度_绩效自评.xlsx）")
    p.set_defaults(func=_workbook)
    p = sub.add_parser("demo", help="计算内置示例并写出结果", description="计算内置示例（公开发布的自评表），把结果写入文件夹。")
    p.add_argument("-o", "--output", default="jixiao-demo", help="输出文件夹（默认 ./jixiao-demo）")
    p.set_defaults(func=_demo)
    p = sub.add_parser("templates", help="指标模板：列出、查看、检查",
                       description="列出内置指标模板，查看模板的指标树和分值，或检查模板文件的错误。")
    p.add_argument("action", choices=("list", "show", "check"), help="list 列出；show 查看；check 检查")
    p.add_argument("names", nargs="*", metavar="模板", help="模板名或模板文件路径")
    p.set_defaults(func=_templates)
    p = sub.add_parser("new", help="按模板生成一份待填写的评价文件",
                       description="按指标模板为一个单位或项目生成评价文件（YAML），实际完成值留空待填。")
    p.add_argument("template", help="模板名或模板文件路径（jixiao templates list）")
    p.add_argument("--unit", required=True, help="单位名称")
    p.add_argument("--year", required=True, type=int, help="评价年度")
    p.add_argument("--project", help="项目名称（项目模板必填）")
    p.add_argument("-o", "--output", help="输出文件（默认：名称_年度.yaml）")
    p.set_defaults(func=_new)
    p = sub.add_parser("import-targets", help="导入项目绩效目标表，每个项目生成一份评价文件",
                       description="读取预算阶段的项目绩效目标表（.xlsx、.xls、.ods），按模板为每个项目生成评价文件。")
    p.add_argument("table", metavar="目标表", help="项目绩效目标表（.xlsx、.xls、.ods）")
    p.add_argument("--template", required=True, help="模板名或模板文件路径")
    p.add_argument("--unit", help="单位名称（默认从表头读取）")
    p.add_argument("--year", type=int, help="年度（默认从表头读取）")
    p.add_argument("-o", "--output", default="评价文件", help="输出文件夹（默认 ./评价文件）")
    p.set_defaults(func=_import_targets)
    p = sub.add_parser("render", help="生成 Word 自评表",
                       description="按官方格式生成部门整体和项目支出绩效自评表（.docx），每份评价一个文件。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("-o", "--output", default="自评表", help="输出文件夹（默认 ./自评表）")
    p.add_argument("--template", help="自定义 Word 模板（.docx，变量见 docs/render.md）")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="并行进程数（默认为 CPU 核数）")
    p.add_argument("--no-report", dest="report", action="store_false",
                   help="不生成绩效自评报告（默认每份评价同时生成自评表和自评报告）")
    p.add_argument("--combined", action="store_true", help="另外生成一份合并全部自评表的文档（自评表汇编.docx）")
    p.add_argument("--pdf", action="store_true", help="另外用 LibreOffice 转换为 PDF（需已安装）")
    p.add_argument("--summary", action="store_true", help="只有一份评价时也生成汇总表.xlsx（多份时总会生成）")
    p.add_argument("--filled-by", help="填表人")
    p.add_argument("--reviewed-by", help="审核人")
    p.add_argument("--date", help="填报日期")
    p.set_defaults(func=_render)
    p = sub.add_parser("review-sheet", help="生成复核表（.xlsx）",
                       description="为一份评价生成复核表：原分值、原得分锁定，复核分值、复核得分和复核意见供复核人填写。")
    p.add_argument("input", metavar="文件", help="评价文件（.yaml）或工作簿（.xlsx、.xls、.ods）")
    p.add_argument("-o", "--output", help="复核表文件（默认：名称_复核表.xlsx）；工作簿有多份评价时为文件夹")
    p.set_defaults(func=_review_sheet)
    p = sub.add_parser("rescore", help="按复核表重新计分，生成复核对比表",
                       description="按复核记录（复核表 .xlsx 或复核记录 .yaml）重新计分，原评价文件不变；"
                                   "生成复核对比表（.docx 和 .xlsx），多份评价时含复核前后排名。"
                                   "没有复核记录时，对比表列出印刷得分与计算得分。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("--review", action="append", metavar="复核表",
                   help="复核表（.xlsx、.xls、.ods）或复核记录（.yaml），可多次给出")
    p.add_argument("-o", "--output", default="复核结果", help="输出文件夹（默认 ./复核结果）")
    p.add_argument("--force", action="store_true", help="评价内容已改变时仍然应用复核记录")
    p.set_defaults(func=_rescore)
    p = sub.add_parser("serve", help="打开复核网页：调整分值，即时看到得分变化",
                       description="在本机启动复核网页：列出文件夹中的评价，打开一份即可调整复核分值和复核得分，"
                                   "得分、小计、总分和等级即时更新；保存为复核记录，可下载复核对比表。"
                                   "默认只在本机（127.0.0.1）访问。")
    p.add_argument("folder", nargs="?", default=".", help="存放评价文件的文件夹（默认当前文件夹）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址（默认 127.0.0.1，仅本机；改为其他地址会让网络中的其他计算机也能访问）")
    p.add_argument("--allow-host", action="append", metavar="名称",
                   help="网络访问时允许的地址或域名（可多次给出）；页面只响应发给这些名称的请求")
    p.add_argument("--open", action="store_true", help="启动后用浏览器打开页面")
    p.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ScoringError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head or less that closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}\n请设置环境变量 JIXIAO_DEBUG=1 重试以查看详细信息，并报告此问题。",
              file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
