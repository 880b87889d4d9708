"""The command line: every command, its arguments and their help, in Chinese.

Start-up: building the parser imports no command module, so `jixiao --help` (and a
mistyped command) stays fast and each command imports only what it uses. A command is
registered by name, `set_defaults(func=_Command("module", "function"))`, and its module
under scoring/cli/ is imported when the command runs; and when the arguments name a
command, only that command's parser is built (`build_parser(argv)`). To add a subcommand: write
`something_command(args) -> int` in its module under scoring/cli/ (with its heavy
imports inside the function) and add `sub.add_parser(...)` here with its arguments and
`p.set_defaults(func=_Command("something_commands", "something_command"))`.
tests/test_cli_startup.py checks that the parser pulls in no heavy library.
"""

from __future__ import annotations

import argparse
import importlib
import os

from scoring import __version__
from scoring.cli.server_commands import add_server_parser
from scoring.cli.words import ChineseParser, install, whole_number


class _Command:
    """The command `function` of scoring/cli/`module`.py, imported only when it runs."""

    __slots__ = ("function", "module")

    def __init__(self, module: str, function: str):
        self.module, self.function = f"scoring.cli.{module}", function

    def resolve(self):
        return getattr(importlib.import_module(self.module), self.function)

    def __call__(self, args: argparse.Namespace) -> int:
        return self.resolve()(args)


class _Only:
    """The subcommands, only the parser of the one named `name` built (all when None);
    every other gets an `_Unbuilt`, which takes what is added to it and ignores it."""

    def __init__(self, sub, name: str | None):
        self.sub, self.name, self.found = sub, name, False

    def add_parser(self, name: str, **kwargs):
        if self.name not in (None, name):
            return _Unbuilt()
        self.found = True
        return self.sub.add_parser(name, **kwargs)


class _Unbuilt:
    """A command's parser left unbuilt (see `_Only`)."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the arguments about to be parsed, when they
    start with a command's name, of that command only (its arguments, help and errors
    are the same; `jixiao score x.yaml` builds no other command's parser: 2 ms)."""
    first = argv[0] if argv else None
    if first and not first.startswith("-"):
        parser, sub = _parser(first)
        if sub.found:
            return parser
    return _parser(None)[0]


