"""Cell values as people and spreadsheet programs leave them, read with their problems.

`CellReader` turns one grid's cells into text and numbers: numbers typed as text
(全角 digits, ideographic spaces, thousands separators, 万元), percent cells
holding 0.85, dates, formulas saved without a result, Excel error values
(#DIV/0! …, which calamine reads as empty: found in the file by `errors`), text
carrying control characters XML forbids (removed, with a warning), and cells a
merge from a row above covers where each row needs its own value. Each problem
is recorded with its sheet, cell and what to type instead, and every value read
is mapped to its cell (key path → cell), for the locations of later problems.
The readers of the blocks and of the indicator table build on it.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal

from scoring.core.amounts import parse_amount
from scoring.core.issues import Issue, Location
from scoring.core.numbers import HUNDRED, D, plain
from scoring.core.text import has_illegal, strip_illegal
from scoring.sources.workbook.errors import error_cells, meaning
from scoring.sources.workbook.grid import Grid, coord
from scoring.sources.workbook.labels import compact, label

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def shown_decimal(x: float) -> Decimal:
    """A float as the number a person typed: at most 15 significant digits, as Excel shows."""
    return Decimal(f"{x:.15g}")


_NOTHING = re.compile(r"[-—–－/／]+")
_TOO_LARGE = Decimal(10) ** 12  # no weight, score or amount in 万元 comes near a trillion


def is_nothing(value: object) -> bool:
    """No value: empty, or a printed table's mark for an empty cell (—, -, /)."""
    return value is None or (isinstance(value, str) and (not value.strip() or _NOTHING.fullmatch(compact(value))
                                                         is not None))


def clean(text: str) -> str:
    """Text without invisible characters (control characters XML forbids too), with plain
    spaces for wide ones, stripped."""
    return strip_illegal(text).translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ").strip()


