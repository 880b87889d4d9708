"""What the scored copy adds to one sheet, decided from the sheet's own labels and the engine's results.

Nothing here touches a file: `plan_sheet` takes the sheet's cells as read (`Grid`),
where each value was read from (the reader's key path → cell map) and the engine's
result, and returns a `SheetPlan`: the cells to add in three columns right of
everything the sheet holds (计算得分; 计算偏差度 or 计算执行率 or the grade; 问题说明),
row by row, and the cells to mark, each with its problems. The header rows are found
by their labels, as the reader finds them (`find_header`, `BlocksReader.blocks`), so
a unit's own layout is followed, not a position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from scoring.core.issues import Issue
from scoring.core.numbers import HUNDRED
from scoring.core.results import EvaluationResult
from scoring.sources.workbook.blocks import BlocksReader
from scoring.sources.workbook.grid import Grid, coord
from scoring.sources.workbook.labels import LEVEL3, TOTAL_ROWS, label
from scoring.sources.workbook.sheet import find_header

SCORE, SECOND, NOTE = 0, 1, 2  # the added columns, left to right
WIDTHS = (11, 15, 50)
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True, slots=True)
class Put:
    """One added cell: a number (Decimal) or a text, and how it looks (a key of ooxml's styles)."""

    value: Decimal | str
    style: str  # head, score, deviation, rate, text, note, note_error


@dataclass
class SheetPlan:
    title: str
    puts: dict[tuple[int, int], Put] = field(default_factory=dict)  # (row, added column) → cell; rows 1-based
    marks: dict[str, list[Issue]] = field(default_factory=dict)  # cell → its problems, in order

    def put(self, row: int | None, column: int, value: Decimal | str | None, style: str) -> None:
        if row is not None and value is not None:
            self.puts[(row, column)] = Put(value, style)


def split_ref(ref: str) -> tuple[int, int] | None:
    """'E27' → (27, 5), 1-based; None when it is no cell reference."""
    m = _REF.match(ref or "")
    if m is None:
        return None
    col = 0
    for ch in m[1].upper():
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


def comment_text(issues: list[Issue]) -> str:
    """The comment on a marked cell: every problem there, what to do under it."""
    return "\n\n".join(f"jixiao {SEVERITY[i.severity]}：{i.message}" + (f"\n{i.hint}" if i.hint else "")
                       for i in issues)


def plan_sheet(title: str, grid: Grid | None, cells: dict[str, str], result: EvaluationResult | None,
               issues: tuple[Issue, ...] | list[Issue]) -> SheetPlan:
    """The cells to add and to mark on one evaluation sheet.

    `issues` are those of the whole evaluation; the ones located on this sheet are marked
    at their cell (a cell inside a merged range at the range's first cell) and listed, in
    the 问题说明 column, on their row.
    """
    plan = SheetPlan(title)
    notes: dict[int, list[tuple[str, str]]] = defaultdict(list)  # row → (severity, text)
    for issue in issues:
        loc = issue.location
        if loc.sheet != title:
            continue
        at = split_ref(loc.cell or "A1") or (1, 1)
        if grid is not None:
            top = grid.top(at[0] - 1, at[1] - 1)
            at = (top[0] + 1, top[1] + 1)
        ref = coord(at[0] - 1, at[1] - 1)
        plan.marks.setdefault(ref, []).append(issue)
        hint = f"；{issue.hint}" if issue.hint else ""
        notes[at[0]].append((issue.severity, f"【{ref} {SEVERITY[issue.severity]}】{issue.message}{hint}"))
    header = _header_row(grid, cells)
    if header is not None:
        plan.put(header, SCORE, "计算得分", "head")
        plan.put(header, SECOND, "计算偏差度（%）", "head")
        plan.put(header, NOTE, "问题说明（jixiao）", "head")
    if result is not None:
        _results(plan, grid, cells, header, result, notes)
    for row, texts in notes.items():
        error = any(severity == "error" for severity, _ in texts)
        plan.put(row, NOTE, "　".join(text for _, text in texts), "note_error" if error else "note")
    return plan


def _row(cells: dict[str, str], key: str) -> int | None:
    at = split_ref(cells.get(key, ""))
    return at[0] if at else None


def _header_row(grid: Grid | None, cells: dict[str, str]) -> int | None:
    """The indicator table's header row (1-based), found by its labels as the reader does."""
    if grid is not None:
        found = find_header(grid)
        if found is not None:
            return found + 1
    return _row(cells, "indicators")


def _results(plan: SheetPlan, grid: Grid | None, cells: dict[str, str], header: int | None,
             result: EvaluationResult, notes: dict[int, list[tuple[str, str]]]) -> None:
    blocks = BlocksReader(grid, "").blocks(header - 1) if grid is not None and header else {}
    funding = result.funding
    if funding is not None:
        if "funds" in blocks:
            plan.put(blocks["funds"][0] + 1, SCORE, "计算得分", "head")
            plan.put(blocks["funds"][0] + 1, SECOND, "计算执行率", "head")
        row = _row(cells, "funding")
        plan.put(row, SCORE, funding.score if funding.score is not None else "未计分",
                 "score" if funding.score is not None else "text")
        plan.put(row, SECOND, _fraction(funding.execution_rate), "rate")
        for i, source in enumerate(funding.sources):
            plan.put(_row(cells, f"funding.sources[{i}]"), SECOND, _fraction(source.execution_rate), "rate")
    if result.funds_management:
        if "fm" in blocks:
            plan.put(blocks["fm"][0] + 1, SCORE, "计算得分", "head")
        for i, row in enumerate(result.funds_management):
            plan.put(_row(cells, f"funds_management[{i}]"), SCORE, row.score, "score")
    last = None
    for ind in result.indicators:
        row = _row(cells, f"indicators[{ind.index}]")
        if row is None:
            continue
        last = max(last or 0, row)
        if ind.score is not None:
            plan.put(row, SCORE, ind.score, "score")
        else:
            plan.put(row, SCORE, "不适用" if ind.status == "not_applicable" else "未计分", "text")
        plan.put(row, SECOND, ind.deviation, "deviation")
    if last is None:
        return
    total_row = _total_row(grid, header, last)
    if total_row is None:
        total_row = last + 1
        notes[total_row].insert(0, ("info", "jixiao 计算的总分和等级"))
    if result.total is not None:
        plan.put(total_row, SCORE, result.total, "score")
        plan.put(total_row, SECOND, f"等级：{result.grade}" if result.grade else None, "text")
    else:
        plan.put(total_row, SCORE, "未计算", "text")
        errors = sum(1 for i in result.issues if i.severity == "error")
        text = f"有 {errors} 个错误，总分和等级未计算：请按标红单元格的批注修改原表后重新运行 jixiao score"
        notes[total_row].insert(0, ("error", text))


def _total_row(grid: Grid | None, header: int | None, last: int) -> int | None:
    """The 总分 row under the table (1-based), found as the reader finds it."""
    if grid is None or header is None:
        return None
    for r in range(header, len(grid.rows)):  # 0-based: the rows under the header
        if any(label(v) in TOTAL_ROWS for v in grid.rows[r]):
            return r + 1 if r + 1 > last else None
        if r > header and any(label(v) == LEVEL3 for v in grid.rows[r]):
            return None  # a second table below
    return None


def _fraction(percent: Decimal | None) -> Decimal | None:
    """An execution rate in percent (99.85) as the fraction a percent cell holds (0.9985)."""
    return None if percent is None else percent / HUNDRED
