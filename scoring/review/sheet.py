"""The review workbook (复核表): originals locked, the reviewer's cells open.

Written by `jixiao review-sheet`, filled in Excel or WPS, read back by
`jixiao rescore --review`. Every problem found when reading names its cell.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from scoring.core.issues import Issue, Location, ScoringError
from scoring.core.model import Evaluation
from scoring.core.numbers import plain
from scoring.core.text import strip_illegal
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.xlsx import put_text, put_value
from scoring.pipeline import score
from scoring.review import records
from scoring.review.records import (
    Review,
    ReviewChange,
    is_judged,
    parse_date,
    parse_number,
)
from scoring.sources.workbook.grid import coord, load_grids
from scoring.sources.workbook.reader import WorkbookSource

SHEET = "复核"
HEADER = ["类别", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "原分值", "原得分",
          "复核分值", "复核得分", "复核意见"]


def clean_text(value: object) -> str:
    """A cell's text as `records.clean_text` reads it, with control characters Excel saved
    escaped (``_x000B_``, which openpyxl leaves so) removed as well."""
    return records.clean_text(strip_illegal(value, escaped=True) if isinstance(value, str) else value)


def write_review_sheet(ev: Evaluation, path: Path, input_hash: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    result = score(ev)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    open_fill = PatternFill("solid", fgColor="FFF2CC")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    put_text(ws["A1"], f"绩效自评复核表：{ev.title}（{ev.year} 年度）")
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:K1")
    ws["A2"], ws["C2"], ws["E2"] = "复核人", "复核日期", "评价内容校验码"
    put_text(ws["F2"], input_hash)
    ws["A3"] = "总体意见"
    ws.merge_cells("B3:K3")
    for ref in ("B2", "D2", "B3"):
        ws[ref].protection = Protection(locked=False)
        ws[ref].fill = open_fill
    ws["D2"].number_format = "yyyy-mm-dd"
    ws["F2"].comment = Comment("复核对应的评价内容的校验码，请勿修改。评价文件被改动后，本复核表将不能直接使用。", "jixiao")
    for col, name in enumerate(HEADER, 1):
        cell = ws.cell(5, col, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    rows = []
    if ev.funding is not None and result.funding is not None:
        rows.append(["预算执行", "", "", ev.funding.label, "", "", result.funding.weight, result.funding.score, False])
    for m, mr in zip(ev.funds_management, result.funds_management):
        rows.append(["资金管理情况", "", "", m.name, "", "", m.weight, mr.score, True])
    for ind, row in zip(ev.indicators, result.indicators):
        judged = is_judged(row)
        rows.append(["绩效指标", ind.level1, ind.level2, ind.level3, ind.target or "", ind.actual or "",
                     row.weight, row.score, judged])
    r = 6
    for values in rows:
        *cells, judged = values
        for col, value in enumerate(cells, 1):
            c = put_value(ws.cell(r, col), float(value) if isinstance(value, Decimal) else value)  # names: text
            c.border = border
            c.alignment = Alignment(vertical="center", wrap_text=col in (2, 3, 4, 5, 6))
            if isinstance(value, Decimal):
                c.number_format = "0.##"
        for col in (9, 10, 11):
            c = ws.cell(r, col)
            c.border = border
            if col == 10 and not judged:
                c.fill = PatternFill("solid", fgColor="E7E6E6")
                continue  # computed by rule: locked
            c.protection = Protection(locked=False)
            c.fill = open_fill
        r += 1
    last = r - 1
    numbers = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                             showErrorMessage=True, errorTitle="应为数字", error="请填写不小于 0 的数字")
    numbers.add(f"I6:J{last}")
    ws.add_data_validation(numbers)
    ws["I5"].comment = Comment("需要调整分值时填写；各行复核分值合计应仍为 100。留空表示不调整。", "jixiao")
    ws["J5"].comment = Comment("仅定性、时限等由评价人判定得分的行可填写；留空表示不调整。", "jixiao")
    for col, width in zip("ABCDEFGHIJK", (12, 12, 14, 28, 14, 14, 8, 8, 10, 10, 36)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A6"
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "5:5"
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes_atomic(path, buffer.getvalue())


def read_review_sheet(path: Path):
    """The review a filled-in review sheet holds, from .xlsx, .xls or .ods (as a reviewer's
    office suite saved it): (Review or None, its cell map, issues). The file is read
    through the workbook reader's grids, so it is measured against the limits first."""
    grids = load_grids(path)
    grid = next((g for g in grids if any(clean_text(g.raw(r, c)) == "复核分值"
                                         for r in range(min(len(g.rows), 20)) for c in range(g.width))), None)
    if grid is None:
        raise ScoringError(f"{path}：找不到复核表（含“复核分值”列的工作表）；请使用 jixiao review-sheet 生成的复核表")
    return _ReviewSheet(path, _GridSheet(grid)).read()


class _GridCell:
    __slots__ = ("value", "coordinate")

    def __init__(self, value, coordinate: str):
        self.value, self.coordinate = value, coordinate


class _GridSheet:
    """A grid seen through the few worksheet calls the review sheet reader makes (1-based)."""

    def __init__(self, grid):
        self.grid, self.title = grid, grid.title
        self.max_row, self.max_column = len(grid.rows), grid.width

    def cell(self, r: int, c: int) -> _GridCell:
        value = self.grid.raw(r - 1, c - 1)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # as openpyxl reads a whole number typed into a cell
        return _GridCell(value, coord(r - 1, c - 1))

    def __getitem__(self, ref: str) -> _GridCell:
        return self.cell(1, 1) if ref == "A1" else self.cell(*_rowcol(ref))


