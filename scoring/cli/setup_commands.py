"""Commands that set a unit up: workbook, templates, new, import-targets.

Each command imports what only it uses (the workbook writer, templates, target tables)
inside its function, so that `jixiao docs` and the others start without them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import as_argument, shown
from scoring.core.issues import ScoringError, by_position, format_issue
from scoring.outputs.files import safe_name, write_text_atomic
from scoring.sources.detect import file_kind, inputs
from scoring.sources.resources import data_dir


def workbook_command(args: argparse.Namespace) -> int:
    from scoring.outputs.workbook import write_workbook
    from scoring.sources.instantiate import instantiate
    from scoring.sources.loader import load_yaml
    from scoring.sources.targettable import import_target_table
    from scoring.sources.templates import require_template

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
    print(f"已生成工作簿 {out}（{len(evaluations)} 张自评表）：请在黄色单元格中填写，然后运行 jixiao score {as_argument(out)}")
    return 0


def templates_command(args: argparse.Namespace) -> int:
    from scoring.sources.templates import (
        format_tree,
        load_template,
        shipped_templates,
        template_path,
    )

    if args.action == "list":
        width = max((len(p.stem) for p in shipped_templates()), default=0) + 2
        for path in shipped_templates():
            loaded = load_template(path)
            t = loaded.template
            title = t.title if t else "（有错误）"
            desc = f"  {t.description}" if t and t.description else ""
            print(f"{path.stem:<{width}} {title}{desc}")
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


def new_command(args: argparse.Namespace) -> int:
    from scoring.sources.instantiate import instantiate
    from scoring.sources.loader import dump_yaml
    from scoring.sources.templates import require_template

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
    print(f"已生成评价文件 {out}（{len(data['indicators'])} 个三级指标），请填写实际完成值后运行 jixiao score {as_argument(out)}")
    return 0


def import_targets_command(args: argparse.Namespace) -> int:
    from scoring.sources.loader import dump_yaml
    from scoring.sources.targettable import import_target_table
    from scoring.sources.templates import require_template

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
    print(f"共 {len(evaluations)} 个项目，评价文件已写入 {shown(out)}")
    return 0


_DOCS = (
    ("evaluation-file.md", "评价文件（YAML）的每个键、JSON 输出的字段、计分副本"),
    ("scoring.md", "评分规则：每条规则的计算方法和可调整的设置，年度指标值和实际完成值的写法"),
    ("templates.md", "指标模板：内置模板、从模板生成评价文件、导入绩效目标表、自己写模板"),
    ("render.md", "生成 Word 文档：命令选项、内置模板、自定义模板可用的变量和限制"),
    ("reports.md", "绩效自评报告和部门项目支出绩效自评总结报告：内容来源、待填写的键、排版"),
    ("review.md", "复核：复核网页、复核表、重新计分、复核对比表"),
    ("audit.md", "审核报送的自评表：读 Word、PDF 和电子表格中的表格，重新计算，列出印错的数字"),
    ("server.md", "多单位服务器：启动、账户和角色、PostgreSQL、备份与恢复、nginx 反向代理"),
    ("architecture.md", "代码结构（开发者）"),
)


def docs_command(args: argparse.Namespace) -> int:
    folder = data_dir("docs")
    if not folder.is_dir():
        raise ScoringError("找不到随程序安装的文档；请重新安装 jixiao")
    print(f"文档所在文件夹：{folder}")
    for name, what in _DOCS:
        print(f"  {name}：{what}")
    return 0