def _date_text(value: _dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _number_hint(amount: bool, unit: str = "万元") -> str:
    if not amount:
        return "请填写数字，如 10 或 2.5"
    return "请填写以元为单位的数字，如 125000" if unit == "元" else "请填写以万元为单位的数字，如 12.5"


class CellReader:
    """Reads cells of one sheet: their values, where each came from, and their problems."""

    def __init__(self, grid: Grid, file: str):
        self.g, self.file = grid, file
        self.cells: dict[str, str] = {}
        self.issues: list[Issue] = []
        self.substituted: set[str] = set()
        self.meta: dict = {}  # the hidden settings cell, set when the sheet is read
        self.groups: list = []  # its groups whose weight blank 分值 share (`shares.Group`)
        self.hints: dict[str, str] = {}  # its hints: 资金管理情况 row name → the hint in its 情况说明
        self.generated = False  # written by jixiao: printed 得分 etc. are not read then
        self.errors: dict[tuple[int, int], str] | None = None  # Excel error cells, looked up when needed
        self.merge_ends: dict[tuple[int, int], tuple[int, int]] | None = None  # top-left → bottom-right
        self.told: set[tuple[str, tuple[int, int]]] = set()  # (what, cell) already reported
        self.amount_unit = "万元"  # the funds block's: 元 under 项目资金（元） or 金额单位：元

    # ---------------------------------------------------------- cells

    def at(self, path: str, r: int, c: int) -> None:
        self.cells.setdefault(path, coord(*self.g.top(r, c)))

    def problem(self, r: int, c: int, path: str, message: str, hint: str = "", severity: str = "error") -> None:
        where = Location(self.file, path, sheet=self.g.title, cell=coord(*self.g.top(r, c)))
        self.issues.append(Issue(where, message, hint, severity))
        if severity == "error" and path:
            self.substituted.add(path)

    def text(self, r: int, c: int | None, path: str = "", merged: bool = True, what: str = "") -> str | None:
        """A cell as the text a person sees (targets, actuals, names, reasons)."""
        if c is None:
            return None
        if path:
            self.at(path, r, c)
        value = self.g.value(r, c) if merged else self.g.raw(r, c)
        if value is None:
            self.error_value(r, c, path, what)
            return None
        if isinstance(value, str):
            return clean(self.visible(r, c, value, path)) or None
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, (int, float, Decimal)):
            number = shown_decimal(value) if isinstance(value, float) else Decimal(value)
            if self.g.top(r, c) in self.g.percent:
                return f"{plain(number * HUNDRED)}%"
            return plain(number)
        if isinstance(value, (_dt.datetime, _dt.date)):
            return _date_text(value)
        return clean(str(value)) or None

    def spans_row(self, r: int) -> bool:
        """One value across the whole row, from its first column: a heading or a note."""
        g = self.g
        tops = {g.top(r, c) for c in range(g.width) if g.value(r, c) is not None}
        return tops == {g.top(r, 0)} and sum(g.value(r, c) is not None for c in range(g.width)) >= 3

    def number(self, r: int, c: int | None, path: str, what: str, *, percent: bool = False,
               amount: bool = False) -> Decimal | None:
        """A number cell (weights, amounts, scores); problems reported, None then.

        With `percent`, the result is in percent (a 0.85 percent cell and the text
        85% both give 85).
        """
        if c is None:
            return None
        self.at(path, r, c)
        value = self.g.value(r, c)
        if value is None:
            self.error_value(r, c, path, what)
            return None
        if isinstance(value, str):
            value = self.visible(r, c, value, path)
        if isinstance(value, str) and not clean(value):
            return None
        if isinstance(value, (bool, _dt.datetime, _dt.date, _dt.time)):
            self.problem(r, c, path, f"{what}“{self.text(r, c)}”不是数字", _number_hint(amount, self.amount_unit))
            return None
        if isinstance(value, (int, float, Decimal)):
            number = shown_decimal(value) if isinstance(value, float) else Decimal(value)
            if amount and self.amount_unit == "元":
                return parse_amount(number, "元")  # in 万元
            # a printed 执行率 of 0.9985 is a fraction even without a percent format
            if percent and (self.g.top(r, c) in self.g.percent
                            or (path.endswith("printed_rate") and 0 < number <= 1)):
                number *= HUNDRED
            return number
        return self._number_text(r, c, path, what, str(value), percent, amount)

    def _number_text(self, r, c, path, what, raw, percent, amount) -> Decimal | None:
        text = compact(clean(raw)).replace("−", "-")
        text = text.replace(",", "")
        if _NOTHING.fullmatch(text):  # —, -, / : printed tables' way of leaving a cell empty
            return None
        if amount and not text.endswith("%"):
            return self._amount_text(r, c, path, what, raw, text)
        if text.endswith("分") and not amount:
            text = text[:-1]
        if text.endswith("%"):
            if not percent:
                self.problem(r, c, path, f"{what}“{raw}”不应是百分数", _number_hint(amount))
                return None
            text = text[:-1]
        try:
            number = D(text)
        except ValueError:
            self.problem(r, c, path, f"{what}“{raw}”不是数字", _number_hint(amount))
            return None
        if not number.is_finite() or abs(number) >= _TOO_LARGE:
            self.problem(r, c, path, f"{what}“{raw}”不是合理的数字（过大）", _number_hint(amount))
            return None
        return number

    def _amount_text(self, r, c, path, what, raw, text) -> Decimal | None:
        """An amount typed as text, in 万元: ``150万``, ``259.45万元``, ``1500000元`` in a block
        in 元; a plain number is in the block's unit. 元 in a block in 万元 is refused."""
        if self.amount_unit == "万元" and text.endswith("元") and not text.endswith(("万元", "亿元")):
            try:
                yuan = D(text[:-1])
            except ValueError:
                yuan = None
            if yuan is not None:
                self.problem(r, c, path, f"{what}“{raw}”以元为单位，本表金额以万元为单位",
                             f"请填写 {plain(yuan / 10000)}（万元）")
                return None
        try:
            return parse_amount(text, self.amount_unit)
        except ValueError:
            self.problem(r, c, path, f"{what}“{raw}”不是数字", _number_hint(True, self.amount_unit))
            return None

    def empty_formula(self, r: int, c: int, path: str, what: str) -> bool:
        """An empty cell holding a formula with no saved result: say so (True). True as well
        when the cell was already reported (an Excel error value)."""
        if path in self.substituted:
            return True
        if self.g.formula is None:
            return False
        formula = self.g.formula(*self.g.top(r, c))
        if formula:
            self.problem(r, c, path, f"{what}单元格是公式“{formula}”，但文件中没有保存计算结果",
                         "请用 Excel 或 WPS 打开本文件并保存一次，或直接填写数值")
            return True
        return False

    def error_value(self, r: int, c: int, path: str, what: str = "") -> bool:
        """A cell read as empty that holds an Excel error value (#DIV/0! …): say so, once (True).

        Only a value read for its key path or named (`what`) is reported: a look at whether
        a row is blank says nothing, and the reading of the value itself then says it all."""
        if not (path or what):
            return False
        if self.errors is None:
            self.errors = error_cells(self.file, self.g.title)
        top = self.g.top(r, c)
        code = self.errors.get(top)
        if code is None:
            return False
        if ("error", top) not in self.told:
            self.told.add(("error", top))
            self.problem(r, c, path, f"{what}单元格是 Excel 错误值 {code}（{meaning(code)}）",
                         "请修正该单元格的公式或直接填写数值")
        elif path:
            self.substituted.add(path)
        return True

    def visible(self, r: int, c: int, text: str, path: str = "") -> str:
        """A string cell's text without the control characters XML forbids; a warning names the cell once."""
        if not has_illegal(text):
            return text
        top = self.g.top(r, c)
        if ("control", top) not in self.told:
            self.told.add(("control", top))
            self.problem(r, c, path, "单元格中有不可见的控制字符（多由其他软件复制粘贴带入），已删除不可见的控制字符",
                         "请核对该单元格的内容；在单元格中重新输入即可消除本提示", "warning")
        return strip_illegal(text)

    def merged_from_above(self, r: int, c: int | None, path: str, what: str) -> bool:
        """A cell of a column that holds one value per row, covered by a merge from a row above:
        the merged range is reported once (an error) and the cell is not read (True)."""
        top = self.g.merged.get((r, c)) if c is not None else None
        if top is None or top[0] == r:
            return False  # not merged, the range's own first row, or merged only across columns
        if path:
            self.at(path, r, c)
            self.substituted.add(path)
        if ("merge", top) not in self.told:
            self.told.add(("merge", top))
            if self.merge_ends is None:
                self.merge_ends = {}
                for (mr, mc), t in self.g.merged.items():
                    end = self.merge_ends.get(t, t)
                    self.merge_ends[t] = (max(end[0], mr), max(end[1], mc))
            span = f"{coord(*top)}:{coord(*self.merge_ends[top])}"
            where = Location(self.file, path, sheet=self.g.title, cell=span)
            self.issues.append(Issue(where, f"'{self.g.title}'!{span} 是合并单元格，跨了 "
                                     f"{self.merge_ends[top][0] - top[0] + 1} 行；{what}每行应各自填写",
                                     f"请取消合并，在每一行分别填写{what}（一级指标、二级指标、偏差原因列可以合并）"))
        return True

    def own_columns(self, r: int, cols: dict[str, int], path: str, names: dict[str, str]) -> dict[str, int | None]:
        """A row's columns, None for those of `names` (one value per row) that a merge from
        a row above covers: reported once per merged range, not read as this row's value."""
        return {k: None if k in names and self.merged_from_above(r, c, f"{path}.{k}", names[k]) else c
                for k, c in cols.items()}

    # ---------------------------------------------------------- rows

    def row_labels(self, r: int, merged: bool = True) -> dict[str, int]:
        """Normalised labels in row r → their first column."""
        found: dict[str, int] = {}
        for c in range(self.g.width):
            value = self.g.value(r, c) if merged else self.g.raw(r, c)
            if isinstance(value, str):
                found.setdefault(label(value), c)
        return found

    def blank(self, r: int, columns) -> bool:
        return all(self.g.raw(r, c) is None for c in columns)

    def nonnegative(self, r: int, c: int, path: str, what: str, value: Decimal) -> Decimal | None:
        if value < 0:
            self.problem(r, c, path, f"{what} {plain(value)} 为负数", "请填写不小于 0 的数字")
            return None
        return value
