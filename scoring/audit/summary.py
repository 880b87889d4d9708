"""The 审核汇总: one workbook per audited folder, a row per table and a row per finding.

Sheet 审核汇总 lists every table found (file, unit, project, printed and computed total,
how many findings and how many of them are judgements, the findings in brief); a file
that could not be read is one row that says why. Sheet 问题明细 lists every finding
with where it is, what is printed, what jixiao computes, the rule and the likely cause.

Names, places and reasons come from the units' files, so every string goes in through
`outputs.xlsx.append_row` (text, never a formula: a unit called “=HYPERLINK(…)” stays
text). Totals, printed values and computed values that are numbers are number cells,
each under a format with its own decimals (a printed 95.655 shows 95.655, a whole 94
shows 94), so a reader can sort and add them. Each sheet has its header row frozen,
an auto-filter and prints one page wide on A4 landscape.
"""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from pathlib import Path

from scoring.audit.model import KINDS, FileAudit, Finding, TableAudit
from scoring.audit.opinion import cause_text, split
from scoring.core.numbers import plain
from scoring.outputs.files import write_bytes_atomic
from scoring.outputs.workbook.cells import text_width
from scoring.outputs.xlsx import append_row, put_value

SUMMARY = "审核汇总"
DETAILS = "问题明细"
SUMMARY_COLUMNS = ["文件", "单位", "项目", "印刷总分", "复核总分", "发现问题数", "其中判定", "问题摘要"]
# Characters; about 150 in all, so that a landscape page printed one page wide stays legible.
SUMMARY_WIDTHS = (24, 18, 22, 9, 9, 10, 8, 50)
DETAIL_COLUMNS = ["文件", "单位", "项目", "位置", "三级指标", "类别", "印刷值", "复核计算值", "适用规则", "可能原因"]
DETAIL_WIDTHS = (20, 16, 18, 19, 18, 12, 8, 10, 26, 36)
DEPARTMENT = "（部门整体）"
BRIEF_LIMIT = 300  # characters of 问题摘要 (about twelve lines); the rest is in 问题明细
LINE_POINTS = 15  # one line of the default 11-pt text
MAX_POINTS = 409  # the tallest row Excel allows
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def number(value: Decimal | str | None) -> Decimal | str | None:
    """A decimal string as a number (a Decimal: openpyxl writes it as a number); other text as it is."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return Decimal(value.strip())
    return value


def computed(value: Decimal | str | None) -> Decimal | str | None:
    """What jixiao computes, as a number without the engine's trailing zeros (100.00 → 100), as the
    审核意见 prints it: a printed 100 beside a computed 100.00 would read as a difference."""
    value = number(value)
    return Decimal(plain(value)) if isinstance(value, Decimal) else value


def number_format(value: Decimal) -> str:
    """The format that shows the value's own decimals: 94 → “0”, 92.4 → “0.0”, 95.655 → “0.000”."""
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    return "0." + "0" * places if places else "0"


def brief(f: Finding) -> str:
    """One finding in a few words: 得分（某指标）印刷 8，复核 10."""
    what = KINDS.get(f.kind, f.kind)
    place = f.level3 or f.where
    text = f"{what}（{place}）" if place else what
    if f.printed is not None:
        text += f"印刷 {f.printed}"
    if f.computed is not None:
        text += f"{'，' if f.printed is not None else ''}复核 {f.computed}"
    return text


def summary_text(findings: tuple[Finding, ...]) -> str:
    text, count = "", 0
    for f in findings:
        piece = brief(f)
        if text and len(text) + len(piece) > BRIEF_LIMIT:
            return f"{text}；等，另 {len(findings) - count} 处见问题明细"
        text, count = (f"{text}；{piece}" if text else piece), count + 1
    return text


def _project(t: TableAudit) -> str | None:
    return t.project or (DEPARTMENT if t.kind == "department" else None)


def _numeric(value: object) -> object:
    """A Decimal as its cell holds it (1E+2 → 100, as a reader expects the XML to hold it); others as they are."""
    if isinstance(value, Decimal) and value.as_tuple().exponent > 0:
        return value.quantize(Decimal(1))
    return value


def _sheet(ws, header: list[str], rows: list[list[object]], widths: tuple[int, ...],
           wrapped: tuple[int, ...]) -> None:
    """The header and the rows (text through `outputs.xlsx`, never a formula), each number under its own format, wrapped
    columns wrapped with the row as high as their text; the header frozen, filtered, printed on each page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    append_row(ws, header)
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in ws[1]:
        cell.font, cell.alignment = bold, centre
    top, top_wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for r, values in enumerate(rows, 2):
        lines = 1
        for c, value in enumerate(values, 1):
            # put_value, not append_row: append_row asks ws.max_row, which looks at every cell (a
            # folder of 1,000 files took seconds more); the text goes in as text all the same.
            value = _numeric(value)
            cell = put_value(ws.cell(r, c), value)
            cell.alignment = top_wrapped if c in wrapped else top
            if isinstance(value, Decimal):
                cell.number_format = number_format(value)
            elif c in wrapped and isinstance(value, str):
                lines = max(lines, math.ceil(text_width(value) / max(widths[c - 1] - 1, 1)))
        if lines > 1:  # LibreOffice shows a wrapped cell one line high unless the row says otherwise
            ws.row_dimensions[r].height = min(LINE_POINTS * lines + 3, MAX_POINTS)
    for k, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(k)].width = width
    last = f"{get_column_letter(len(widths))}{max(len(rows) + 1, 2)}"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}"
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{last}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def rows(audits: list[FileAudit]) -> tuple[list[list[object]], list[list[object]]]:
    """The rows of 审核汇总 (a table each, or a file's error) and of 问题明细 (a finding each)."""
    tables, findings = [], []
    for audit in audits:
        if audit.error:
            tables.append([audit.file, None, None, None, None, None, None, f"未能读取：{audit.error}"])
        elif not audit.tables:
            tables.append([audit.file, None, None, None, None, 0, 0, "未找到预算绩效自评表"])
        for t in audit.tables if not audit.error else ():
            tables.append([audit.file, t.unit, _project(t), t.printed_total, computed(t.computed_total), len(t.findings),
                           len(split(t.findings)[1]), summary_text(t.findings) or "未发现问题"])
            findings += [[audit.file, t.unit, _project(t), f.where, f.level3, KINDS.get(f.kind, f.kind),
                          number(f.printed), computed(f.computed), f.rule, cause_text(f)] for f in t.findings]
    return tables, findings


def write_summary(audits: list[FileAudit], path: Path) -> Path:
    """Write the 审核汇总.xlsx for a folder's audits (checked, then atomically); the path written."""
    return write_bytes_atomic(path, summary_bytes(audits))


def summary_bytes(audits: list[FileAudit]) -> bytes:
    """The 审核汇总 workbook, in memory."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY
    tables, findings = rows(audits)
    _sheet(ws, SUMMARY_COLUMNS, tables, SUMMARY_WIDTHS, wrapped=(1, 2, 3, 8))
    _sheet(wb.create_sheet(DETAILS), DETAIL_COLUMNS, findings, DETAIL_WIDTHS, wrapped=(1, 2, 3, 4, 5, 9, 10))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

