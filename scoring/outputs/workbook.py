"""The finance staff's spreadsheet: one .xlsx for a whole unit, ready to fill in.

`write_workbook` lays out each evaluation (from a template, from evaluation
files, or from an imported target table) like the official self-evaluation
table: header facts, funds block, 资金管理情况, goals (and tasks), the indicator
tree, 总分. Structure, targets and weights are locked; the cells a unit fills
in are open, yellow, with drop-down lists where a list fits and an input
prompt saying what to type. A 填表说明 sheet comes first.

The sheet is meant to be read back by `workbook_read`, which finds every block
by its labels, so the layout may change between versions and users may
insert rows or rename sheets. A hidden cell (column after the last, row 1)
holds what the sheet does not show: kind, template, rounding, settings, as
JSON under the key ``jixiao`` (the layout version). Scoring rules, where rows
have them, sit in a hidden 评分规则 column, so they move with their rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from copy import copy
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.core.model import PLACEHOLDER
from scoring.core.numbers import D, plain
from scoring.core.values import Deadline, Period, Qualitative, ValueParseError, parse_value
from scoring.outputs.files import write_bytes_atomic
from scoring.sources.templates import DEFAULT_FILL_IN, Template
from scoring.sources.workbook.layout import DEFINED_NAME, LAYOUT_VERSION, MARKER_KEY, SOURCE_PREFIX

INSTRUCTIONS_TITLE = "填表说明"

# The labels of the indicator block, in the order of the official table.
INDICATOR_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "description": "指标说明",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "判定得分",
    "reason": "偏差原因分析及改进措施",
    "rule": "评分规则",
}
FUNDS_LABELS = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
DEFAULT_SOURCES = ("财政拨款", "财政专户管理资金", "单位资金", "其他资金")
TOTAL_LABEL = "总分"
QUALITATIVE_CHOICES = ("达成", "部分达成", "未达成")
DEADLINE_CHOICES = ("按时完成", "部分完成", "未完成")

# Column widths in Excel character units (a Chinese character takes about two).
WIDTHS = {"level1": 13, "level2": 15, "level3": 24, "description": 38, "target": 16, "actual": 16,
          "weight": 7, "score": 9, "reason": 34, "rule": 20}

_FONT = "宋体"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_OPEN_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED = Protection(locked=True)
_OPEN = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_AMOUNT_FORMAT = "#,##0.00####"
_POINTS = 13.5  # height of one line of 10-pt text, in points

HELP = {
    "actual": "填写实际完成的数值或情况，单位与年度指标值一致，如 92%、1200人、2022年11月30日；"
              "定性指标填 达成 / 部分达成 / 未达成，或与年度指标值相同的表述；不适用的指标填 /",
    "score": "仅在定性指标未完全达成（部分达成、未达成）或需评价人判定时填写，"
             "达成 [80%,100%]、部分达成 [60%,80%)、未达成 [0,60%) 分值；其余行留空，由 jixiao 计算",
    "reason": "未得满分的指标必须填写偏差原因分析及改进措施；超额完成较多的也请说明原因",
    "amount": "单位：万元，填写数字，如 12.5；全年预算数为调整后的预算数",
    "fm_score": "评价人判定得分，0 到分值之间",
    "goal": "填写年度目标的实际完成情况",
    "placeholder": "请把“（请填写三级指标）”改为本单位的三级指标名称，并填写年度指标值",
}


# ------------------------------------------------------------------ entry


def write_workbook(evaluations: list[dict], path: str | Path, *, template: Template | None = None) -> Path:
    """Write one fill-in workbook for a unit: 填表说明, then a sheet per evaluation.

    Args:
        evaluations: evaluation dicts as `instantiate`, `import_target_table` or the
            YAML loader produce them (actuals may be empty). Departments come first.
        path: the .xlsx to write; written atomically (a crash leaves no half file).
        template: the indicator template, for which cells the unit fills in
            (`fill_in`); by default every usual fill-in cell is open.

    Returns:
        The path written.
    """
    buffer = BytesIO()
    build_workbook(evaluations, template=template).save(buffer)
    return write_bytes_atomic(path, buffer.getvalue())


def build_workbook(evaluations: list[dict], *, template: Template | None = None) -> Workbook:
    """The workbook `write_workbook` saves (tests fill it in before saving)."""
    fill_in = frozenset(template.fill_in if template is not None else DEFAULT_FILL_IN)
    ordered = sorted(evaluations, key=lambda e: e.get("kind") != "department")  # stable
    wb = Workbook()
    _write_instructions(wb.active, ordered)
    used: set[str] = {INSTRUCTIONS_TITLE}
    departments = sum(1 for e in ordered if e.get("kind") == "department")
    styles: dict = {}  # shared by the sheets: style indexes belong to the workbook
    for data in ordered:
        ws = wb.create_sheet(sheet_title(data, used, by_unit=departments > 1))
        _SheetWriter(ws, data, fill_in, styles).write()
    wb.defined_names[DEFINED_NAME] = DefinedName(DEFINED_NAME, attr_text=f'"{LAYOUT_VERSION}"')
    return wb


_BAD_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(data: dict, used: set[str], by_unit: bool = False) -> str:
    """部门整体 (the unit's name when there are several), or the project's name:
    at most 31 characters, unique, no []:*?/\\."""
    if data.get("kind") == "department":
        base = str(data.get("unit") or "部门整体") if by_unit else "部门整体"
    else:
        base = str(data.get("project") or "项目")
    base = base.translate(_BAD_TITLE).strip("' ") or "项目"
    title, n = base[:31], 1
    while title.casefold() in {u.casefold() for u in used}:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title)
    return title


# ---------------------------------------------------------- instructions


def _write_instructions(ws, evaluations: list[dict]) -> None:
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
        ("6. “（请填写三级指标）”行：改为本单位的三级指标名称并填写年度指标值。", ""),
        ("7. 资金管理情况（项目）：填写情况说明、判定得分和存在问题；年度总体目标：填写实际完成情况。", ""),
        ("", ""),
        ("二、计算得分", "head"),
        ("填好后保存，运行：jixiao score 本文件.xlsx", ""),
        ("jixiao 逐行计算得分、偏差度、总分和等级；有问题时逐条指出所在工作表和单元格（如 '项目2'!F12）以及应如何填写。", ""),
        ("工作表可以改名、调整顺序；确需增删行时，可在“审阅 → 撤销工作表保护”后操作（无密码）。", ""),
        ("数字写成文字、全角数字、百分比格式的单元格、公式都可以识别。", ""),
    ]
    ws.column_dimensions["A"].width = 72
    for r, (text, style) in enumerate(lines, 1):
        cell = ws.cell(r, 1, text or None)
        size = 16 if style == "title" else 11
        cell.font = Font(name=_FONT, size=size, bold=bool(style))
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[r].height = 24 if style == "title" else _POINTS * max(1, math.ceil(_width(text) / 66)) + 6
    _print_setup(ws, f"A1:A{len(lines)}", portrait=True)


# ----------------------------------------------------------- one sheet


def _width(text: object) -> int:
    """Display width: Chinese characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text or ""))


