"""The self-evaluation tables in a document or a workbook, read as printed.

A submitted document holds one table or many (a department's 决算公开 prints
its 部门整体 table, then one table per project), split as Word and PDF split
them: a title paragraph, the table's top part (项目名称, funds, goals), the
indicator table, sometimes continued on the next page under a repeated header.
`tables_in_document` groups a `Document`'s tables into self-evaluation tables
(a new one starts at a title paragraph such as 项目支出绩效自评表, or at a table
that names its project or unit once an indicator table has been read), stacks
each group's rows into one `Grid`, the short paragraphs just above it
(title, 单位名称：…, （2022年度）) as one-cell rows, and reads it with the
spreadsheet reader (`sources/workbook/sheet.py`), whatever the column order,
merges and header wording. `tables_in_workbook` does the same for each sheet
of a spreadsheet.

What the reader does not keep and an audit checks is read here too: the 分值
of the 总分 row (the printed weight total), the 等级 row, and the weights of
一级 and 二级 groups written in their headings, such as 产出指标（50分）. Facts an audit does not need to
judge the numbers (unit, year, project name) are taken from the document
around the table when the table lacks them, never reported as errors.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from scoring.core.issues import Issue
from scoring.core.model import Evaluation
from scoring.sources.document import Document, Paragraph, Table
from scoring.sources.document.weights import infer_weights, lacks_weights, with_weight_column
from scoring.sources.workbook.grid import Grid, coord, load_grids
from scoring.sources.workbook.labels import LEVEL3, TOTAL_ROWS, compact, label
from scoring.sources.workbook.reader import WorkbookEvaluation, WorkbookSource, finish
from scoring.sources.workbook.sheet import SheetReader, find_header

_TITLE = re.compile(r"自评(?:情况|结果)?表")
_HEADING_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
GRADE_LABELS = {label(t) for t in ("等级", "评价等级", "自评等级", "绩效等级", "自评结果等级")}
_FACT_LABELS = {label(t) for t in ("项目名称", "部门名称", "部门(单位)名称", "单位名称", "主管部门")}
_ABOVE = 4  # short paragraphs above a table read with it
_SPACED = re.compile(r"\s{2,}|\u3000+")
_SHORT = 80  # characters of such a paragraph


@dataclass
class PrintedTable:
    """One self-evaluation table as printed, read into an evaluation."""

    title: str
    where: str  # 表2, 第3页 表2, 工作表“项目1”
    grid: Grid
    place: Callable[[int, int], str]  # a grid cell → where a person finds it
    evaluation: Evaluation | None
    source: WorkbookSource
    issues: list[Issue]
    # (一级, None) or (一级, 二级) → the weight its heading prints (产出指标（50分）) and the heading's cell
    group_weights: dict[tuple[str, str | None], tuple[Decimal, str]] = field(default_factory=dict)
    grade: tuple[str, str] | None = None  # the printed 等级 and its cell
    blocks: tuple[int, int] = (0, 0)  # the document blocks the table spans
    weights_note: str = ""  # how the weights of a table printed without 分值 were found
    # headings across the table weighing the rows below them: (heading, weight, cell, row indices)
    block_weights: list[tuple[str, Decimal, str, list[int]]] = field(default_factory=list)
    # groups of a table without 分值 whose weight (template, heading) the rows' printed scores miss
    inferred_misses: list[tuple[str, Decimal, str, list[int]]] = field(default_factory=list)
    inferred_rows: dict[int, str] = field(default_factory=dict)  # row → how its weight was found

    def cell_place(self, path: str) -> str:
        """Where the value of a key path was printed (the nearest key the reader placed)."""
        probe = path
        while probe:
            if probe in self.source.cells:
                return self.at(self.source.cells[probe])
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.where

    def at(self, cell: str) -> str:
        return self.place(*cell_rc(cell))


def cell_rc(cell: str) -> tuple[int, int]:
    """A cell name as the reader records it (C12) → its 0-based row and column in the grid."""
    letters, row = coordinate_from_string(cell)
    return row - 1, column_index_from_string(letters) - 1


# ------------------------------------------------------------ documents


@dataclass
class _Group:
    first: int  # block index
    above: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    title: str = ""
    header: tuple[str, ...] | None = None  # the indicator header's labels, once read
    total_seen: bool = False
    last: int = 0
    kept: list[tuple[Table, list[int]]] = field(default_factory=list)  # each table and the rows kept of it


def tables_in_document(doc: Document, year: int | None = None, template: str | None = None) -> list[PrintedTable]:
    """Every self-evaluation table of a Word or PDF document, in document order."""
    groups: list[_Group] = []
    current: _Group | None = None
    pending: list[tuple[int, str]] = []  # short paragraphs since the last table
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if _TITLE.search(text) and len(text) <= 60 and current is not None and current.tables \
                    and "续" not in text:  # …自评表（续表） continues the table above
                current = None
            if len(text) <= _SHORT:
                pending.append((i, text))
            continue
        labels = _labels(block)
        names_itself = any(v in _FACT_LABELS for row in labels[:3] for v in row)
        if current is None or (current.header is not None and (names_itself or current.total_seen)):
            current = _Group(i)
            groups.append(current)
            current.above = [t for _, t in pending[-_ABOVE:]]
            current.title = next((t for t in reversed(current.above) if _TITLE.search(t)), "")
        pending = []
        _add(current, block, labels)
        current.last = i
    contexts = _document_year(doc, year)
    found = []
    for g in groups:
        table = _read_group(doc.file, g, contexts, template)
        if table is not None:
            found.append(table)
    return found


def _labels(table: Table) -> list[list[str]]:
    return [[label(v) if v else "" for v in row] for row in table.rows]


def _add(group: _Group, table: Table, labels: list[list[str]]) -> None:
    """A table into its group; a header row repeated at the top of a continuation is dropped."""
    rows = []
    for r in range(len(table.rows)):
        if group.header is not None and tuple(labels[r]) == group.header:
            continue  # the header again: atop a continued page, or over a second block (湖北's 年度绩效目标2)
        if LEVEL3 in labels[r] and group.header is None:
            group.header = tuple(labels[r])
        if any(v in TOTAL_ROWS for v in labels[r]) and group.header is not None:
            group.total_seen = True
        rows.append(r)
    group.tables.append(table)
    group.kept.append((table, rows))


def _document_year(doc: Document, year: int | None) -> int | None:
    if year is not None:
        return year
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            m = _YEAR.search(compact(block.text))
            if m:
                return int(m[1])
    return None


def _read_group(file: str, group: _Group, year: int | None, template: str | None) -> PrintedTable | None:
    rows: list[list[object]] = []
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    origin: list[tuple[Table, int] | None] = []
    for text in group.above:
        rows.append(_SPACED.split(text))  # 填报单位：某局    填报日期：… as two cells
        origin.append(None)
    for table, kept in group.kept:
        at = {}
        for r in kept:
            at[r] = len(rows)
            rows.append(list(table.rows[r]))
            origin.append((table, r))
        for (r, c), (tr, tc) in table.merged.items():
            if r in at and tr in at:
                merged[(at[r], c)] = (at[tr], tc)
            elif r in at:  # the merge's top row was a dropped repeated header: start afresh
                rows[at[r]][c] = table.rows[tr][tc] if c < len(rows[at[r]]) else None
    first = group.tables[0]
    where = first.where(0).rsplit(" 第", 1)[0]

    def place(r: int, c: int) -> str:
        o = origin[r] if 0 <= r < len(origin) else None
        if o is None:
            return f"{where} 上方标题"
        return o[0].where(o[1], c)

    grid = Grid(where, rows, set(), merged)
    table = read_grid(grid, file, place, group.title or where, year, template=template)
    if table is not None:
        table.blocks = (group.first, group.last)
    return table


# ------------------------------------------------------------ workbooks


def tables_in_workbook(path: str | Path, shown: str | None = None, template: str | None = None) -> list[PrintedTable]:
    """Every self-evaluation table of a spreadsheet: one per sheet that holds one."""
    file = shown or str(path)
    found = []
    for grid in load_grids(path):
        def place(r: int, c: int, title: str = grid.title) -> str:
            return f"工作表“{title}” {coord(r, c)}"
        table = read_grid(grid, file, place, grid.title, None, where=f"工作表“{grid.title}”", template=template)
        if table is not None:
            found.append(table)
    return found


# ------------------------------------------------------------ one table


def read_grid(grid: Grid, file: str, place: Callable[[int, int], str], title: str, year: int | None,
              where: str | None = None, template: str | None = None) -> PrintedTable | None:
    """One grid read as a printed self-evaluation table; None when it holds no indicator table.

    A table printed without 分值 gets its weights from `template`, or as `weights.py` infers them.
    """
    header = find_header(grid)
    if header is None:
        return None
    score_col = lacks_weights(grid, header)
    if score_col is not None:
        grid = with_weight_column(grid, header, score_col)
        added, shown_at = grid.width - 1, place

        def place(r: int, c: int) -> str:
            return shown_at(r, score_col if c == added else c)
    reader = SheetReader(grid, file)
    data = reader.read(header, None, None)
    extras: dict = {}
    note = ""
    if data is not None:
        columns = reader.indicator_columns(header)
        _stand_ins(data, title, year)
        extras = _extras(grid, reader, header, columns, data)
        if score_col is not None:
            headings = {k: w for k, (w, _) in extras["groups"].items()}
            blocks = [(w, rows) for _, w, _, rows in extras["blocks"]]
            note, unknown, missed, how = infer_weights(data, template, headings, blocks)
            extras["inferred_rows"] = how
            named = {b[3][0]: b[0] for b in extras["blocks"]}
            for name, weight, inside in missed:
                where = reader.cells.get(f"indicators[{inside[0]}].level1" if name else f"indicators[{inside[0]}]")
                extras.setdefault("inferred", []).append((name or named.get(inside[0], ""), weight, where, inside))
            for i in unknown:
                reader.problem(*cell_rc(reader.cells.get(f"indicators[{i}].printed_score", "A1")), f"indicators[{i}].weight",
                               f"表中没有分值列，无法推定三级指标“{data['indicators'][i]['level3']}”的分值",
                               "请用 --template 指定该表所用的指标模板，或请单位补印分值")
        _weights_off_100(data)
    item = WorkbookEvaluation(grid.title, data, WorkbookSource(file, grid.title, reader.cells), reader.issues)
    sheet = finish([item])[0]
    return PrintedTable(title, where or grid.title, grid, place, sheet.evaluation, sheet.source,
                        sheet.issues, extras.get("groups", {}), extras.get("grade"), weights_note=note,
                        block_weights=extras.get("blocks", []), inferred_misses=extras.get("inferred", []),
                        inferred_rows=extras.get("inferred_rows", {}))


def _stand_ins(data: dict, title: str, year: int | None) -> None:
    """What the audit does not judge, taken from around the table rather than reported."""
    if not data.get("unit"):
        data["unit"] = data.get("implementer") or data.get("supervisor") or "（表中未写明单位）"
    if not data.get("year"):
        data["year"] = year or _dt.date.today().year
    if data.get("kind") == "project" and not data.get("project"):
        data["project"] = title or "（表中未写明项目）"


def _number(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(compact(str(value)).rstrip("分"))
    except (InvalidOperation, ValueError):
        return None


def _extras(grid: Grid, reader: SheetReader, header: int, columns: dict[str, int], data: dict) -> dict:
    """The 总分 row's 分值, the 等级 row, and 一级 headings' weights."""
    extras: dict = {}
    weight_col = columns.get("weight")
    for r in range(header + 1, len(grid.rows)):
        labels = [label(v) for v in grid.rows[r]]
        if any(v in TOTAL_ROWS for v in labels) and "printed_weight_total" not in data and weight_col is not None:
            weight = _number(grid.raw(r, weight_col))
            if weight is not None:
                data["printed_weight_total"] = weight
                reader.cells["printed_weight_total"] = coord(r, weight_col)
        for c, v in enumerate(labels):
            if v in GRADE_LABELS:
                for k in range(c + 1, grid.width):
                    value = grid.raw(r, k)
                    if isinstance(value, str) and value.strip() and (r, k) not in grid.merged:
                        extras["grade"] = (value.strip(), coord(r, k))
                        data["printed_grade"] = value.strip()
                        break
                break
    groups = {}
    for i, row in enumerate(data.get("indicators", [])):
        for key in ("level1", "level2"):
            cell = reader.cells.get(f"indicators[{i}].{key}")
            name = (row.get("level1"), row.get("level2")) if key == "level2" else (row.get("level1"), None)
            if not cell or name in groups:
                continue
            raw = grid.raw(*cell_rc(cell))
            m = _HEADING_WEIGHT.search(compact(raw)) if isinstance(raw, str) else None
            if m:
                groups[name] = (Decimal(m[1]), cell)
    extras["groups"] = groups
    extras["blocks"] = _blocks(grid, reader, header, data)
    return extras


def _blocks(grid: Grid, reader: SheetReader, header: int, data: dict) -> list[tuple[str, Decimal, str, list[int]]]:
    """Headings across the table that weigh the rows below them (湖北's 年度绩效目标1(40分)):
    (heading, weight, cell, the indicator rows under it)."""
    headings = [(r, w) for r in range(len(grid.rows)) if (w := reader.heading_row(r)) is not None]
    if not headings:
        return []
    found = [(str(grid.value(r, 0)).strip(), w, coord(r, 0), []) for r, w in headings]
    for i in range(len(data.get("indicators", []))):
        cell = reader.cells.get(f"indicators[{i}]")
        if not cell:
            continue
        row = cell_rc(cell)[0]
        inside = [k for k, (r, _) in enumerate(headings) if r < row]
        if inside:
            found[inside[-1]][3].append(i)
    return [b for b in found if b[3]]


def _weights_off_100(data: dict) -> None:
    """Weights off 100 are a finding, not a reason to stop: the table's own sum stands in for a
    printed total, so the engine warns and still computes."""
    if "printed_weight_total" in data:
        return
    total = sum((_number(r.get("weight")) or Decimal(0) for r in data.get("indicators", [])
                 if not r.get("breakdown")), Decimal(0))
    funding = data.get("funding") or {}
    total += _number(funding.get("weight")) or Decimal(0)
    total += sum((_number(r.get("weight")) or Decimal(0) for r in data.get("funds_management", [])), Decimal(0))
    if total != 100:
        data["printed_weight_total"] = total
