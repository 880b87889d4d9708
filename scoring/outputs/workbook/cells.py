"""Writing one sheet's cells: its columns, and each cell with its style, merge and prompt.

`CellWriter` knows which columns a sheet has (三级指标 … 偏差原因分析及改进措施,
指标说明 only where some row has one, the hidden 评分规则 and settings columns
after them) and writes a cell as the layout asks: bordered, locked or open
(yellow), centred, merged, with a data validation or a note saying what to
type. Styles are cached per kind of cell, since assigning openpyxl style
objects is most of the time of writing a large workbook. The blocks of a
sheet are laid out on top of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from copy import copy
from decimal import Decimal

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from scoring.core.numbers import D, plain
from scoring.outputs.xlsx import put_formula, put_value

# Column widths in Excel character units (a Chinese character takes about two).
WIDTHS = {"level1": 13, "level2": 15, "level3": 24, "description": 38, "target": 16, "actual": 16,
          "weight": 7, "score": 9, "reason": 34, "rule": 20}

FONT = "宋体"
POINTS = 13.5  # height of one line of 10-pt text, in points
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_OPEN_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED = Protection(locked=True)
_OPEN = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")

HELP = {
    "actual": "填写实际完成的数值或情况，单位与年度指标值一致，如 92%、1200人、2022年11月30日；"
              "定性指标填 达成 / 部分达成 / 未达成，或与年度指标值相同的表述；不适用的指标填 /",
    "score": "仅在定性指标未完全达成（部分达成、未达成）或需评价人判定时填写，"
             "达成 [80%,100%]、部分达成 [60%,80%)、未达成 [0,60%) 分值；其余行留空，由 jixiao 计算",
    "reason": "未得满分的指标必须填写偏差原因分析及改进措施；超额完成较多的也请说明原因",
    "amount": "单位：万元，填写数字，如 12.5；全年预算数为调整后的预算数",
    "fm_score": "评价人判定得分，0 到分值之间",
    "goal": "填写年度目标的实际完成情况",
    "placeholder": "请把“（请填写三级指标）”改为本单位的三级指标名称，并填写年度指标值；"
                   "本组还有指标时写在下面的空行里，分值留空即平分本组分值",
    "open_row": "本组的三级指标较多时在此填写：三级指标名称、年度指标值、实际完成值；分值留空即与本组"
                "未填分值的指标平分；用不到的空行保持空白即可",
    "hint": "灰色斜体字是填表提示，不会写入自评表；请改写为本单位的实际情况",
}


def text_width(text: object) -> int:
    """Display width: Chinese characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text or ""))


def number_value(value: object) -> object:
    """A number as a Decimal (written as a number cell); anything else as given."""
    if value is None or value == "":
        return None
    try:
        return D(value)
    except ValueError:
        return str(value)


def text_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain(value)
    text = str(value)
    return text if text.strip() else None


def print_setup(ws, area: str, portrait: bool = False) -> None:
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


class CellWriter:
    """One sheet's columns, and the writing of its cells."""

    def __init__(self, ws, data: dict, fill_in: frozenset[str], styles: dict):
        self.ws, self.data, self.fill_in, self.styles = ws, data, fill_in, styles
        self.project = data.get("kind") != "department"
        indicators = data.get("indicators") or []
        keys = ["level1", "level2", "level3"]
        if any(text_value(i.get("description")) for i in indicators):
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
        key = (head, open_, head or center, fmt)
        for c in range(col, col + span):
            self.style(ws.cell(row, c), key)
        cell = ws.cell(row, col)
        # after the style, which would drop the quote prefix: a target such as “=100%” is text
        put_formula(cell, value) if formula else put_value(cell, value)
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
        cell.font = Font(name=FONT, size=10, bold=head)
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
        lines = max((math.ceil(text_width(t) / max(w - 1, 1)) for t, w in texts if t), default=1)
        self.ws.row_dimensions[row].height = POINTS * max(lines, 1) + 5

    def span_width(self, col: int, span: int) -> int:
        return sum(WIDTHS[self.keys[c - 1]] for c in range(col, col + span))