def _rowcol(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


class _ReviewSheet:
    """One review sheet being read: the header block above the table, then its rows."""

    def __init__(self, path: Path, ws):
        self.path, self.ws = path, ws
        self.cells = WorkbookSource(str(path), ws.title)
        self.issues: list[Issue] = []
        self.header_row = next(r for r in range(1, 21) if any(clean_text(ws.cell(r, c).value) == "复核分值"
                                                               for c in range(1, ws.max_column + 1)))
        self.col = {clean_text(ws.cell(self.header_row, c).value): c for c in range(1, ws.max_column + 1)}
        self.labels = {clean_text(ws.cell(r, c).value): (r, c) for r in range(1, self.header_row)
                       for c in range(1, 9)}

    def problem(self, ref: str, message: str, hint: str = "") -> None:
        self.issues.append(Issue(Location(str(self.path), sheet=self.ws.title, cell=ref), message, hint))

    def right_of(self, label: str):
        if label not in self.labels:
            return None, "A1"
        r, c = self.labels[label]
        cell = self.ws.cell(r, c + 1)
        return cell.value, cell.coordinate

    def read(self):
        ws, cells = self.ws, self.cells
        reviewer, reviewer_ref = self.right_of("复核人")
        when, when_ref = self.right_of("复核日期")
        input_hash, hash_ref = self.right_of("评价内容校验码")
        comment, _ = self.right_of("总体意见")
        cells.cells.update({"reviewer": reviewer_ref, "date": when_ref, "input_hash": hash_ref})
        if not clean_text(reviewer):
            self.problem(reviewer_ref, "没有填写复核人", "请填写复核人姓名")
        review_date = parse_date(when)
        if review_date is None:
            self.problem(when_ref, f"复核日期“{clean_text(when)}”无法识别" if clean_text(when) else "没有填写复核日期",
                         "请填写日期，如 2026-11-22")
        changes, funding_weight, funding_comment = self.changes()
        cells.cells["changes"] = ws.cell(self.header_row, self.col["复核分值"]).coordinate
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", clean_text(input_hash)):
            self.problem(hash_ref, "评价内容校验码缺失或被改动", "请使用 jixiao review-sheet 重新生成复核表")
            return None, cells, self.issues
        # Even with problems, the changes are returned, so that applying them can
        # report its own problems in the same run; the issues keep it from landing.
        title = str(ws["A1"].value or "").strip().split("：", 1)[-1].rsplit("（", 1)[0]  # as written, not NFKC
        review = Review(evaluation=title, input_hash=clean_text(input_hash),
                        reviewer=clean_text(reviewer) or "（未填写）", date=review_date or date.today(),
                        comment=clean_text(comment), funding_weight=funding_weight,
                        funding_comment=funding_comment, changes=tuple(changes))
        return review, cells, self.issues

    def numbers(self, r: int) -> dict:
        """The row's 复核分值 and 复核得分, each None when blank or refused."""
        values = {}
        for key, label in (("weight", "复核分值"), ("score", "复核得分")):
            cell = self.ws.cell(r, self.col[label])
            try:
                values[key] = parse_number(cell.value)
            except ValueError as exc:
                self.problem(cell.coordinate, f"{label}“{exc}”不是数字", "请填写数字，如 8 或 7.5；不调整请留空")
                values[key] = None
            if values[key] is not None and values[key] < 0:
                self.problem(cell.coordinate, f"{label} {plain(values[key])} 为负数", "请填写不小于 0 的数字")
                values[key] = None
        return values

    def changes(self) -> tuple[list[ReviewChange], Decimal | None, str]:
        """Each reviewed row, and the 预算执行 row's weight and comment."""
        ws, col, cells = self.ws, self.col, self.cells
        changes = []
        funding_weight, funding_comment = None, ""
        for r in range(self.header_row + 1, ws.max_row + 1):
            kind = clean_text(ws.cell(r, col["类别"]).value)
            name = clean_text(ws.cell(r, col["三级指标"]).value)
            if not kind and not name:
                continue
            values = self.numbers(r)
            note = clean_text(ws.cell(r, col["复核意见"]).value)
            if kind == "预算执行":
                funding_weight, funding_comment = values["weight"], note
                cells.cells["funding_weight"] = ws.cell(r, col["复核分值"]).coordinate
                continue
            if values["weight"] is None and values["score"] is None and not note:
                continue
            k = len(changes)
            cells.cells.update({f"changes[{k}]": ws.cell(r, col["三级指标"]).coordinate,
                                f"changes[{k}].level3": ws.cell(r, col["三级指标"]).coordinate,
                                f"changes[{k}].funds_management": ws.cell(r, col["三级指标"]).coordinate,
                                f"changes[{k}].weight": ws.cell(r, col["复核分值"]).coordinate,
                                f"changes[{k}].score": ws.cell(r, col["复核得分"]).coordinate})
            if kind == "资金管理情况":
                changes.append(ReviewChange(funds_management=name, weight=values["weight"],
                                            score=values["score"], comment=note))
            else:
                changes.append(ReviewChange(level1=clean_text(ws.cell(r, col["一级指标"]).value),
                                            level2=clean_text(ws.cell(r, col["二级指标"]).value), level3=name,
                                            weight=values["weight"], score=values["score"], comment=note))
        return changes, funding_weight, funding_comment
