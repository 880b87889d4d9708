"""The 填表说明 sheet that opens the workbook: what to fill in, and how to score it.

Written for the finance staff who fill in the workbook: which cells are
theirs, how amounts, actuals and judged scores are typed, and the command that
scores the file. It names the units, years and the number of sheets.
"""

from __future__ import annotations

import math

from openpyxl.styles import Alignment, Font

from scoring.outputs.workbook.cells import FONT, POINTS, print_setup, text_width
from scoring.outputs.xlsx import put_value

INSTRUCTIONS_TITLE = "填表说明"


def write_instructions(ws, evaluations: list[dict]) -> None:
    ws.title = INSTRUCTIONS_TITLE
    units = sorted({str(e.get("unit") or "") for e in evaluations} - {""})
    years = sorted({str(e.get("year") or "") for e in evaluations} - {""})
    projects = sum(1 for e in evaluations if e.get("kind") == "project")
    departments = len(evaluations) - projects
    lines = [
        ("预算绩效自评填报表 填表说明", "title"),
        (f"单位：{'、'.join(units) or '—'}　年度：{'、'.join(years) or '—'}　"
         f"共 {departments} 张部门整体自评表、{projects} 张项目自评表（每张一个工作表）", ""),
        ("", ""),
        ("一、填写哪些单元格", "head"),
        ("1. 黄色单元格由单位填写；白色单元格（指标结构、年度指标值、分值）已锁定，不需要修改。", ""),
        ("2. 资金情况：填写全年预算数（调整后）和全年执行数，单位万元，只填数字，如 12.5。执行率和得分自动计算。", ""),
        ("3. 实际完成值：单位与年度指标值一致，如 92%、1200人、2022年11月30日。定性指标可从下拉列表选择"
         "“达成 / 部分达成 / 未达成”，也可填写与年度指标值相同的表述；不适用的指标填 /。", ""),
        ("4. 判定得分：只在定性指标未完全达成时填写，达成 [80%,100%]、部分达成 [60%,80%)、未达成 [0,60%) 分值；"
         "其余行留空，由 jixiao 按规则计算。", ""),
        ("5. 偏差原因分析及改进措施：凡未得满分的指标都要填写。", ""),
        ("6. “（请填写三级指标）”行：改为本单位的三级指标名称并填写年度指标值；同一个二级指标下还有指标时，"
         "写在它下面的黄色空行里，每行一个，用不到的空行保持空白即可。", ""),
        ("7. 这些行的分值可以留空：留空的三级指标平分本组分值（模板给了二级指标分值的按二级指标，否则按一级指标），"
         "已填写分值的行先扣除；也可以逐行填写分值。jixiao 计算时会说明每组的分配结果。", ""),
        ("8. 资金管理情况（项目）：填写情况说明、判定得分和存在问题；情况说明中的灰色斜体字是填表提示，请改写为"
         "本单位的实际情况，原样保留的提示不会写入自评表。年度总体目标：填写实际完成情况。", ""),
        ("", ""),
        ("二、计算得分", "head"),
        ("填好后保存，运行：jixiao score 本文件.xlsx", ""),
        ("jixiao 逐行计算得分、偏差度、总分和等级；有问题时逐条指出所在工作表和单元格（如 '项目2'!F12）以及应如何填写。", ""),
        ("工作表可以改名、调整顺序。某组的空行不够时，在该组的黄色空行上插入行（右键 → 插入行），不必撤销保护，"
         "新行的分值同样可以留空；确需删除行时，可在“审阅 → 撤销工作表保护”后操作（无密码）。", ""),
        ("数字写成文字、全角数字、百分比格式的单元格、公式都可以识别。", ""),
    ]
    ws.column_dimensions["A"].width = 72
    for r, (text, style) in enumerate(lines, 1):
        cell = put_value(ws.cell(r, 1), text or None)  # names the units: text, never a formula
        size = 16 if style == "title" else 11
        cell.font = Font(name=FONT, size=size, bold=bool(style))
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[r].height = 24 if style == "title" else POINTS * max(1, math.ceil(text_width(text) / 66)) + 6
    print_setup(ws, f"A1:A{len(lines)}", portrait=True)