def _parser(only: str | None) -> tuple[argparse.ArgumentParser, _Only]:
    install()
    parser = ChineseParser(
        prog="jixiao", description="预算绩效自评：按官方规则计算得分、偏差度、总分和等级。",
        epilog="每个命令的说明：jixiao 命令 -h；文档：jixiao docs。")
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}", help="显示版本号并退出")
    sub = _Only(parser.add_subparsers(dest="command", metavar="命令"), only)
    p = sub.add_parser("score", help="计算评价文件或工作簿的得分",
                       description="计算评价文件（YAML）或填好的工作簿的得分，并逐行说明扣分原因。")
    p.add_argument("files", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（字段见文档 evaluation-file.md，jixiao docs 显示文档位置）")
    p.add_argument("-o", "--output", metavar="已计分.xlsx",
                   help="另存一份计分副本（.xlsx）：原表加上计算得分、偏差度、总分和等级，有问题的单元格标色并附批注；原文件不变")
    p.set_defaults(func=_Command("scoring_commands", "score_command"))
    p = sub.add_parser("workbook", help="生成供单位填写的 Excel 工作簿",
                       description="为一个单位生成 Excel 工作簿（填表说明、部门整体表、每个项目一张表），"
                                   "来源可以是模板、评价文件或项目绩效目标表。填好后运行 jixiao score 工作簿.xlsx。")
    p.add_argument("files", nargs="*", metavar="评价文件", help="评价文件（.yaml）或存放评价文件的文件夹")
    p.add_argument("--template", metavar="模板", help="项目（或部门）模板名或模板文件")
    p.add_argument("--department", metavar="模板", help="加一张部门整体自评表，按此模板（如 henan_department）")
    p.add_argument("--targets", metavar="目标表", help="项目绩效目标表（.xlsx、.xls、.ods），每个项目一张表")
    p.add_argument("--unit", metavar="单位", help="单位名称")
    p.add_argument("--year", type=whole_number, metavar="年度", help="评价年度")
    p.add_argument("--project", action="append", metavar="项目", help="项目名称（可多次给出）")
    p.add_argument("-o", "--output", metavar="工作簿", help="输出文件（默认：单位_年度_绩效自评.xlsx）")
    p.set_defaults(func=_Command("setup_commands", "workbook_command"))
    p = sub.add_parser("demo", help="计算内置示例并写出结果", description="计算内置示例（公开发布的自评表），把结果写入文件夹。")
    p.add_argument("-o", "--output", default="jixiao-demo", metavar="文件夹", help="输出文件夹（默认 ./jixiao-demo）")
    p.set_defaults(func=_Command("scoring_commands", "demo_command"))
    p = sub.add_parser("templates", help="指标模板：列出、查看、检查",
                       description="列出内置指标模板，查看模板的指标树和分值，或检查模板文件的错误。")
    p.add_argument("action", choices=("list", "show", "check"), metavar="操作",
                   help="list 列出内置模板；show 查看模板的指标树；check 检查模板文件")
    p.add_argument("names", nargs="*", metavar="模板", help="模板名或模板文件路径")
    p.set_defaults(func=_Command("setup_commands", "templates_command"))
    p = sub.add_parser("new", help="按模板生成一份待填写的评价文件",
                       description="按指标模板为一个单位或项目生成评价文件（YAML），实际完成值留空待填。")
    p.add_argument("template", metavar="模板", help="模板名或模板文件路径（jixiao templates list 列出内置模板）")
    p.add_argument("--unit", required=True, metavar="单位", help="单位名称")
    p.add_argument("--year", required=True, type=whole_number, metavar="年度", help="评价年度")
    p.add_argument("--project", metavar="项目", help="项目名称（项目模板必填）")
    p.add_argument("-o", "--output", metavar="文件", help="输出文件（默认：名称_年度.yaml）")
    p.set_defaults(func=_Command("setup_commands", "new_command"))
    p = sub.add_parser("import-targets", help="导入项目绩效目标表，每个项目生成一份评价文件",
                       description="读取预算阶段的项目绩效目标表（.xlsx、.xls、.ods），按模板为每个项目生成评价文件。")
    p.add_argument("table", metavar="目标表", help="项目绩效目标表（.xlsx、.xls、.ods）")
    p.add_argument("--template", required=True, metavar="模板", help="模板名或模板文件路径")
    p.add_argument("--unit", metavar="单位", help="单位名称（默认从表头读取）")
    p.add_argument("--year", type=whole_number, metavar="年度", help="年度（默认从表头读取）")
    p.add_argument("-o", "--output", default="评价文件", metavar="文件夹", help="输出文件夹（默认 ./评价文件）")
    p.set_defaults(func=_Command("setup_commands", "import_targets_command"))
    p = sub.add_parser("render", help="生成 Word 自评表",
                       description="按官方格式生成部门整体和项目支出绩效自评表（.docx），每份评价一个文件。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("-o", "--output", default="自评表", metavar="文件夹", help="输出文件夹（默认 ./自评表）")
    p.add_argument("--template", metavar="模板.docx",
                   help="自定义 Word 模板（.docx；可用变量见文档 render.md，jixiao docs 显示文档位置）")
    p.add_argument("--layout", choices=("henan", "central", "anyang_2022", "jiaozuo_2021"), metavar="版式",
                   help="自评表版式：henan（默认）、central、anyang_2022（按安阳市北关区 2022 年公开表）、"
                        "jiaozuo_2021（按焦作市中站区 2021 年公开表）；见文档 render.md")
    p.add_argument("--workers", type=whole_number, default=os.cpu_count() or 1, metavar="进程数",
                   help="并行进程数（默认为处理器核数）")
    p.add_argument("--no-report", dest="report", action="store_false",
                   help="不生成绩效自评报告（默认每份评价同时生成自评表和自评报告）")
    p.add_argument("--combined", action="store_true", help="另外生成一份合并全部自评表的文档（自评表汇编.docx）")
    p.add_argument("--pdf", action="store_true", help="另外用 LibreOffice 转换为 PDF（需已安装）")
    p.add_argument("--summary", action="store_true", help="只有一份评价时也生成汇总表.xlsx（多份时总会生成）")
    p.add_argument("--filled-by", metavar="姓名", help="填表人")
    p.add_argument("--reviewed-by", metavar="姓名", help="审核人")
    p.add_argument("--date", metavar="日期", help="填报日期，如 2023年3月15日")
    p.set_defaults(func=_Command("scoring_commands", "render_command"))
    p = sub.add_parser("summary-report", help="生成部门项目支出绩效自评总结报告（.docx）",
                       description="汇总一个部门的部门整体和全部项目支出绩效自评，生成总结报告：自评覆盖情况、得分分布（含图表）、"
                                   "低于 90 分的项目及原因、执行率低于 90% 的项目、偏离情况、问题和改进措施，附汇总表。"
                                   "输入含多个单位（或年度）时每个单位一份报告。说明见文档 reports.md。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("-o", "--output", metavar="输出",
                   help="报告文件（.docx，只有一个单位时）或文件夹（默认当前文件夹，文件名为 单位_年度_部门项目支出绩效自评总结报告.docx）")
    p.add_argument("--date", metavar="日期", help="落款日期，如 2023年3月15日 或 2023-03-15（默认留空待填：“年 月 日”）")
    p.set_defaults(func=_Command("scoring_commands", "summary_report_command"))
    p = sub.add_parser("review-sheet", help="生成复核表（.xlsx）",
                       description="为一份评价生成复核表：原分值、原得分锁定，复核分值、复核得分和复核意见供复核人填写。")
    p.add_argument("input", metavar="文件", help="评价文件（.yaml）或工作簿（.xlsx、.xls、.ods）")
    p.add_argument("-o", "--output", metavar="复核表", help="复核表文件（默认：名称_复核表.xlsx）；工作簿有多份评价时为文件夹")
    p.set_defaults(func=_Command("review_commands", "review_sheet_command"))
    p = sub.add_parser("rescore", help="按复核表重新计分，生成复核对比表",
                       description="按复核记录（复核表 .xlsx 或复核记录 .yaml）重新计分，原评价文件不变；"
                                   "生成复核对比表（.docx 和 .xlsx），多份评价时含复核前后排名。"
                                   "没有复核记录时，对比表列出印刷得分与计算得分。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="评价文件（.yaml）、工作簿（.xlsx、.xls、.ods）或文件夹")
    p.add_argument("--review", action="append", metavar="复核表",
                   help="复核表（.xlsx、.xls、.ods）或复核记录（.yaml），可多次给出")
    p.add_argument("-o", "--output", default="复核结果", metavar="文件夹", help="输出文件夹（默认 ./复核结果）")
    p.add_argument("--force", action="store_true", help="评价内容已改变时仍然应用复核记录")
    p.set_defaults(func=_Command("review_commands", "rescore_command"))
    p = sub.add_parser("audit", help="审核单位报送的自评表：重新计算，列出每个印错的数字",
                       description="读取 Word（.docx、.doc）、PDF（含文字层）和电子表格中的每一张自评表，按表中印刷的"
                                   "小数位数推定舍入方式重新计算，列出与计算结果不符的得分、偏差度、执行率、分值、总分、等级、"
                                   "报告文字中的得分和交叉核对问题，评价人判定的得分单独列出；每个文件写一份审核意见.docx，"
                                   "另写一份审核汇总.xlsx。原文件不变。说明见文档 audit.md。")
    p.add_argument("inputs", nargs="+", metavar="文件", help="自评表文件（.docx、.doc、.pdf、.xlsx、.xls、.ods）或文件夹")
    p.add_argument("-o", "--output", default="审核结果", metavar="文件夹", help="输出文件夹（默认 ./审核结果）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出审核结果（数字为十进制字符串）")
    p.add_argument("--strict", action="store_true", help="发现任何问题时以退出码 2 结束（供脚本使用）")
    p.add_argument("--template", metavar="模板", help="按指标模板的设置（舍入、执行率封顶等）计算，不再推定")
    p.add_argument("--precision", type=int, choices=(0, 1, 2), help="得分保留的小数位数（默认按表中印刷推定）")
    p.add_argument("--rounding", choices=("half_up", "floor"), help="舍入方式：half_up 四舍五入，floor 向下舍去")
    p.add_argument("--no-files", action="store_true", help="只显示结果，不写审核意见和审核汇总表")
    p.add_argument("--jobs", type=whole_number, metavar="N", help="同时审核的进程数（默认按处理器个数）")
    p.set_defaults(func=_Command("audit_commands", "audit_command"))
    p = sub.add_parser("serve", help="打开复核网页：调整分值，即时看到得分变化",
                       description="在本机启动复核网页：列出文件夹中的评价，打开一份即可调整复核分值和复核得分，"
                                   "得分、小计、总分和等级即时更新；保存为复核记录，可下载复核对比表。"
                                   "默认只在本机（127.0.0.1）访问。")
    p.add_argument("folder", nargs="?", default=".", metavar="文件夹", help="存放评价文件的文件夹（默认当前文件夹）")
    p.add_argument("--port", type=whole_number, default=8000, metavar="端口", help="端口（默认 8000）")
    p.add_argument("--host", default="127.0.0.1", metavar="地址",
                   help="监听地址（默认 127.0.0.1，仅本机；改为其他地址会让网络中的其他计算机也能访问）")
    p.add_argument("--allow-host", action="append", metavar="名称",
                   help="网络访问时允许的地址或域名（可多次给出）；页面只响应发给这些名称的请求")
    p.add_argument("--open", action="store_true", help="启动后用浏览器打开页面")
    p.set_defaults(func=_Command("review_commands", "serve_command"))
    add_server_parser(sub)
    p = sub.add_parser("docs", help="显示文档所在位置和文档列表",
                       description="jixiao 的文档随程序安装；本命令显示它们所在的文件夹和每份文档的用途。")
    p.set_defaults(func=_Command("setup_commands", "docs_command"))
    return parser, sub