def _number(value: object) -> object:
    """A number as a Decimal (written as a number cell); anything else as given."""
    if value is None or value == "":
        return None
    try:
        return D(value)
    except ValueError:
        return str(value)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain(value)
    text = str(value)
    return text if text.strip() else None


def _choices(target: object) -> tuple[str, ...] | None:
    """The drop-down list for an actual: by what the target is."""
    if target is None or str(target).strip() == "":
        return None
    try:
        value = parse_value(str(target))
    except ValueParseError:
        return None
    if isinstance(value, Qualitative):
        return QUALITATIVE_CHOICES
    if isinstance(value, (Deadline, Period)):
        return DEADLINE_CHOICES
    return None


class _SheetWriter:
    """Writes one evaluation as one sheet, block after block, top to bottom."""

    def __init__(self, ws, data: dict, fill_in: frozenset[str], styles: dict):
        self.ws, self.data, self.fill_in, self.styles = ws, data, fill_in, styles
        self.project = data.get("kind") != "department"
        indicators = data.get("indicators") or []
        keys = ["level1", "level2", "level3"]
        if any(_text(i.get("description")) for i in indicators):
            keys.append("description")
        keys += ["target", "actual", "weight", "score", "reason"]
        self.keys = keys
        self.n = len(keys)  # visible columns
        self.has_rules = any(i.get("rule") not in (None, "") for i in indicators)
        self.meta_col = self.n + 1 + self.has_rules
        self.row = 1
        self.validations: dict[tuple, DataValidation] = {}

    def col(self, key: str) -> int:
        return self.keys.index(key) + 1

    # -------------------------------------------------------- cells

    def put(self, row: int, col: int, value: object, *, open_: bool = False, head: bool = False,
            span: int = 1, center: bool = False, fmt: str | None = None, formula: bool = False) -> object:
        """One (possibly merged) cell with border, fill, protection and alignment."""
        ws = self.ws
        cell = ws.cell(row, col, value)
        if isinstance(value, str) and value.startswith("=") and not formula:
            cell.data_type = "s"  # a target such as “=100%” is text, not a formula
        key = (head, open_, head or center, fmt)
        for c in range(col, col + span):
            self.style(ws.cell(row, c), key)
        if span > 1:
            self.merge(row, col, row, col + span - 1)
        return cell

    def style(self, cell, key: tuple) -> None:
        """Font, alignment, protection, fill, border and format of one kind of cell.

        Assigning openpyxl style objects hashes them on every assignment (most of the time
        of writing a large workbook); the first cell of a kind is styled so, the others
        copy its style indexes.
        """
        cached = self.styles.get(key)
        if cached is not None:
            cell._style = copy(cached)
            return
        head, open_, center, fmt = key
        cell.font = Font(name=_FONT, size=10, bold=head)
        cell.alignment = _CENTER if center else _WRAP
        cell.protection = _OPEN if open_ else _LOCKED
        if head:
            cell.fill = _HEAD_FILL
        elif open_:
            cell.fill = _OPEN_FILL
        if fmt:
            cell.number_format = fmt
        cell.border = _BORDER
        self.styles[key] = copy(cell._style)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Merge a range whose cells are already styled (openpyxl's merge_cells restyles
        every merged cell again, slowly); the top-left cell keeps the value."""
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.ws.cell(r, c).value = None
        self.ws.merged_cells.add(CellRange(min_row=r1, min_col=c1, max_row=r2, max_col=c2))

    def validate(self, cell, kind: str, *, choices: tuple[str, ...] | None = None,
                 low: object = None, high: object = None, prompt: str = "", error: str = "") -> None:
        """Attach a data validation (grouped: one object per distinct rule).

        Lists only suggest (other text is accepted); numbers outside their range get a
        warning that may be overridden: jixiao reads what was typed and says what is wrong.
        """
        key = (kind, choices, str(low), str(high), prompt)
        dv = self.validations.get(key)
        if dv is None:
            if kind == "list":
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=False)
            elif kind == "decimal":
                dv = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high),
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                    errorTitle="请填写数字", error=error or f"请填写 {low} 到 {high} 之间的数字")
            else:
                dv = DataValidation(allow_blank=True)
            if prompt:
                dv.showInputMessage = True
                dv.promptTitle = "填写说明"
                dv.prompt = prompt[:250]
            self.ws.add_data_validation(dv)
            self.validations[key] = dv
        dv.add(cell)

    def note(self, cell, text: str) -> None:
        comment = Comment(text, "jixiao")
        comment.width, comment.height = 320, 110
        cell.comment = comment

    def height(self, row: int, texts: Iterable[tuple[object, int]]) -> None:
        """Row height from the longest wrapped text: (text, width in characters)."""
        lines = max((math.ceil(_width(t) / max(w - 1, 1)) for t, w in texts if t), default=1)
        self.ws.row_dimensions[row].height = _POINTS * max(lines, 1) + 5

    def span_width(self, col: int, span: int) -> int:
        return sum(WIDTHS[self.keys[c - 1]] for c in range(col, col + span))

    # -------------------------------------------------------- blocks

    def write(self) -> None:
        self.title()
        self.facts()
        if self.data.get("funding") is not None:
            self.funds()
        if self.data.get("funds_management"):
            self.funds_management()
        self.goals()
        if not self.project:
            self.tasks()
        header = self.indicators()
        self.total()
        self.finish(header)

    def title(self) -> None:
        name = "项目支出绩效自评表" if self.project else "部门整体支出绩效自评表"
        cell = self.put(1, 1, name, span=self.n, center=True)
        cell.font = Font(name=_FONT, size=16, bold=True)
        for c in range(1, self.n + 1):
            self.ws.cell(1, c).border = Border()
        self.ws.row_dimensions[1].height = 30
        self.row = 2

    def facts(self) -> None:
        d = self.data
        pairs = [(("单位名称", d.get("unit"), False), ("评价年度", d.get("year"), False))]
        if self.project:
            pairs.append((("项目名称", d.get("project"), False), ("项目编号", d.get("project_code"), False)))
            pairs.append((("主管部门", d.get("supervisor"), True), ("实施单位", d.get("implementer"), True)))
        half = self.n // 2
        for pair in pairs:
            r = self.row
            for (label, value, open_), (lc, vc, span) in zip(pair, ((1, 2, half - 1), (half + 1, half + 2, self.n - half - 1))):
                self.put(r, lc, label, head=True)
                year = label == "评价年度"
                self.put(r, vc, _number(value) if year else _text(value), open_=open_, span=span, center=year)
            self.height(r, [(_text(pair[0][1]), self.span_width(2, half - 1))])
            self.row += 1
        self.row += 1

    def funds(self) -> None:
        f = self.data["funding"] or {}
        span = self.n - 6
        first = span + 1  # 年初预算数
        r = self.row
        self.put(r, 1, "资金情况（万元）", head=True, span=span)
        for k, (key, label) in enumerate(FUNDS_LABELS.items()):
            cell = self.put(r, first + k, label, head=True)
            if key in ("initial_budget", "annual_budget", "executed"):
                self.note(cell, HELP["amount"])
        self.ws.row_dimensions[r].height = 28
        r += 1
        self.put(r, 1, _text(f.get("label")) or "年度资金总额", span=span)
        for k, key in enumerate(("initial_budget", "annual_budget", "executed")):
            cell = self.put(r, first + k, _number(f.get(key)), open_=key in self.fill_in, fmt=_AMOUNT_FORMAT)
            if key in self.fill_in:
                self.validate(cell, "decimal", low=0, high=10 ** 9, prompt=HELP["amount"], error=HELP["amount"])
        self.put(r, first + 3, _number(f.get("weight", 10)), center=True)
        rounding = self.data.get("rounding") or {}
        places = rounding.get("funding_precision")
        places = rounding.get("precision", 2) if places is None else places
        fn = "ROUNDDOWN" if rounding.get("mode") == "floor" else "ROUND"
        c_ann, c_exe, c_w, c_rate = (get_column_letter(first + k) for k in (1, 2, 3, 4))
        self.put(r, first + 4, f'=IF(AND(ISNUMBER({c_ann}{r}),N({c_ann}{r})>0),ROUND({c_exe}{r}/{c_ann}{r},4),"")',
                 center=True, fmt="0.00%", formula=True)
        self.put(r, first + 5, f'=IF({c_rate}{r}="","",{fn}({c_w}{r}*MIN(1,{c_rate}{r}),{int(places)}))', center=True, formula=True)
        sources = f.get("sources") or [{"name": n} for n in DEFAULT_SOURCES]
        open_sources = "sources" in self.fill_in
        for source in sources:
            r += 1
            self.put(r, 1, f"{SOURCE_PREFIX}{_text(source.get('name')) or ''}", span=span)
            for k, key in enumerate(("initial_budget", "annual_budget", "executed")):
                cell = self.put(r, first + k, _number(source.get(key)), open_=open_sources, fmt=_AMOUNT_FORMAT)
                if open_sources:
                    self.validate(cell, "decimal", low=0, high=10 ** 9, prompt=HELP["amount"], error=HELP["amount"])
            for k in range(3, 6):
                self.put(r, first + k, None)
        self.row = r + 2

    def funds_management(self) -> None:
        r = self.row
        n = self.n
        desc_span = n - 5
        open_ = "funds_management" in self.fill_in
        self.put(r, 1, "资金管理情况", head=True, span=2)
        self.put(r, 3, "情况说明", head=True, span=desc_span)
        self.put(r, n - 2, "分值", head=True)
        self.note(self.put(r, n - 1, "得分", head=True), HELP["fm_score"])
        self.put(r, n, "存在问题和改进措施", head=True)
        for row in self.data["funds_management"]:
            r += 1
            self.put(r, 1, _text(row.get("name")), span=2)
            self.put(r, 3, _text(row.get("description")), open_=open_, span=desc_span)
            weight = _number(row.get("weight"))
            self.put(r, n - 2, weight, center=True)
            cell = self.put(r, n - 1, _number(row.get("score")), open_=open_, center=True)
            if open_ and isinstance(weight, Decimal):
                self.validate(cell, "decimal", low=0, high=plain(weight), prompt=HELP["fm_score"])
            self.put(r, n, _text(row.get("problems")), open_=open_)
            self.height(r, [(_text(row.get("description")), self.span_width(3, desc_span)),
                            (_text(row.get("problems")), WIDTHS[self.keys[n - 1]])])
        self.row = r + 2

    def _pairs(self, head: tuple[str, str, str], rows: list[tuple], fill_key: str, blank_rows: int) -> None:
        """Goals and tasks: name (A:B), a locked text, an open text."""
        r = self.row
        n = self.n
        mid_span = n - 5
        self.put(r, 1, head[0], head=True, span=2)
        self.put(r, 3, head[1], head=True, span=mid_span)
        self.note(self.put(r, n - 2, head[2], head=True, span=3), HELP["goal"])
        open_result = fill_key in self.fill_in
        for name, middle, result in rows or [(None, None, None)] * blank_rows:
            r += 1
            self.put(r, 1, _text(name), open_=not _text(name) and not _text(middle), span=2)
            self.put(r, 3, _text(middle), open_=not _text(middle), span=mid_span)
            self.put(r, n - 2, _text(result), open_=open_result, span=3)
            self.height(r, [(_text(middle), self.span_width(3, mid_span)),
                            (_text(result), self.span_width(n - 2, 3)), (_text(name), self.span_width(1, 2))])
        self.row = r + 2

    def goals(self) -> None:
        label = "年度总体目标" if self.project else "年度履职目标"
        rows = [(g.get("name"), g.get("expected"), g.get("actual")) for g in self.data.get("goals") or []]
        self._pairs((label, "预期目标", "实际完成情况"), rows, "goals", 1)

    def tasks(self) -> None:
        rows = [(t.get("name"), t.get("content"), t.get("result")) for t in self.data.get("tasks") or []]
        self._pairs(("任务名称", "主要内容", "完成情况"), rows, "tasks", 3)

    def indicators(self) -> int:
        ws = self.ws
        header = self.row
        for key in self.keys:
            cell = self.put(header, self.col(key), INDICATOR_LABELS[key], head=True)
            if key in ("actual", "score", "reason"):
                self.note(cell, HELP[key])
        if self.has_rules:
            self.put(header, self.n + 1, INDICATOR_LABELS["rule"], head=True)
        ws.row_dimensions[header].height = 28
        rows = self.data.get("indicators") or []
        first = header + 1
        runs = _level_runs(rows)
        merged: list[set[str]] = [set() for _ in rows]
        for key, start, end in runs:
            merged[start:end] = [m | {key} for m in merged[start:end]]
        for i, ind in enumerate(rows):
            self.indicator_row(first + i, ind, merged[i])
        for key, start, end in runs:
            self.merge(first + start, self.col(key), first + end - 1, self.col(key))
        self.row = first + len(rows)
        return header

    def indicator_row(self, r: int, ind: dict, merged: set[str]) -> None:
        placeholder = ind.get("level3") == PLACEHOLDER
        target = _text(ind.get("target"))
        values = {
            "level1": (_text(ind.get("level1")), False),
            "level2": (_text(ind.get("level2")), False),
            "level3": (_text(ind.get("level3")), placeholder),
            "description": (_text(ind.get("description")), False),
            "target": (target, placeholder or target is None),
            "actual": (_text(ind.get("actual")), "actual" in self.fill_in),
            "weight": (_number(ind.get("weight")), False),
            "score": (_number(ind.get("score")), "score" in self.fill_in),
            "reason": (_text(ind.get("reason")), "reason" in self.fill_in),
        }
        for key in self.keys:
            value, open_ = values[key]
            cell = self.put(r, self.col(key), value, open_=open_,
                            center=key in ("weight", "score"),
                            fmt="@" if key in ("target", "actual") and open_ else None)
            if key == "actual" and open_:
                choices = _choices(target)
                self.validate(cell, "list" if choices else "any", choices=choices,
                              prompt=(f"年度指标值：{target}。" if target else "") + HELP["actual"])
            elif key == "score" and open_:
                weight = values["weight"][0]
                if isinstance(weight, Decimal):
                    self.validate(cell, "decimal", low=0, high=plain(weight), prompt=HELP["score"])
            elif key == "level3" and placeholder:
                self.note(cell, HELP["placeholder"])
        if self.has_rules:
            rule = ind.get("rule")
            if rule not in (None, ""):
                rule = rule if isinstance(rule, str) else json.dumps(rule, ensure_ascii=False, default=str)
            self.put(r, self.n + 1, rule or None)
        texts = [(values[k][0], WIDTHS[k]) for k in self.keys if k not in ("weight", "score") and k not in merged]
        self.height(r, texts)

    def total(self) -> None:
        r = self.row
        weight_col = self.col("weight")
        self.put(r, 1, TOTAL_LABEL, head=True, span=weight_col - 1)
        weights = []
        funding = self.data.get("funding")
        if funding is not None:
            weights.append(funding.get("weight", 10))
        weights += [row.get("weight") for row in self.data.get("funds_management") or []]
        weights += [row.get("weight") for row in self.data.get("indicators") or []]
        try:
            total = sum((D(w) for w in weights if w not in (None, "")), Decimal(0))
        except ValueError:
            total = None
        self.put(r, weight_col, total, head=True)
        self.put(r, weight_col + 1, None, head=True, span=self.n - weight_col)
        self.row = r + 1

    def finish(self, header: int) -> None:
        ws = self.ws
        for key in self.keys:
            ws.column_dimensions[get_column_letter(self.col(key))].width = WIDTHS[key]
        if self.has_rules:
            ws.column_dimensions[get_column_letter(self.n + 1)].width = WIDTHS["rule"]
            ws.column_dimensions[get_column_letter(self.n + 1)].hidden = True
        meta = {MARKER_KEY: LAYOUT_VERSION, "kind": self.data.get("kind")}
        for key in ("template", "rounding", "settings"):
            if self.data.get(key):
                meta[key] = self.data[key]
        ws.cell(1, self.meta_col, json.dumps(meta, ensure_ascii=False, default=str))
        ws.column_dimensions[get_column_letter(self.meta_col)].hidden = True
        ws.freeze_panes = "A4" if not self.project else "A5"  # the title and the names stay in view
        ws.print_title_rows = f"{header}:{header}"
        _print_setup(ws, f"A1:{get_column_letter(self.n)}{self.row - 1}")
        protection = ws.protection
        protection.sheet = True
        protection.formatColumns = False  # widths and heights may still be adjusted
        protection.formatRows = False
        protection.selectLockedCells = False
        protection.selectUnlockedCells = False


def _level_runs(rows: list[dict]) -> list[tuple[str, int, int]]:
    """Runs of equal 一级 (and of equal 二级 within one 一级) longer than one row,
    as (key, first, end): merged as the official table merges them."""
    runs = []
    for key, parents in (("level1", ("level1",)), ("level2", ("level1", "level2"))):
        start = 0
        for i in range(1, len(rows) + 1):
            if i < len(rows) and all(rows[i].get(k) == rows[start].get(k) for k in parents):
                continue
            if i - start > 1:
                runs.append((key, start, i))
            start = i
    return runs


def _print_setup(ws, area: str, portrait: bool = False) -> None:
    ws.print_area = area
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"
